"""Wake every waiting watcher when the cache changes, without a queue per watcher."""

from __future__ import annotations

import asyncio


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
