"""Consistent, paged lists of a key prefix from etcd.

Every page of a listing is read at the revision of the first page (etcd's MVCC snapshot), so
writes between pages never show up. Without a predicate a page is one range with `limit`, and the
range's total count gives remaining_item_count. With a predicate, ranges of growing size are read
until `limit` objects match or the prefix is exhausted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from shard.storage.etcd3 import codec
from shard.storage.etcd3.keys import prefix_range_end
from shard.storage.etcd3.results import KeyValue, RangeResult
from shard.storage.interface import ListOptions, ListResult, Object, Predicate
from shard.storage.paging import ContinueToken, decode_continue, encode_continue, key_after

RangeReader = Callable[[str, int, int], Awaitable[RangeResult]]
"""(start key, revision, limit) → the range [start, end of prefix) read at revision (0: latest)."""

MIN_FILTERED_BATCH = 128
MAX_FILTERED_BATCH = 8192


async def list_prefix(read: RangeReader, prefix: str, options: ListOptions) -> ListResult:
    """The page of `prefix` that `options` asks for."""
    start, revision = prefix, options.revision
    if options.continue_token:
        position = decode_continue(prefix, options.continue_token)
        start, revision = position.start_key, position.revision
    if options.predicate is None:
        return await _plain_page(read, prefix, start, revision, options.limit)
    return await _filtered_page(read, prefix, start, revision, options.limit, options.predicate)


def range_reader(read: Callable[..., Awaitable[RangeResult]], prefix: str) -> RangeReader:
    """Adapt a keyword range function (key, range_end=, revision=, limit=) to one prefix."""
    end = prefix_range_end(prefix.encode())

    async def reader(start: str, revision: int, limit: int) -> RangeResult:
        return await read(start.encode(), range_end=end, revision=revision, limit=limit)

    return reader


async def _plain_page(read: RangeReader, prefix: str, start: str, revision: int, limit: int) -> ListResult:
    result = await read(start, revision, limit)
    snapshot = revision or result.revision
    items, keys = _decode_all(result.kvs)
    if not (limit and result.more):
        return ListResult(items=items, revision=snapshot, keys=keys)
    return ListResult(
        items=items,
        revision=snapshot,
        continue_token=_token_after(prefix, snapshot, keys[-1]),
        remaining_item_count=result.count - len(result.kvs),
        keys=keys,
    )


async def _filtered_page(
    read: RangeReader, prefix: str, start: str, revision: int, limit: int, predicate: Predicate
) -> ListResult:
    items: list[Object] = []
    keys: list[str] = []
    batch = max(limit, MIN_FILTERED_BATCH) if limit else 0
    while True:
        result = await read(start, revision, batch)
        revision = revision or result.revision
        for index, kv in enumerate(result.kvs):
            obj = codec.decode(kv.value, kv.mod_revision)
            if not predicate(obj):
                continue
            items.append(obj)
            keys.append(kv.key.decode())
            if limit and len(items) == limit:
                more = result.more or index < len(result.kvs) - 1
                token = _token_after(prefix, revision, keys[-1]) if more else ""
                return ListResult(items=items, revision=revision, continue_token=token, keys=keys)
        if not result.more or not result.kvs:
            return ListResult(items=items, revision=revision, keys=keys)
        start = key_after(result.kvs[-1].key.decode())
        batch = min(batch * 2, MAX_FILTERED_BATCH)


def _decode_all(kvs: Sequence[KeyValue]) -> tuple[list[Object], list[str]]:
    items = [codec.decode(kv.value, kv.mod_revision) for kv in kvs]
    return items, [kv.key.decode() for kv in kvs]


def _token_after(prefix: str, revision: int, last_key: str) -> str:
    return encode_continue(prefix, ContinueToken(revision=revision, start_key=key_after(last_key)))
