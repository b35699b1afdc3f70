"""Waking waiters when the cache changes, without a queue per waiter.

`Notifier`: every waiter wakes at the next `notify()` (readers waiting for a revision).
`PrefixWakeups`: a watcher of a prefix wakes only when a key under its prefix changed (or at `all()`, a
new epoch). A changed key looks up its own ancestors ending in "/" — as many lookups as the key is deep,
however many watchers there are — so a write wakes the few watchers it concerns, not every watcher of the
shard. Prefixes that do not end in "/" (none are used today) are compared with every changed key.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


class Notifier:
    """`await wait(timeout)` returns after the next `notify()` or after `timeout` seconds."""

    def __init__(self) -> None:
        self._future: asyncio.Future[None] | None = None

    async def wait(self, timeout: float | None) -> None:
        if self._future is None:
            self._future = asyncio.get_running_loop().create_future()
        await asyncio.wait([self._future], timeout=timeout)

    def notify(self) -> None:
        future, self._future = self._future, None
        if future is not None and not future.done():
            future.set_result(None)


@dataclass
class _Waiting:
    future: asyncio.Future[None]
    waiters: int = 0


@dataclass
class PrefixWakeups:
    _by_prefix: dict[str, _Waiting] = field(default_factory=dict)
    _unusual: set[str] = field(default_factory=set)  # waited-for prefixes without a trailing "/"

    async def wait(self, prefix: str, timeout: float | None) -> None:
        """Return after a key under `prefix` changed, `all()`, or `timeout` seconds."""
        waiting = self._by_prefix.get(prefix)
        if waiting is None:
            waiting = self._by_prefix[prefix] = _Waiting(asyncio.get_running_loop().create_future())
            if not prefix.endswith("/"):
                self._unusual.add(prefix)
        waiting.waiters += 1
        try:
            await asyncio.wait([waiting.future], timeout=timeout)
        finally:
            waiting.waiters -= 1
            if not waiting.waiters and self._by_prefix.get(prefix) is waiting:
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
        waiting = self._by_prefix.get(prefix)
        if waiting is not None:
            self._forget(prefix)
            if not waiting.future.done():
                waiting.future.set_result(None)

    def _forget(self, prefix: str) -> None:
        del self._by_prefix[prefix]
        self._unusual.discard(prefix)
