"""What an initializer sees and may change through its virtual workspace, as kcp decides it:

- it sees a LogicalCluster only while its phase is `Initializing` and its `status.initializers` contain
  the initializer (anything else is not found; a watch reports DELETED when it stops matching);
- a status write must leave `status.initializers` alone or remove exactly this initializer, else
  422 Invalid (`only removing the "<initializer>" initializer is supported`). Stricter than kcp, whose
  check compares lengths only and so lets a same-length replacement through.

`FilteredStorage` applies both to a Storage, so the generic Store and endpoints serve the view. Over a
`shard.registry.wildcard.WildcardStorage`, its prefixes may name the wildcard cluster `*` (every logical
cluster of the shard).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from apimachinery import errors
from shard.storage import errors as storage_errors
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

INITIALIZING = "Initializing"


def initializers_of(obj: Object) -> list[str]:
    return list((obj.get("status") or {}).get("initializers") or [])


def initializing_with(initializer: str) -> Predicate:
    def matches(obj: Object) -> bool:
        status = obj.get("status") or {}
        return status.get("phase") == INITIALIZING and initializer in initializers_of(obj)

    return matches


def check_initializers_change(old: Object, new: Object, initializer: str) -> None:
    """Raise 422 unless `new` keeps old's initializers or drops exactly `initializer` from them."""
    previous, current = initializers_of(old), initializers_of(new)
    if current in (previous, [value for value in previous if value != initializer]):
        return
    name = (new.get("metadata") or {}).get("name", "")
    values = ", ".join(f'"{value}"' for value in current)
    message = f'Invalid value: []string{{{values}}}: only removing the "{initializer}" initializer is supported'
    cause = errors.Cause("FieldValueInvalid", message, "status.initializers")
    raise errors.invalid("LogicalCluster", name, [cause], group="tenancy.kcp.io")


def _both(first: Predicate, second: Predicate | None) -> Predicate:
    if second is None:
        return first
    return lambda obj: first(obj) and second(obj)


@dataclass
class FilteredStorage:
    """A Storage view that holds only LogicalClusters an initializer may see and guards status writes."""

    storage: Storage
    initializer: str

    def _visible(self, obj: Object) -> bool:
        return initializing_with(self.initializer)(obj)

    async def create(self, key: str, obj: Object) -> Object:
        raise storage_errors.KeyExistsError(key)  # the view never creates

    async def get(self, key: str, *, revision: int = 0, consistent: bool = True) -> Object:
        obj = await self.storage.get(key, revision=revision, consistent=consistent)
        if not self._visible(obj):
            raise storage_errors.KeyNotFoundError(key)
        return obj

    async def list(self, prefix: str, options: ListOptions) -> ListResult:
        narrowed = dataclasses.replace(options, predicate=_both(self._visible, options.predicate))
        return await self.storage.list(prefix, narrowed)

    async def guaranteed_update(
        self,
        key: str,
        update: UpdateFunc,
        *,
        preconditions: Preconditions | None = None,
        cached: Object | None = None,
    ) -> Object:
        async def guarded(current: Object) -> Object:
            if not self._visible(current):
                raise storage_errors.KeyNotFoundError(key)
            new = await update(current)
            check_initializers_change(current, new, self.initializer)
            return new

        return await self.storage.guaranteed_update(key, guarded, preconditions=preconditions, cached=cached)

    async def delete(
        self,
        key: str,
        *,
        preconditions: Preconditions | None = None,
        validate: ValidateFunc | None = None,
        cached: Object | None = None,
    ) -> Object:
        raise storage_errors.KeyNotFoundError(key)  # the view never deletes

    async def create_many(self, entries: Sequence[tuple[str, Object]]) -> Objects:
        raise storage_errors.KeyExistsError(entries[0][0] if entries else "")  # the view never creates

    async def delete_prefixes(self, prefixes: Sequence[str], *, unchanged_since: int | None) -> int | None:
        raise storage_errors.KeyNotFoundError(prefixes[0] if prefixes else "")  # the view never deletes

    async def count(self, prefix: str) -> int:
        return len((await self.list(prefix, ListOptions())).items)

    async def current_revision(self) -> int:
        return await self.storage.current_revision()

    def watch(
        self, prefix: str, *, revision: int, predicate: Predicate | None = None, bookmarks: bool = False
    ) -> AsyncIterator[WatchEvent]:
        return self.storage.watch(
            prefix, revision=revision, predicate=_both(self._visible, predicate), bookmarks=bookmarks
        )
