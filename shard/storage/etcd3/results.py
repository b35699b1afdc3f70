"""Typed results of etcd calls, and builders for transaction compares and operations.

Keys and values stay as etcd's protobuf KeyValue/Event messages (no copy); the wrappers only lift
out the fields callers need (the header revision above all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apimachinery._generated.etcd import kv_pb2, rpc_pb2

KeyValue = kv_pb2.KeyValue
Event = kv_pb2.Event
Compare = rpc_pb2.Compare
RequestOp = rpc_pb2.RequestOp
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


def mod_revision_is(key: bytes, revision: int) -> Compare:
    """Holds if `key` was last written at `revision` (0: the key does not exist)."""
    return Compare(result=Compare.EQUAL, target=Compare.MOD, key=key, mod_revision=revision)


def create_revision_is(key: bytes, revision: int) -> Compare:
    """Holds if `key` was created at `revision` (0: the key does not exist)."""
    return Compare(result=Compare.EQUAL, target=Compare.CREATE, key=key, create_revision=revision)


def mod_revision_below(key: bytes, revision: int, *, range_end: bytes = b"") -> Compare:
    """Holds if every key in [key, range_end) (or `key` alone) was last written before `revision`;
    holds for an empty range and a missing key."""
    return Compare(result=Compare.LESS, target=Compare.MOD, key=key, range_end=range_end, mod_revision=revision)


def put_op(key: bytes, value: bytes, *, lease: int = 0) -> RequestOp:
    return RequestOp(request_put=rpc_pb2.PutRequest(key=key, value=value, lease=lease))


def delete_op(key: bytes, *, range_end: bytes = b"") -> RequestOp:
    return RequestOp(request_delete_range=rpc_pb2.DeleteRangeRequest(key=key, range_end=range_end))


def get_op(key: bytes, *, range_end: bytes = b"", count_only: bool = False) -> RequestOp:
    return RequestOp(request_range=rpc_pb2.RangeRequest(key=key, range_end=range_end, count_only=count_only))
