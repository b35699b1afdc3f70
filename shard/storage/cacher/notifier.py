"""Waking waiters when the cache changes, without a queue per waiter.

`Notifier`: every waiter wakes at the next `notify()` (readers waiting for a revision).
`PrefixWakeups`: a watcher of a prefix wakes only when a key under its prefix changed (or at `all()`, a
new epoch). A changed key looks up its own ancestors ending in "/" — as many lookups as the key is deep,
however many watchers there are — so a write wakes the few watchers it concerns, not every watcher of the
shard. Prefixes that do not end in "/" (none are used today) are compared with every changed key.

Each waiter waits on a future of its own, released by a wake-up or by its timer, so that one giving up
(cancelled or timed out) touches nobody else's. A wake-up costs a quarter to a third less than with
`asyncio.wait` on one shared future (8 µs instead of 11, the waiter's task switch included).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

Waiters = set[asyncio.Future[None]]


async def wait_released(waiters: Waiters, timeout: float | None) -> None:
    """Join `waiters` until `release(waiters)` or `timeout` seconds; leaves it on the way out."""
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()
    waiters.add(waiter)
    timer = loop.call_later(timeout, _release_one, waiter) if timeout is not None else None
    try:
        await waiter
    finally:
        waiters.discard(waiter)
        if timer is not None:
            timer.cancel()


def release(waiters: Waiters) -> None:
    for waiter in waiters:
        _release_one(waiter)


def _release_one(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Notifier:
    """`await wait(timeout)` returns after the next `notify()` or after `timeout` seconds."""

    def __init__(self) -> None:
        self._waiters: Waiters = set()

    async def wait(self, timeout: float | None) -> None:
        await wait_released(self._waiters, timeout)

    def notify(self) -> None:
        waiters, self._waiters = self._waiters, set()
        release(waiters)


@dataclass
class PrefixWakeups:
    _by_prefix: dict[str, Waiters] = field(default_factory=dict)
    _unusual: set[str] = field(default_factory=set)  # waited-for prefixes without a trailing "/"

    async def wait(self, prefix: str, timeout: float | None) -> None:
        """Return after a key under `prefix` changed, `all()`, or `timeout` seconds."""
        waiters = self._by_prefix.get(prefix)
        if waiters is None:
            waiters = self._by_prefix[prefix] = set()
            if not prefix.endswith("/"):
                self._unusual.add(prefix)
        try:
            await wait_released(waiters, timeout)
        finally:
            if not waiters and self._by_prefix.get(prefix) is waiters:
                self._forget(prefix)

    def changed(self, key: str) -> None:
        """A key changed: wake the watchers of every prefix it is under."""
        if not self._by_prefix:
            return
        slash = key.find("/")
        while slash != -1:
            self._wake(key[: slash + 1])
            slash = key.find("/", slash + 1)
        for prefix in [prefix for prefix in self._unusual if key.startswith(prefix)]:
            self._wake(prefix)

    def all(self) -> None:
        for prefix in list(self._by_prefix):
            self._wake(prefix)

    def __len__(self) -> int:
        return len(self._by_prefix)

    def _wake(self, prefix: str) -> None:
        waiters = self._by_prefix.get(prefix)
        if waiters is not None:
            self._forget(prefix)
            release(waiters)

    def _forget(self, prefix: str) -> None:
        del self._by_prefix[prefix]
        self._unusual.discard(prefix)
