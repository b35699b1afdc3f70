"""A de-duplicating work queue with delayed requeue: the same key is never processed twice at once."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field


@dataclass
class WorkQueue:
    _queue: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    _pending: set[str] = field(default_factory=set)

    def add(self, key: str) -> None:
        if key not in self._pending:
            self._pending.add(key)
            self._queue.put_nowait(key)

    def add_after(self, key: str, seconds: float) -> None:
        asyncio.get_running_loop().call_later(seconds, self.add, key)

    async def get(self) -> str:
        key = await self._queue.get()
        self._pending.discard(key)
        return key
