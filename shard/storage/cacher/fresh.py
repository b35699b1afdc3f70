"""Read-index batching: the store's current revision for many concurrent readers at the cost of one.

A linearizable read from the watch cache needs a revision R that is at least as new as every write
acknowledged before the read began; the cache then answers once it has seen R. Asking etcd for R
(a quorum read) per request would cost as much as reading the object itself, so RevisionBatcher
shares one fetch among every caller that can safely use it.

The rule that keeps it linearizable: a caller is answered only by a fetch that starts after the
caller arrived. So callers queue into a *waiting batch*; one serving task takes the whole batch,
starts a fetch for it and hands its result (or its error) to every caller in it. Callers arriving
while that fetch runs form the next batch, which is fetched as soon as the running fetch completes.
At most one fetch runs at a time, and a burst of N concurrent callers costs at most two fetches.
Closing the batcher stops the running fetch; its callers and the waiting ones get UnavailableError.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from shard.storage.errors import UnavailableError

FetchRevision = Callable[[], Awaitable[int]]


class RevisionBatcher:
    """`await batcher.current()`: a revision fetched by `fetch` after this call began.

    `fetch` must be linearizable (for etcd: a quorum read, not a serializable one).
    """

    def __init__(self, *, fetch: FetchRevision) -> None:
        self._fetch = fetch
        self._waiting: asyncio.Future[int] | None = None
        self._task: asyncio.Task[None] | None = None

    async def current(self) -> int:
        """The result of the next fetch to start; its error if it fails."""
        batch = self._waiting
        if batch is None:
            batch = self._waiting = asyncio.get_running_loop().create_future()
            batch.add_done_callback(_mark_retrieved)
            if self._task is None:
                self._task = asyncio.create_task(self._serve(), name="revision batcher")
        return await asyncio.shield(batch)

    async def close(self) -> None:
        """Stop the serving task; every caller still waiting gets UnavailableError."""
        task = self._task
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _serve(self) -> None:
        """Fetch for one waiting batch after another until no caller waits."""
        try:
            while self._waiting is not None:
                batch, self._waiting = self._waiting, None
                await self._fetch_for(batch)
        finally:
            self._task = None
            self._fail_waiting()

    async def _fetch_for(self, batch: asyncio.Future[int]) -> None:
        try:
            revision = await self._fetch()
        except asyncio.CancelledError:
            batch.set_exception(_stopped())
            raise
        except Exception as err:  # every failure goes to the callers of this batch
            batch.set_exception(err)
        else:
            batch.set_result(revision)

    def _fail_waiting(self) -> None:
        batch, self._waiting = self._waiting, None
        if batch is not None:
            batch.set_exception(_stopped())


def _stopped() -> UnavailableError:
    return UnavailableError("", "the revision fetch of the watch cache stopped")


def _mark_retrieved(batch: asyncio.Future[int]) -> None:
    """Keep asyncio from logging an error that no caller is left to retrieve (all were cancelled)."""
    if not batch.cancelled():
        batch.exception()
