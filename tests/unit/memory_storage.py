"""A small in-memory Storage for unit tests of code above storage: one dict, one revision counter, and
watchers fed from the writes. Enough of the contract for registry stores and followers; no paging."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from shard.storage import errors
from shard.storage.interface import ListOptions, ListResult, Object, WatchEvent


@dataclass
class MemoryStorage:
    objects: dict[str, Object] = field(default_factory=dict)
    revision: int = 1
    watchers: list[tuple[str, asyncio.Queue[WatchEvent | None]]] = field(default_factory=list)
    lists: list[str] = field(default_factory=list)  # every prefix listed, in order

    def _stamp(self, obj: Object) -> Object:
        self.revision += 1
        stored = copy.deepcopy(obj)
        stored.setdefault("metadata", {})["resourceVersion"] = str(self.revision)
        return stored

    def _notify(self, kind: str, key: str, obj: Object) -> None:
        for prefix, queue in self.watchers:
            if key.startswith(prefix):
                queue.put_nowait(WatchEvent(kind, copy.deepcopy(obj), self.revision, key))  # type: ignore[arg-type]

    def fail_watches(self) -> None:
        """End every open watch with a storage error (as a lost etcd connection does)."""
        for _, queue in self.watchers:
            queue.put_nowait(None)

    async def create(self, key: str, obj: Object) -> Object:
        if key in self.objects:
            raise errors.KeyExistsError(key)
        self.objects[key] = self._stamp(obj)
        self._notify("ADDED", key, self.objects[key])
        return copy.deepcopy(self.objects[key])

    async def get(self, key: str, *, revision: int = 0, consistent: bool = True) -> Object:
        if key not in self.objects:
            raise errors.KeyNotFoundError(key)
        return copy.deepcopy(self.objects[key])

    async def list(self, prefix: str, options: ListOptions) -> ListResult:
        self.lists.append(prefix)
        keys = sorted(key for key in self.objects if key.startswith(prefix))
        return ListResult([copy.deepcopy(self.objects[key]) for key in keys], self.revision, keys=keys)

    async def guaranteed_update(
        self, key: str, update: Any, *, preconditions: Any = None, cached: Any = None
    ) -> Object:
        current = await self.get(key)
        new = await update(copy.deepcopy(current))
        self.objects[key] = self._stamp(new)
        self._notify("MODIFIED", key, self.objects[key])
        return copy.deepcopy(self.objects[key])

    async def delete(self, key: str, *, preconditions: Any = None, validate: Any = None, cached: Any = None) -> Object:
        current = await self.get(key)
        if validate is not None:
            await validate(copy.deepcopy(current))
        del self.objects[key]
        self.revision += 1
        current["metadata"]["resourceVersion"] = str(self.revision)
        self._notify("DELETED", key, current)
        return current

    async def create_many(self, entries: Any) -> Any:
        taken = [key for key, _ in entries if key in self.objects]
        if taken:
            raise errors.KeyExistsError(taken[0])
        self.revision += 1
        created = []
        for key, obj in entries:
            stored = copy.deepcopy(obj)
            stored.setdefault("metadata", {})["resourceVersion"] = str(self.revision)
            self.objects[key] = stored
            self._notify("ADDED", key, stored)
            created.append(copy.deepcopy(stored))
        return created

    async def delete_prefixes(self, prefixes: Any, *, unchanged_since: int | None) -> int | None:
        doomed = [key for key in self.objects if any(key.startswith(prefix) for prefix in prefixes)]
        changed = [int(self.objects[key]["metadata"]["resourceVersion"]) for key in doomed]
        if unchanged_since is not None and any(revision > unchanged_since for revision in changed):
            return None
        if doomed:
            self.revision += 1
        for key in doomed:
            last = self.objects.pop(key)
            last["metadata"]["resourceVersion"] = str(self.revision)
            self._notify("DELETED", key, last)
        return self.revision

    async def count(self, prefix: str) -> int:
        return sum(1 for key in self.objects if key.startswith(prefix))

    async def current_revision(self) -> int:
        return self.revision

    async def watch(
        self, prefix: str, *, revision: int, predicate: Any = None, bookmarks: bool = False
    ) -> AsyncIterator[WatchEvent]:
        queue: asyncio.Queue[WatchEvent | None] = asyncio.Queue()
        entry = (prefix, queue)
        self.watchers.append(entry)
        try:
            while (event := await queue.get()) is not None:
                yield event
            raise errors.UnavailableError(prefix, "watch lost")
        finally:
            self.watchers.remove(entry)
