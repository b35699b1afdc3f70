"""A de-duplicating work queue with delayed requeue, safe for several workers (client-go's workqueue rules):
a key waits in the queue at most once; a key being processed is never handed to a second worker — if it is
added meanwhile, it is queued again when its worker calls `done`."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class WorkQueue:
    _queue: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    _dirty: set[str] = field(default_factory=set)  # added and not yet handed out
    _processing: set[str] = field(default_factory=set)

    def add(self, key: str) -> None:
        if key in self._dirty:
            return
        self._dirty.add(key)
        if key not in self._processing:
            self._queue.put_nowait(key)

    def add_after(self, key: str, seconds: float) -> None:
        asyncio.get_running_loop().call_later(seconds, self.add, key)

    async def get(self) -> str:
        key = await self._queue.get()
        self._dirty.discard(key)
        self._processing.add(key)
        return key

    def done(self, key: str) -> None:
        """The worker finished `key`; if it was added while being processed, it goes back in the queue."""
        self._processing.discard(key)
        if key in self._dirty:
            self._queue.put_nowait(key)
