"""RevisionBatcher: every caller is answered by a fetch that started after it arrived; fetches are shared."""

from __future__ import annotations

import asyncio
import random

import pytest

from shard.storage.cacher.fresh import RevisionBatcher
from shard.storage.errors import UnavailableError


class GatedFetch:
    """A fake revision fetch that returns only when the test resolves its gate.

    Fetch number i (from 1) is `gates[i - 1]`; `log` records fetch starts among the test's own events.
    """

    def __init__(self, log: list[str]) -> None:
        self.gates: list[asyncio.Future[int]] = []
        self.log = log

    @property
    def started(self) -> int:
        return len(self.gates)

    async def __call__(self) -> int:
        gate: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.gates.append(gate)
        self.log.append(f"fetch {self.started}")
        return await gate


async def settle() -> None:
    """Let every ready task run until it blocks."""
    for _ in range(5):
        await asyncio.sleep(0)


def call(batcher: RevisionBatcher, log: list[str], name: str) -> asyncio.Task[int]:
    log.append(f"arrive {name}")
    return asyncio.create_task(batcher.current())


async def test_a_caller_arriving_during_a_fetch_waits_for_the_next_one() -> None:
    log: list[str] = []
    fetch = GatedFetch(log)
    batcher = RevisionBatcher(fetch=fetch)
    first = call(batcher, log, "a")
    await settle()
    second = call(batcher, log, "b")
    await settle()
    fetch.gates[0].set_result(10)
    await settle()
    assert first.done() and first.result() == 10
    assert not second.done(), "b arrived after fetch 1 started, so fetch 1 cannot answer it"
    assert fetch.started == 2
    fetch.gates[1].set_result(11)
    assert await second == 11
    assert log == ["arrive a", "fetch 1", "arrive b", "fetch 2"]


async def test_callers_arriving_before_the_fetch_starts_share_it() -> None:
    fetch = GatedFetch([])
    batcher = RevisionBatcher(fetch=fetch)
    callers = [asyncio.create_task(batcher.current()) for _ in range(20)]
    await settle()
    assert fetch.started == 1
    fetch.gates[0].set_result(7)
    assert await asyncio.gather(*callers) == [7] * 20


@pytest.mark.parametrize("callers", [2, 64, 500])
async def test_a_burst_of_concurrent_callers_costs_at_most_two_fetches(callers: int) -> None:
    fetch = GatedFetch([])
    batcher = RevisionBatcher(fetch=fetch)
    first = asyncio.create_task(batcher.current())
    await settle()
    rest = [asyncio.create_task(batcher.current()) for _ in range(callers - 1)]
    await settle()
    fetch.gates[0].set_result(1)
    await settle()
    fetch.gates[1].set_result(2)
    assert await first == 1 and set(await asyncio.gather(*rest)) == {2}
    assert fetch.started == 2


async def test_an_error_reaches_every_caller_of_that_fetch_and_the_next_batch_still_runs() -> None:
    fetch = GatedFetch([])
    batcher = RevisionBatcher(fetch=fetch)
    failing = [asyncio.create_task(batcher.current()) for _ in range(3)]
    await settle()
    later = asyncio.create_task(batcher.current())
    await settle()
    fetch.gates[0].set_exception(ConnectionError("etcd is down"))
    for task in failing:
        with pytest.raises(ConnectionError, match="etcd is down"):
            await task
    await settle()
    fetch.gates[1].set_result(5)
    assert await later == 5


async def test_a_cancelled_caller_does_not_cancel_the_shared_fetch() -> None:
    fetch = GatedFetch([])
    batcher = RevisionBatcher(fetch=fetch)
    leaving, staying = (asyncio.create_task(batcher.current()) for _ in range(2))
    await settle()
    leaving.cancel()
    await settle()
    fetch.gates[0].set_result(3)
    assert await staying == 3 and leaving.cancelled()


async def test_close_stops_the_fetch_and_fails_every_waiting_caller() -> None:
    fetch = GatedFetch([])
    batcher = RevisionBatcher(fetch=fetch)
    running = asyncio.create_task(batcher.current())
    await settle()
    waiting = asyncio.create_task(batcher.current())
    await settle()
    await batcher.close()
    for task in (running, waiting):
        with pytest.raises(UnavailableError):
            await task
    fresh = asyncio.create_task(batcher.current())
    await settle()
    fetch.gates[-1].set_result(9)
    assert await fresh == 9, "the batcher serves again after close"


async def test_random_arrivals_are_always_answered_by_a_fetch_started_after_them() -> None:
    started = 0

    async def fetch() -> int:
        nonlocal started
        started += 1
        number = started
        await asyncio.sleep(random.uniform(0, 0.003))
        return number

    batcher = RevisionBatcher(fetch=fetch)

    async def caller() -> None:
        await asyncio.sleep(random.uniform(0, 0.05))
        fetches_before_arrival = started
        assert await batcher.current() > fetches_before_arrival

    await asyncio.gather(*(caller() for _ in range(300)))
    assert started < 300, "concurrent callers must share fetches"
