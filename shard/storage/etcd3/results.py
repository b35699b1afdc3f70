"""Typed results of etcd calls, and builders for transaction compares and operations.

Keys and values stay as etcd's protobuf KeyValue/Event messages (no copy); the wrappers only lift
out the fields callers need (the header revision above all).

A compare or an operation is the mapping the protobuf constructor takes (`TxnRequest(compare=[...])`),
not a message: a message handed to a constructor is copied, value bytes included, so building
messages first cost three to four times as much (a create_many of 11 objects: 130 µs instead of 35;
a guarded update: 12 µs instead of 5).
Fields at their zero value are left out, which encodes the same; the compare's target revision is
always set, as it selects the compare's `target_union` case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from apimachinery._generated.etcd import kv_pb2, rpc_pb2

KeyValue = kv_pb2.KeyValue
Event = kv_pb2.Event
Compare = dict[str, Any]  # the fields of an etcdserverpb.Compare
RequestOp = dict[str, Any]  # the fields of an etcdserverpb.RequestOp
ResponseOp = rpc_pb2.ResponseOp

EVENT_PUT = kv_pb2.Event.PUT
EVENT_DELETE = kv_pb2.Event.DELETE


@dataclass(frozen=True, slots=True)
class RangeResult:
    """kvs in key order; `count` is the number of keys in the whole range (limit aside)."""

    kvs: Sequence[KeyValue]
    revision: int
    more: bool
    count: int


@dataclass(frozen=True, slots=True)
class PutResult:
    revision: int
    prev_kv: KeyValue | None


@dataclass(frozen=True, slots=True)
class DeleteResult:
    revision: int
    deleted: int
    prev_kvs: Sequence[KeyValue]


@dataclass(frozen=True, slots=True)
class TxnResult:
    """`responses` answer the success ops if `succeeded`, else the failure ops."""

    succeeded: bool
    revision: int
    responses: Sequence[ResponseOp]


@dataclass(frozen=True, slots=True)
class WatchBatch:
    """One revision step of a watch: events (all with mod_revision <= revision), or progress if empty.

    A progress batch means every event of the watched range up to `revision` has been delivered.
    """

    events: Sequence[Event]
    revision: int

    @property
    def is_progress(self) -> bool:
        return not self.events


@dataclass(frozen=True, slots=True)
class Status:
    version: str
    revision: int
    db_size: int
    leader: int
    member_id: int
    raft_index: int
    raft_term: int


@dataclass(frozen=True, slots=True)
class Lease:
    id: int
    ttl: int


_EQUAL, _LESS = rpc_pb2.Compare.EQUAL, rpc_pb2.Compare.LESS
_MOD, _CREATE = rpc_pb2.Compare.MOD, rpc_pb2.Compare.CREATE


def mod_revision_is(key: bytes, revision: int) -> Compare:
    """Holds if `key` was last written at `revision` (0: the key does not exist)."""
    return {"result": _EQUAL, "target": _MOD, "key": key, "mod_revision": revision}


def create_revision_is(key: bytes, revision: int) -> Compare:
    """Holds if `key` was created at `revision` (0: the key does not exist)."""
    return {"result": _EQUAL, "target": _CREATE, "key": key, "create_revision": revision}


def mod_revision_below(key: bytes, revision: int, *, range_end: bytes = b"") -> Compare:
    """Holds if every key in [key, range_end) (or `key` alone) was last written before `revision`;
    holds for an empty range and a missing key."""
    compare: Compare = {"result": _LESS, "target": _MOD, "key": key, "mod_revision": revision}
    if range_end:
        compare["range_end"] = range_end
    return compare


def put_op(key: bytes, value: bytes, *, lease: int = 0) -> RequestOp:
    put: dict[str, Any] = {"key": key, "value": value}
    if lease:
        put["lease"] = lease
    return {"request_put": put}


def delete_op(key: bytes, *, range_end: bytes = b"") -> RequestOp:
    return {"request_delete_range": {"key": key, "range_end": range_end} if range_end else {"key": key}}


def get_op(key: bytes, *, range_end: bytes = b"", count_only: bool = False) -> RequestOp:
    get: dict[str, Any] = {"key": key}
    if range_end:
        get["range_end"] = range_end
    if count_only:
        get["count_only"] = True
    return {"request_range": get}
