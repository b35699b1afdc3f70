"""Etcd3Storage: the Storage contract (shard/storage/interface.py) on etcd.

Objects are stored as orjson bytes without metadata.resourceVersion; on read, resourceVersion is
the key's mod_revision. Every write is one transaction guarded by the key's create or mod
revision, so concurrent writers never overwrite each other; guaranteed_update and delete retry
on conflict with the state the failed transaction returned.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from shard.storage.errors import ExpiredError, KeyExistsError, KeyNotFoundError, TooLargeResourceVersionError
from shard.storage.etcd3 import codec
from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.keys import prefix_range_end
from shard.storage.etcd3.listing import list_prefix, range_reader
from shard.storage.etcd3.results import (
    KeyValue,
    RangeResult,
    TxnResult,
    create_revision_is,
    delete_op,
    get_op,
    mod_revision_below,
    mod_revision_is,
    put_op,
)
from shard.storage.etcd3.rpc_errors import FutureRevisionError, RevisionCompactedError
from shard.storage.etcd3.store_watch import watch_prefix
from shard.storage.interface import (
    ListOptions,
    ListResult,
    Object,
    Objects,
    Preconditions,
    Predicate,
    UpdateFunc,
    ValidateFunc,
    WatchEvent,
)
from shard.storage.preconditions import check_preconditions

PROBE_KEY = b"\x00kplane/compaction-probe"
# etcd's default --max-txn-ops: a transaction may hold at most this many compares, and as many operations
MAX_TXN_OPS = 128


class Etcd3Storage:
    """The Storage Protocol on one etcd client. `future_revision_wait`: seconds to wait for a revision
    that etcd has not reached yet before TooLargeResourceVersionError."""

    def __init__(self, *, etcd_client: EtcdClient, future_revision_wait: float = 3.0) -> None:
        self._etcd = etcd_client
        self._future_revision_wait = future_revision_wait

    async def create(self, key: str, obj: Object) -> Object:
        raw_key, data = key.encode(), codec.encode(obj)
        result = await self._etcd.txn([create_revision_is(raw_key, 0)], [put_op(raw_key, data)])
        if not result.succeeded:
            raise KeyExistsError(key)
        return codec.decode(data, result.revision)

    async def get(self, key: str, *, revision: int = 0, consistent: bool = True) -> Object:
        kv = await self._get_kv(key, revision)
        return codec.decode(kv.value, kv.mod_revision)

    async def list(self, prefix: str, options: ListOptions) -> ListResult:
        return await list_prefix(range_reader(self._read_range, prefix), prefix, options)

    async def guaranteed_update(
        self,
        key: str,
        update: UpdateFunc,
        *,
        preconditions: Preconditions | None = None,
        cached: Object | None = None,
    ) -> Object:
        raw_key = key.encode()
        state = _State.of_cached(cached) if cached is not None else _State.of(await self._get_kv(key))
        while True:
            current = codec.decode(state.value, state.revision)
            try:
                check_preconditions(key, current, preconditions)
                updated = await update(current)
            except Exception as verdict:
                state = await self._judge_again(key, state, verdict)
                continue
            data = codec.encode(updated)
            written = codec.decoded_if_changed(data, state.value)
            if written is None:
                if not state.current:  # "no change" against a cached state proves nothing
                    state = _State.of(await self._get_kv(key))
                    continue
                return codec.decode(state.value, state.revision)
            result = await self._etcd.txn(
                [mod_revision_is(raw_key, state.revision)], [put_op(raw_key, data)], [get_op(raw_key)]
            )
            if result.succeeded:
                return codec.with_resource_version(written, result.revision)
            state = _State.of(_current_from_failure(key, result))

    async def delete(
        self,
        key: str,
        *,
        preconditions: Preconditions | None = None,
        validate: ValidateFunc | None = None,
        cached: Object | None = None,
    ) -> Object:
        raw_key = key.encode()
        state = _State.of_cached(cached) if cached is not None else _State.of(await self._get_kv(key))
        while True:
            current = codec.decode(state.value, state.revision)
            try:
                check_preconditions(key, current, preconditions)
                if validate is not None:
                    await validate(current)
            except Exception as verdict:
                state = await self._judge_again(key, state, verdict)
                continue
            result = await self._etcd.txn(
                [mod_revision_is(raw_key, state.revision)], [delete_op(raw_key)], [get_op(raw_key)]
            )
            if result.succeeded:
                return codec.decode(state.value, result.revision)
            state = _State.of(_current_from_failure(key, result))

    async def create_many(self, entries: Sequence[tuple[str, Object]]) -> Objects:
        if len(entries) > MAX_TXN_OPS:
            raise ValueError(f"create_many takes at most {MAX_TXN_OPS} objects, got {len(entries)}")
        encoded = [(key.encode(), codec.encode(obj)) for key, obj in entries]
        result = await self._etcd.txn(
            [create_revision_is(raw_key, 0) for raw_key, _ in encoded],
            [put_op(raw_key, data) for raw_key, data in encoded],
            [get_op(raw_key, count_only=True) for raw_key, _ in encoded],
        )
        if not result.succeeded:
            answers = zip(entries, result.responses, strict=True)
            taken = [key for (key, _), answer in answers if answer.response_range.count]
            raise KeyExistsError(taken[0] if taken else entries[0][0])
        return [codec.decode(data, result.revision) for _, data in encoded]

    async def delete_prefixes(self, prefixes: Sequence[str], *, unchanged_since: int | None) -> int | None:
        revision = None
        # more prefixes than one transaction may hold go chunk by chunk: each chunk is all or nothing
        for start in range(0, len(prefixes), MAX_TXN_OPS):
            raw = [prefix.encode() for prefix in prefixes[start : start + MAX_TXN_OPS]]
            ends = [prefix_range_end(key) for key in raw]
            guards = (
                []
                if unchanged_since is None
                else [
                    mod_revision_below(key, unchanged_since + 1, range_end=end)
                    for key, end in zip(raw, ends, strict=True)
                ]
            )
            result = await self._etcd.txn(
                guards, [delete_op(key, range_end=end) for key, end in zip(raw, ends, strict=True)]
            )
            if not result.succeeded:
                return None
            revision = result.revision
        return revision if revision is not None else await self.current_revision()

    async def count(self, prefix: str) -> int:
        raw = prefix.encode()
        return (await self._etcd.range(raw, range_end=prefix_range_end(raw), count_only=True)).count

    async def current_revision(self) -> int:
        return (await self._etcd.range(PROBE_KEY, count_only=True)).revision

    def watch(
        self, prefix: str, *, revision: int, predicate: Predicate | None = None, bookmarks: bool = False
    ) -> AsyncIterator[WatchEvent]:
        return watch_prefix(
            self._etcd,
            prefix,
            revision=revision,
            predicate=predicate,
            bookmarks=bookmarks,
            compact_revision=self.compact_revision,
        )

    async def compact_revision(self) -> int:
        """etcd's compaction point (0 if unknown): a watch from revision 1 is refused with it."""
        probe = await self._etcd.watch(PROBE_KEY, start_revision=1)
        try:
            async with asyncio.timeout(1.0):
                async for _ in probe:
                    pass
        except RevisionCompactedError as err:
            return err.compact_revision
        except TimeoutError:
            return 0
        finally:
            await probe.cancel()
        return 0

    async def _judge_again(self, key: str, judged: _State, verdict: Exception) -> _State:
        """A verdict (a failed precondition, an abort) reached on `judged` stands if that was etcd's current
        state; reached on a cached state, it may come from staleness: etcd's state, to judge again."""
        if judged.current:
            raise verdict
        real = _State.of(await self._get_kv(key))
        if real.revision == judged.revision:
            raise verdict
        return real

    async def _get_kv(self, key: str, revision: int = 0) -> KeyValue:
        result = await self._read_range(key.encode(), revision=revision)
        if not result.kvs:
            raise KeyNotFoundError(key)
        return result.kvs[0]

    async def _read_range(
        self, raw_key: bytes, *, range_end: bytes = b"", revision: int = 0, limit: int = 0
    ) -> RangeResult:
        """A range read with revision errors translated; a future revision is waited for once."""
        try:
            return await self._range_once(raw_key, range_end, revision, limit)
        except FutureRevisionError:
            current = await self._wait_for_revision(raw_key.decode(), revision)
        try:
            return await self._range_once(raw_key, range_end, revision, limit)
        except FutureRevisionError as err:
            raise TooLargeResourceVersionError(raw_key.decode(), revision, current) from err

    async def _range_once(self, raw_key: bytes, range_end: bytes, revision: int, limit: int) -> RangeResult:
        try:
            return await self._etcd.range(raw_key, range_end=range_end, revision=revision, limit=limit)
        except RevisionCompactedError as err:
            raise ExpiredError(raw_key.decode(), revision, await self.compact_revision()) from err

    async def _wait_for_revision(self, key: str, revision: int) -> int:
        """Poll until etcd reaches `revision` (returns the current one) or the wait budget ends."""
        deadline = time.monotonic() + self._future_revision_wait
        while True:
            current = await self.current_revision()
            if current >= revision:
                return current
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TooLargeResourceVersionError(key, revision, current)
            await asyncio.sleep(min(0.05, remaining))


@dataclass(frozen=True, slots=True)
class _State:
    """What a guarded write starts from: the stored value and its mod revision; `current` False when it
    came from a cache (possibly stale: a verdict against it is checked again against etcd)."""

    value: bytes
    revision: int
    current: bool

    @staticmethod
    def of(kv: KeyValue) -> _State:
        return _State(kv.value, kv.mod_revision, True)

    @staticmethod
    def of_cached(obj: Object) -> _State:
        return _State(codec.encode(obj), int(obj["metadata"]["resourceVersion"]), False)


def _current_from_failure(key: str, result: TxnResult) -> KeyValue:
    """The key's state returned by a failed guarded transaction (its failure op is a get)."""
    if not result.responses or not result.responses[0].response_range.kvs:
        raise KeyNotFoundError(key)
    current: KeyValue = result.responses[0].response_range.kvs[0]
    return current
