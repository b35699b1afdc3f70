"""Keeps the cacher's state and event buffer in step with the underlying store.

List the whole prefix once (paged, one snapshot), then watch it from the list revision with
bookmarks. Every event updates the state and is appended to the buffer; every event or bookmark
advances `revision`, the revision up to which the cache has seen every change under the prefix.
A watch that fails for a transient reason resumes from `revision`; an ExpiredError (the store
no longer has the history we need) starts over with a new list and a new `epoch`, which ends
every watcher of the previous one.

A revision may change several keys (create_many, delete_prefixes). etcd delivers every event of
one revision in one watch response, and the etcd3 watch yields a response's events without
awaiting in between, so `_follow` applies a whole revision before any reader runs: advancing
`revision` per event never exposes half of a revision (contract: test_a_read_after_create_many...).
"""

from __future__ import annotations

import asyncio
import logging

from shard.storage.cacher.buffer import CachedEvent, EventBuffer
from shard.storage.cacher.encoding import Encoder
from shard.storage.cacher.notifier import Notifier, PrefixWakeups
from shard.storage.cacher.state import CacheState
from shard.storage.errors import ExpiredError, StorageError
from shard.storage.interface import ListOptions, Storage, WatchEvent

log = logging.getLogger(__name__)

MAX_BACKOFF = 2.0


class Reflector:
    def __init__(self, *, underlying: Storage, prefix: str, capacity: int, list_page_size: int) -> None:
        self.prefix = prefix
        self.state = CacheState()
        self.buffer = EventBuffer(capacity, 0)
        self.revision = 0
        self.epoch = 0
        self.ready = asyncio.Event()
        self.changed = Notifier()  # any progress: readers waiting for a revision
        self.wakeups = PrefixWakeups()  # changes by key: watchers of a prefix
        self.encoder = Encoder()
        self._underlying = underlying
        self._capacity = capacity
        self._list_page_size = list_page_size

    async def run(self, *, initial_backoff: float = 0.05) -> None:
        """Forever: (re)list when needed, then follow the watch; back off after failures."""
        backoff = initial_backoff
        while True:
            try:
                if not self.ready.is_set():
                    await self._relist()
                await self._follow()
            except ExpiredError as err:
                log.info("watch cache of %s expired (%s); relisting", self.prefix, err)
                self.invalidate()
            except StorageError as err:
                log.warning("watch cache of %s lost its watch (%s); resuming at %d", self.prefix, err, self.revision)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = initial_backoff

    def invalidate(self) -> None:
        """Stop serving from memory; watchers of the current epoch end with ExpiredError."""
        self.ready.clear()
        self.epoch += 1
        self.changed.notify()
        self.wakeups.all()

    async def _relist(self) -> None:
        state, revision = CacheState(), 0
        options = ListOptions(limit=self._list_page_size)
        while True:
            page = await self._underlying.list(self.prefix, options)
            revision = page.revision
            for key, obj in zip(page.keys, page.items, strict=True):
                state.put(key, self.encoder.encode(obj))
            if not page.continue_token:
                break
            options = ListOptions(limit=self._list_page_size, continue_token=page.continue_token)
        self.state, self.buffer, self.revision = state, EventBuffer(self._capacity, revision), revision
        self.epoch += 1
        self.ready.set()
        self.changed.notify()
        self.wakeups.all()

    async def _follow(self) -> None:
        events = self._underlying.watch(self.prefix, revision=self.revision, bookmarks=True)
        try:
            async for event in events:
                self._apply(event)
                self.changed.notify()
        finally:
            close = getattr(events, "aclose", None)
            if close is not None:
                await close()

    def _apply(self, event: WatchEvent) -> None:
        if event.type != "BOOKMARK":
            self._record(event)
            self.wakeups.changed(event.key)
        self.revision = max(self.revision, event.revision)

    def _record(self, event: WatchEvent) -> None:
        """Update the state; the event shares its bytes (a DELETED keeps the removed entry as its object)."""
        previous = self.state.get(event.key)
        if event.type == "DELETED":
            self.state.remove(event.key)
            last = previous if previous is not None else self.encoder.encode(event.object)
            self.buffer.append(CachedEvent(event.revision, event.key, event.type, last))
            return
        data = self.encoder.encode(event.object)
        self.state.put(event.key, data)
        self.buffer.append(CachedEvent(event.revision, event.key, event.type, data, previous))
