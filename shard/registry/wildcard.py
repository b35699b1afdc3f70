"""Reading a collection across every logical cluster of the shard: kcp's wildcard cluster `*`.

A collection prefix built for the cluster `*` (`keys.collection_prefix(resource, "*", namespace)`) names
no stored key. `WildcardStorage`, a Storage view, reads it as "this collection in every logical cluster":

- `/registry/<g>/<r>/[customresources/]*/` → `/registry/<g>/<r>/[customresources/]`, which holds the
  collection of every cluster (the cluster is the next key segment);
- `/registry/<g>/<r>/*/<ns>/` → the same prefix narrowed to objects of namespace `<ns>`: cluster and
  namespace both vary in the keys, so no single prefix holds exactly those.

Keys and prefixes that do not name the wildcard pass through unchanged, so one view serves named clusters
as well (the initializing virtual workspace relies on that). Writes to the wildcard cluster are refused.

Continue tokens are tied to the prefix they were issued for (storage/paging.py): the view re-issues the
underlying store's tokens for the wildcard prefix and back, so the pages of a listing, and the fresh token
upstream hands out for an expired one, stay valid. Every object the view returns carries the
`kcp.io/cluster` annotation; stored objects get it on create, and the view takes it from the key where it
is missing, because consumers of wildcard reads (the front-proxy's index) tell clusters apart by it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from apimachinery.apis.customresource import CUSTOM_RESOURCES_INFIX
from shard.registry.metadata import CLUSTER_ANNOTATION
from shard.storage import errors as storage_errors
from shard.storage import paging
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

WILDCARD = "*"
_CUSTOM_SEGMENT = CUSTOM_RESOURCES_INFIX.rstrip("/")


@dataclass(frozen=True)
class Span:
    """What a wildcard prefix covers: every key under `prefix`; only objects of `namespace` if set."""

    prefix: str
    namespace: str = ""


def _cluster_index(parts: list[str]) -> int | None:
    """Where the cluster segment sits in a split `/registry/...` key or prefix; None if it is no such key."""
    if len(parts) < 5 or parts[0] or parts[1] != "registry":
        return None
    at = 5 if parts[4] == _CUSTOM_SEGMENT else 4
    return at if len(parts) > at else None


def span_of(prefix: str) -> Span | None:
    """The Span of a collection prefix of the wildcard cluster; None for any other prefix."""
    parts = prefix.split("/")
    at = _cluster_index(parts)
    if at is None or parts[at] != WILDCARD or parts[-1]:
        return None
    rest = parts[at + 1 : -1]
    if len(rest) > 1:
        return None
    return Span("/".join(parts[:at]) + "/", rest[0] if rest else "")


def names_wildcard(key: str) -> bool:
    """Whether a key or prefix lies in the wildcard cluster (where nothing is ever stored)."""
    parts = key.split("/")
    at = _cluster_index(parts)
    return at is not None and parts[at] == WILDCARD and len(parts) > at + 1


def cluster_in_key(span: Span, key: str) -> str:
    """The logical cluster of a key listed under `span`."""
    return key[len(span.prefix) :].split("/", 1)[0]


def annotate(obj: Object, cluster: str) -> Object:
    """Give `obj` the `kcp.io/cluster` annotation if it lacks one (the stored value wins)."""
    metadata = obj.setdefault("metadata", {})
    annotations = metadata.get("annotations") or {}
    if not annotations.get(CLUSTER_ANNOTATION) and cluster:
        metadata["annotations"] = {**annotations, CLUSTER_ANNOTATION: cluster}
    return obj


def narrowed(span: Span, predicate: Predicate | None) -> Predicate | None:
    """`predicate`, restricted to the span's namespace when it has one."""
    if not span.namespace:
        return predicate
    namespace = span.namespace

    def matches(obj: Object) -> bool:
        in_namespace = (obj.get("metadata") or {}).get("namespace") == namespace
        return in_namespace and (predicate is None or predicate(obj))

    return matches


