"""The cacher's current state of its prefix: objects by key, and the keys in etcd order for listing.

Keys are kept sorted by code point, which is the byte order of their UTF-8 encoding (etcd's order), in a
SortedList: inserting or removing a key in a plain sorted list moves the whole list (25 µs per key at
130,000 keys, 10,000 empty workspaces; ten times that at 100,000), a SortedList takes about 4 µs.
Each entry is only the encoded object (see encoding.py): it is decoded afresh for every reader (so
callers may mutate what they get) and for every predicate that has to look at it. No decoded copy is
kept: a decoded object costs about 4× its JSON in memory, and the cache holds every object of the shard.
"""

from __future__ import annotations

from dataclasses import dataclass

from sortedcontainers import SortedList

from shard.storage.cacher.encoding import Encoded, decode
from shard.storage.interface import Object, Predicate


@dataclass(frozen=True)
class Page:
    """A run of objects in key order; `remaining` counts the keys of the prefix after the page."""

    items: list[Object]
    keys: list[str]
    more: bool
    remaining: int


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string above every string that starts with `prefix` ("" → no bound)."""
    while prefix and prefix[-1] == chr(0x10FFFF):
        prefix = prefix[:-1]
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else ""


class CacheState:
    def __init__(self) -> None:
        self._items: dict[str, Encoded] = {}
        self._keys = SortedList()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: str) -> Encoded | None:
        """The encoded object at `key` (shared: decode it, never hand it out as is)."""
        return self._items.get(key)

    def put(self, key: str, data: Encoded) -> None:
        if key not in self._items:
            self._keys.add(key)
        self._items[key] = data

    def remove(self, key: str) -> None:
        if self._items.pop(key, None) is not None:
            self._keys.remove(key)

    def page(self, prefix: str, start: str, limit: int, predicate: Predicate | None) -> Page:
        """Objects with keys in [start, end of prefix), at most `limit` (0: all) matching `predicate`.

        Every object is decoded once: the predicate sees the copy that is handed out if it matches.
        """
        index, end = self._bounds(prefix, start)
        items: list[Object] = []
        keys: list[str] = []
        for key in self._keys.islice(index, end):
            if limit and len(items) == limit:
                break
            index += 1
            obj = decode(self._items[key])
            if predicate is None or predicate(obj):
                items.append(obj)
                keys.append(key)
        return Page(items=items, keys=keys, more=index < end, remaining=end - index)

    def _bounds(self, prefix: str, start: str) -> tuple[int, int]:
        upper = prefix_upper_bound(prefix)
        end: int = self._keys.bisect_left(upper) if upper else len(self._keys)
        first: int = self._keys.bisect_left(max(start, prefix))
        return first, end
