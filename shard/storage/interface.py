"""The storage contract: what the registry may rely on, whatever implements it (etcd3, cacher).

Objects are plain JSON dicts. A store never interprets them beyond `metadata.resourceVersion` and
`metadata.uid`: on every object it returns, `metadata.resourceVersion` is the decimal etcd revision at
which that object was last written (for a deleted object: the revision of the delete). Objects are
stored without `metadata.resourceVersion`.

Keys are absolute strings such as `/registry/core/configmaps/root/default/c`. Prefixes end with `/`.

Revisions are etcd revisions: integers, strictly increasing per store, shared by all keys.

Errors are the ones in `shard.storage.errors`, nothing else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Object = dict[str, Any]
# inside classes that have a `list` method, `list[...]` in an annotation would name the method
Objects = list[Object]
Predicate = Callable[[Object], bool]
UpdateFunc = Callable[[Object], Awaitable[Object]]
ValidateFunc = Callable[[Object], Awaitable[None]]

EventType = Literal["ADDED", "MODIFIED", "DELETED", "BOOKMARK"]


@dataclass(frozen=True)
class Preconditions:
    """Checked against the current object inside the same transaction as the write."""

    uid: str | None = None
    resource_version: str | None = None


@dataclass(frozen=True)
class ListOptions:
    """How to read a prefix.

    revision: 0 = the latest revision, read linearizably (a quorum read); N > 0 = exactly at revision N
      (ExpiredError if N was compacted; TooLargeResourceVersionError if N is in the future).
    limit: 0 = everything; N > 0 = at most N items, with a continue token if more remain.
    continue_token: from a previous ListResult; the listing continues at the revision of the first page.
    predicate: only matching objects are returned and counted against `limit`.
    consistent: with revision 0, False allows any recent state (resourceVersion "0" semantics: a watch
      cache may answer from memory without first confirming it is current).
    """

    revision: int = 0
    limit: int = 0
    continue_token: str = ""
    predicate: Predicate | None = None
    consistent: bool = True


@dataclass(frozen=True)
class ListResult:
    """One page of a listing. `keys[i]` is the storage key of `items[i]` (a decorator such as the
    cacher needs them: an object alone does not say under which key it is stored)."""

    items: list[Object]
    revision: int
    continue_token: str = ""
    remaining_item_count: int | None = None
    keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class WatchEvent:
    """One change. For BOOKMARK, `object` is empty and only `revision` matters.

    For DELETED, `object` is the last state with resourceVersion = the delete revision. With a
    predicate, an object that stops matching is reported as DELETED (its new state), one that starts
    matching as ADDED. `key` is the object's storage key (empty for BOOKMARK).
    """

    type: EventType
    object: Object
    revision: int
    key: str = ""


class Storage(Protocol):
    """A versioned key-value store of JSON objects with Kubernetes semantics."""

    async def create(self, key: str, obj: Object) -> Object:
        """Store `obj` under `key` if absent (KeyExistsError otherwise).

        Returns the stored object with its resourceVersion."""
        ...

    async def get(self, key: str, *, revision: int = 0, consistent: bool = True) -> Object:
        """The object at `key` (latest, linearizable, or at `revision`); KeyNotFoundError if absent.
        `consistent=False` (revision 0 only) allows any recent state, as ListOptions.consistent."""
        ...

    async def list(self, prefix: str, options: ListOptions) -> ListResult:
        """Objects under `prefix` in key order, all from one snapshot (see ListOptions)."""
        ...

    async def guaranteed_update(
        self,
        key: str,
        update: UpdateFunc,
        *,
        preconditions: Preconditions | None = None,
        cached: Object | None = None,
    ) -> Object:
        """Read-modify-write with optimistic concurrency, retried until it applies.

        `cached`: a recent state of the key (a watch cache's), used instead of reading the key first; a
        stale one costs a failed guarded write and a retry with the real state, and any verdict (no
        change, an abort, a failed precondition) reached on it is checked again on the real state.

        `update` receives the current object (with resourceVersion) and returns the new one; it may
        raise to abort (the exception propagates unchanged). If the returned object equals the
        current one (ignoring resourceVersion), nothing is written and the current object is returned.
        Preconditions are checked against the current object; a uid mismatch raises UIDConflictError,
        a resourceVersion mismatch ResourceVersionConflictError. KeyNotFoundError if absent.
        """
        ...

    async def delete(
        self,
        key: str,
        *,
        preconditions: Preconditions | None = None,
        validate: ValidateFunc | None = None,
        cached: Object | None = None,
    ) -> Object:
        """Delete `key`; `validate` sees the current object and may raise to abort. Returns the last state
        with resourceVersion = the revision of the delete. `cached` as for guaranteed_update."""
        ...

    async def create_many(self, entries: Sequence[tuple[str, Object]]) -> Objects:
        """Store every (key, object) in one transaction, at one revision, all or none: if any key exists,
        nothing is written and KeyExistsError names the first such key. Returns the stored objects in order.

        Watchers see one event per key, all with that revision, delivered together."""
        ...

    async def delete_prefixes(self, prefixes: Sequence[str], *, unchanged_since: int | None) -> int | None:
        """Delete every key under every prefix in one transaction, at one revision, provided no key under
        them was written (created or updated) after revision `unchanged_since` (None: unconditionally).
        Returns the revision of the delete (the current revision if there was nothing to delete), or None
        if a key was written after `unchanged_since`: then nothing is deleted and the caller reads again.

        Watchers see a DELETED event per key (its last state), all with that revision."""
        ...

    async def count(self, prefix: str) -> int:
        """Number of keys under `prefix`."""
        ...

    async def current_revision(self) -> int:
        """The store's latest revision (linearizable)."""
        ...

    def watch(
        self,
        prefix: str,
        *,
        revision: int,
        predicate: Predicate | None = None,
        bookmarks: bool = False,
    ) -> AsyncIterator[WatchEvent]:
        """Every change under `prefix` after `revision`, exactly once, in revision order.

        The first event has a revision > `revision`. If `revision` was compacted, the iterator raises
        ExpiredError before yielding anything. With `bookmarks`, BOOKMARK events report progress
        (a revision up to which every matching change has been delivered) at least every 60 s while
        idle. The iterator ends only when the caller stops iterating (aclose) or on a storage error.
        """
        ...
