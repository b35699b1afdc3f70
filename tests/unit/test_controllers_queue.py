"""The work queue hands a key to one worker at a time, and never loses an add made while it is processed."""

from __future__ import annotations

import asyncio

from shard.controllers.queue import WorkQueue


def test_a_key_waits_once() -> None:
    async def scenario() -> list[str]:
        queue = WorkQueue()
        for key in ("a", "b", "a", "a"):
            queue.add(key)
        return [await queue.get(), await queue.get()]

    assert asyncio.run(scenario()) == ["a", "b"]


def test_a_key_in_progress_is_not_handed_out_again_until_done() -> None:
    async def scenario() -> tuple[bool, str]:
        queue = WorkQueue()
        queue.add("a")
        first = await queue.get()
        queue.add("a")  # changed while a worker holds it
        try:
            await asyncio.wait_for(queue.get(), 0.05)
            second_worker_got_it = True
        except TimeoutError:
            second_worker_got_it = False
        queue.done(first)
        return second_worker_got_it, await asyncio.wait_for(queue.get(), 1)

    assert asyncio.run(scenario()) == (False, "a")


def test_done_without_a_new_add_leaves_the_queue_empty() -> None:
    async def scenario() -> bool:
        queue = WorkQueue()
        queue.add("a")
        queue.done(await queue.get())
        try:
            await asyncio.wait_for(queue.get(), 0.05)
        except TimeoutError:
            return True
        return False

    assert asyncio.run(scenario())


def test_several_workers_never_hold_the_same_key() -> None:
    async def scenario() -> int:
        queue = WorkQueue()
        holding: set[str] = set()
        overlaps = 0

        async def worker() -> None:
            nonlocal overlaps
            while True:
                key = await queue.get()
                overlaps += key in holding
                holding.add(key)
                await asyncio.sleep(0.001)
                holding.discard(key)
                queue.done(key)

        workers = [asyncio.create_task(worker()) for _ in range(4)]
        for round_ in range(50):
            for key in ("a", "b", "c"):
                queue.add(key)
            await asyncio.sleep(0.0005 * (round_ % 3))
        await asyncio.sleep(0.05)
        for task in workers:
            task.cancel()
        return overlaps

    assert asyncio.run(scenario()) == 0