def reissue(token: str, source_prefix: str, target_prefix: str) -> str:
    """A continue token of a listing of `source_prefix` as one of `target_prefix`, at the same position.

    Both prefixes list the same keys here, so the position relative to the prefix is kept as is; a token
    for "the latest revision" (decoded as 0) stays one."""
    position = paging.decode_continue(source_prefix, token)
    start = target_prefix + position.start_key[len(source_prefix) :]
    revision = position.revision or paging.LATEST
    return paging.encode_continue(target_prefix, paging.ContinueToken(revision, start))


async def _annotating(events: AsyncIterator[WatchEvent], span: Span) -> AsyncIterator[WatchEvent]:
    async for event in events:
        if event.type != "BOOKMARK" and event.key:
            annotate(event.object, cluster_in_key(span, event.key))
        yield event


@dataclass
class WildcardStorage:
    """A Storage view in which the logical cluster `*` stands for every logical cluster of the shard."""

    storage: Storage

    async def create(self, key: str, obj: Object) -> Object:
        _refuse_wildcard(key)
        return await self.storage.create(key, obj)

    async def get(self, key: str, *, revision: int = 0, consistent: bool = True) -> Object:
        _refuse_wildcard(key)
        return await self.storage.get(key, revision=revision, consistent=consistent)

    async def list(self, prefix: str, options: ListOptions) -> ListResult:
        span = span_of(prefix)
        if span is None:
            return await self.storage.list(prefix, options)
        token = reissue(options.continue_token, prefix, span.prefix) if options.continue_token else ""
        inner = dataclasses.replace(options, continue_token=token, predicate=narrowed(span, options.predicate))
        result = await self.storage.list(span.prefix, inner)
        for item, key in zip(result.items, result.keys, strict=False):
            annotate(item, cluster_in_key(span, key))
        following = reissue(result.continue_token, span.prefix, prefix) if result.continue_token else ""
        return dataclasses.replace(result, continue_token=following)

    async def guaranteed_update(
        self,
        key: str,
        update: UpdateFunc,
        *,
        preconditions: Preconditions | None = None,
        cached: Object | None = None,
    ) -> Object:
        _refuse_wildcard(key)
        return await self.storage.guaranteed_update(key, update, preconditions=preconditions, cached=cached)

    async def delete(
        self,
        key: str,
        *,
        preconditions: Preconditions | None = None,
        validate: ValidateFunc | None = None,
        cached: Object | None = None,
    ) -> Object:
        _refuse_wildcard(key)
        return await self.storage.delete(key, preconditions=preconditions, validate=validate, cached=cached)

    async def create_many(self, entries: Sequence[tuple[str, Object]]) -> Objects:
        for key, _ in entries:
            _refuse_wildcard(key)
        return await self.storage.create_many(entries)

    async def delete_prefixes(self, prefixes: Sequence[str], *, unchanged_since: int | None) -> int | None:
        for prefix in prefixes:
            _refuse_wildcard(prefix)
        return await self.storage.delete_prefixes(prefixes, unchanged_since=unchanged_since)

    async def count(self, prefix: str) -> int:
        span = span_of(prefix)
        if span is None:
            return await self.storage.count(prefix)
        if not span.namespace:
            return await self.storage.count(span.prefix)
        return len((await self.list(prefix, ListOptions(consistent=False))).items)

    async def current_revision(self) -> int:
        return await self.storage.current_revision()

    def watch(
        self, prefix: str, *, revision: int, predicate: Predicate | None = None, bookmarks: bool = False
    ) -> AsyncIterator[WatchEvent]:
        span = span_of(prefix)
        if span is None:
            return self.storage.watch(prefix, revision=revision, predicate=predicate, bookmarks=bookmarks)
        events = self.storage.watch(
            span.prefix, revision=revision, predicate=narrowed(span, predicate), bookmarks=bookmarks
        )
        return _annotating(events, span)


def _refuse_wildcard(key: str) -> None:
    if names_wildcard(key):
        raise storage_errors.KeyNotFoundError(key, "nothing is stored in the wildcard logical cluster")
