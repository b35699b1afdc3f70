"""Cacher: the Storage Protocol served from memory in front of another Storage (the watch cache).

What is served from memory and what is delegated to the underlying store:

- writes (create, guaranteed_update, delete), count, and get at a revision N > 0: delegated.
- get and list with revision 0 (linearizable): learn the store's current revision R from a fetch
  that started after the call (shared with concurrent readers, see fresh.py), wait up to
  `consistent_read_wait` for the cache to reach R, then serve from memory at the cache revision
  (>= R, so every write acknowledged before the call is visible). If the cache does not get there
  in time (for instance the last write was outside the cached prefix and no progress notification
  came yet), delegate.
- current_revision: the same shared fetch.
- list at an exact revision N (or a continue token at N): served from memory only if the cache has
  reached N, still holds every event after N, and none of them touched the listed prefix (then the
  prefix looks now as it did at N); otherwise delegated.
- watch: served from the event buffer (see watch_server.py); ExpiredError if the start revision is
  older than the buffer's window. Watches of prefixes outside the cached one are delegated.
Until the first list completes (and while relisting), everything is delegated.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from shard.storage.cacher.encoding import decode
from shard.storage.cacher.fresh import RevisionBatcher
from shard.storage.cacher.reflector import Reflector
from shard.storage.cacher.state import Page
from shard.storage.cacher.watch_server import BookmarkPolicy, serve_watch
from shard.storage.errors import KeyNotFoundError
from shard.storage.interface import (
    ListOptions,
    ListResult,
    Object,
    Objects,
    Preconditions,
    Predicate,
    Storage,
    UpdateFunc,
    ValidateFunc,
    WatchEvent,
)
from shard.storage.paging import ContinueToken, encode_continue, key_after

MAX_BOOKMARK_HEARTBEAT = 60.0


@dataclass(frozen=True)
class CacherConfig:
    """capacity: events kept for watches. bookmark_interval: seconds between bookmarks of an idle
    watcher whose revision moved. bookmark_heartbeat: a bookmark at least this often while idle
    (capped at 60 s). consistent_read_wait: seconds a linearizable get or list waits for the cache
    before delegating. list_page_size: page size of the initial list."""

    capacity: int = 10_000
    bookmark_interval: float = 1.0
    bookmark_heartbeat: float = MAX_BOOKMARK_HEARTBEAT
    consistent_read_wait: float = 0.25
    list_page_size: int = 5_000


class Cacher:
    """`async with Cacher(underlying=store, prefix="/registry/") as cacher:` (or start()/stop())."""

    def __init__(self, *, underlying: Storage, prefix: str, config: CacherConfig | None = None) -> None:
        self.config = config or CacherConfig()
        self.prefix = prefix
        self._underlying = underlying
        self._reflector = Reflector(
            underlying=underlying,
            prefix=prefix,
            capacity=self.config.capacity,
            list_page_size=self.config.list_page_size,
        )
        self._fresh = RevisionBatcher(fetch=underlying.current_revision)
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Cacher:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start following the underlying store; returns once the first list is in memory."""
        if self._task is None:
            self._task = asyncio.create_task(self._reflector.run(), name=f"cacher {self.prefix}")
            self._task.add_done_callback(lambda _: self._reflector.invalidate())
        ready = asyncio.ensure_future(self._reflector.ready.wait())
        await asyncio.wait([ready, self._task], return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            self._task.result()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._fresh.close()

    @property
    def revision(self) -> int:
        """The revision up to which the cache has seen every change under its prefix."""
        return self._reflector.revision

    async def create(self, key: str, obj: Object) -> Object:
        return await self._underlying.create(key, obj)

    async def get(self, key: str, *, revision: int = 0, consistent: bool = True) -> Object:
        if revision or not self._covers(key):
            return await self._underlying.get(key, revision=revision)
        if not consistent:
            return self._cached(key)
        if not await self._wait_for_revision(await self._fresh.current()):
            return await self._underlying.get(key)
        return self._cached(key)

    async def guaranteed_update(
        self,
        key: str,
        update: UpdateFunc,
        *,
        preconditions: Preconditions | None = None,
        cached: Object | None = None,
    ) -> Object:
        """Delegated, starting from the cached state (as upstream's cacher does): no read before the write."""
        return await self._underlying.guaranteed_update(
            key, update, preconditions=preconditions, cached=cached or self._cached_or_none(key)
        )

    async def delete(
        self,
        key: str,
        *,
        preconditions: Preconditions | None = None,
        validate: ValidateFunc | None = None,
        cached: Object | None = None,
    ) -> Object:
        return await self._underlying.delete(
            key, preconditions=preconditions, validate=validate, cached=cached or self._cached_or_none(key)
        )

    async def create_many(self, entries: Sequence[tuple[str, Object]]) -> Objects:
        return await self._underlying.create_many(entries)

    async def delete_prefixes(self, prefixes: Sequence[str], *, unchanged_since: int | None) -> int | None:
        return await self._underlying.delete_prefixes(prefixes, unchanged_since=unchanged_since)

    async def count(self, prefix: str) -> int:
        return await self._underlying.count(prefix)

    async def current_revision(self) -> int:
        return await self._fresh.current()

    async def list(self, prefix: str, options: ListOptions) -> ListResult:
        if not self._covers(prefix):
            return await self._underlying.list(prefix, options)
        if options.continue_token:
            # continuations go to the store, as upstream's watch cache does: only it knows whether the
            # token's revision has been compacted away (410) since the first page
            return await self._underlying.list(prefix, options)
        if options.revision:
            return await self._list_exact(prefix, options, options.revision, prefix)
        if not options.consistent:
            return self._page(prefix, options, self._reflector.revision, prefix)
        target = await self._fresh.current()
        if await self._wait_for_revision(target):
            return self._page(prefix, options, self._reflector.revision, prefix)
        return await self._underlying.list(prefix, options)

    def watch(
        self, prefix: str, *, revision: int, predicate: Predicate | None = None, bookmarks: bool = False
    ) -> AsyncIterator[WatchEvent]:
        if not self._covers(prefix):
            return self._underlying.watch(prefix, revision=revision, predicate=predicate, bookmarks=bookmarks)
        policy = self._bookmark_policy() if bookmarks else None
        return serve_watch(self._reflector, prefix, revision=revision, predicate=predicate, bookmarks=policy)

    def _covers(self, prefix: str) -> bool:
        return prefix.startswith(self.prefix) and self._reflector.ready.is_set()

    def _cached(self, key: str) -> Object:
        """A private copy of the cached object at `key` (its resourceVersion is its mod revision)."""
        data = self._reflector.state.get(key)
        if data is None:
            raise KeyNotFoundError(key)
        return decode(data)

    def _cached_or_none(self, key: str) -> Object | None:
        if not self._covers(key):
            return None
        data = self._reflector.state.get(key)
        return None if data is None else decode(data)

    def _bookmark_policy(self) -> BookmarkPolicy:
        heartbeat = min(self.config.bookmark_heartbeat, MAX_BOOKMARK_HEARTBEAT)
        return BookmarkPolicy(interval=min(self.config.bookmark_interval, heartbeat), heartbeat=heartbeat)

    async def _list_exact(self, prefix: str, options: ListOptions, revision: int, start: str) -> ListResult:
        if await self._wait_for_revision(revision) and self._unchanged_since(prefix, revision):
            return self._page(prefix, options, revision, start)
        return await self._underlying.list(prefix, options)

    def _unchanged_since(self, prefix: str, revision: int) -> bool:
        """True if the cached state of `prefix` is its state at `revision`."""
        buffer = self._reflector.buffer
        if not self._reflector.ready.is_set() or revision < buffer.window_start:
            return False
        return not any(event.key.startswith(prefix) for event in buffer.events_after(revision))

    async def _wait_for_revision(self, revision: int) -> bool:
        """Wait (up to consistent_read_wait) until the cache has seen `revision`; False if it has not."""
        deadline = time.monotonic() + self.config.consistent_read_wait
        while self._reflector.revision < revision or not self._reflector.ready.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            await self._reflector.changed.wait(remaining)
        return True

    def _page(self, prefix: str, options: ListOptions, revision: int, start: str) -> ListResult:
        page = self._reflector.state.page(prefix, start, options.limit, options.predicate)
        if not (options.limit and page.more):
            return ListResult(items=page.items, revision=revision, keys=page.keys)
        token = encode_continue(prefix, ContinueToken(revision=revision, start_key=key_after(page.keys[-1])))
        return ListResult(
            items=page.items,
            revision=revision,
            continue_token=token,
            remaining_item_count=_remaining(page, options.predicate),
            keys=page.keys,
        )


def _remaining(page: Page, predicate: Predicate | None) -> int | None:
    return page.remaining if predicate is None else None
