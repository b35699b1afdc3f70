"""PrefixWakeups: a change wakes the watchers of the prefixes it is under, and only those."""

from __future__ import annotations

import asyncio

import pytest

from shard.storage.cacher.notifier import PrefixWakeups

pytestmark = pytest.mark.asyncio


async def _settle() -> None:
    """Enough loop turns for a woken waiter to finish (asyncio.wait resolves through callbacks)."""
    for _ in range(10):
        await asyncio.sleep(0)


async def _waiter(wakeups: PrefixWakeups, prefix: str, timeout: float | None = None) -> asyncio.Task[None]:
    task = asyncio.create_task(wakeups.wait(prefix, timeout))
    await asyncio.sleep(0)  # let it register
    return task


async def test_a_change_wakes_the_watchers_of_its_prefixes_only() -> None:
    wakeups = PrefixWakeups()
    configmaps = await _waiter(wakeups, "/registry/core/configmaps/")
    one_cluster = await _waiter(wakeups, "/registry/core/configmaps/abc/")
    other_cluster = await _waiter(wakeups, "/registry/core/configmaps/abd/")
    workspaces = await _waiter(wakeups, "/registry/tenancy.kcp.io/workspaces/")
    wakeups.changed("/registry/core/configmaps/abc/default/x")
    await _settle()
    assert configmaps.done() and one_cluster.done()
    assert not other_cluster.done() and not workspaces.done()
    wakeups.all()
    await _settle()
    assert other_cluster.done() and workspaces.done()
    assert len(wakeups) == 0


async def test_a_prefix_without_a_trailing_slash_is_compared_with_every_change() -> None:
    wakeups = PrefixWakeups()
    odd = await _waiter(wakeups, "/registry/core/configmaps/ab")
    wakeups.changed("/registry/core/configmaps/abc/default/x")
    await _settle()
    assert odd.done()


async def test_a_watcher_that_stops_waiting_leaves_nothing_behind() -> None:
    wakeups = PrefixWakeups()
    first = await _waiter(wakeups, "/registry/core/pods/c1/ns/", timeout=0.01)
    second = await _waiter(wakeups, "/registry/core/pods/c1/ns/")
    await first
    assert len(wakeups) == 1, "the other watcher of the prefix still waits"
    second.cancel()
    await asyncio.gather(second, return_exceptions=True)
    assert len(wakeups) == 0


async def test_a_change_before_anyone_waits_is_not_remembered() -> None:
    wakeups = PrefixWakeups()
    wakeups.changed("/registry/core/configmaps/abc/default/x")
    late = await _waiter(wakeups, "/registry/core/configmaps/", timeout=0.02)
    await late  # returns by its timeout, not at once
    assert late.done()
