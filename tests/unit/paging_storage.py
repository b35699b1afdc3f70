"""MemoryStorage with what a real list and watch do with options: predicate, limit, continue token."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

from shard.storage import paging
from shard.storage.interface import ListOptions, ListResult, WatchEvent
from tests.unit.memory_storage import MemoryStorage


class PagingStorage(MemoryStorage):
    """MemoryStorage with the predicate, limit and continue token of a real list."""

    async def list(self, prefix: str, options: ListOptions) -> ListResult:
        self.lists.append(prefix)
        start = paging.decode_continue(prefix, options.continue_token).start_key if options.continue_token else ""
        found = sorted(key for key in self.objects if key.startswith(prefix) and key >= start)
        matching = [key for key in found if options.predicate is None or options.predicate(self.objects[key])]
        page = matching[: options.limit] if options.limit else matching
        token = ""
        if len(page) < len(matching):
            token = paging.encode_continue(prefix, paging.ContinueToken(self.revision, paging.key_after(page[-1])))
        items = [copy.deepcopy(self.objects[key]) for key in page]
        return ListResult(items, self.revision, continue_token=token, keys=page)

    async def watch(
        self, prefix: str, *, revision: int, predicate: Any = None, bookmarks: bool = False
    ) -> AsyncIterator[WatchEvent]:
        async for event in super().watch(prefix, revision=revision, bookmarks=bookmarks):
            if predicate is None or predicate(event.object):
                yield event
