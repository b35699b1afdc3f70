"""Transaction compares and operations are built as mappings: on the wire they are the messages etcd's
clients send, field for field (a compare's target revision always set, as it selects the compare's case)."""

from __future__ import annotations

from typing import Any

from apimachinery._generated.etcd import rpc_pb2
from shard.storage.etcd3.results import (
    create_revision_is,
    delete_op,
    get_op,
    mod_revision_below,
    mod_revision_is,
    put_op,
)

C = rpc_pb2.Compare
KEY, END = b"/registry/a", b"/registry/b"


def _compare_bytes(compare: Any) -> bytes:
    return rpc_pb2.TxnRequest(compare=[compare]).SerializeToString()


def _op_bytes(op: Any) -> bytes:
    return rpc_pb2.TxnRequest(success=[op], failure=[op]).SerializeToString()


def test_compares_are_the_full_messages() -> None:
    assert _compare_bytes(mod_revision_is(KEY, 0)) == _compare_bytes(
        C(result=C.EQUAL, target=C.MOD, key=KEY, mod_revision=0)
    )
    assert _compare_bytes(create_revision_is(KEY, 0)) == _compare_bytes(
        C(result=C.EQUAL, target=C.CREATE, key=KEY, create_revision=0)
    )
    assert _compare_bytes(create_revision_is(KEY, 0)) != _compare_bytes(C(result=C.EQUAL, target=C.CREATE, key=KEY)), (
        "a zero revision is still sent: it selects the target"
    )
    assert _compare_bytes(mod_revision_below(KEY, 7, range_end=END)) == _compare_bytes(
        C(result=C.LESS, target=C.MOD, key=KEY, range_end=END, mod_revision=7)
    )
    assert _compare_bytes(mod_revision_below(KEY, 7)) == _compare_bytes(
        C(result=C.LESS, target=C.MOD, key=KEY, mod_revision=7)
    )


def test_operations_are_the_full_messages() -> None:
    op = rpc_pb2.RequestOp
    assert _op_bytes(put_op(KEY, b"v")) == _op_bytes(op(request_put=rpc_pb2.PutRequest(key=KEY, value=b"v")))
    assert _op_bytes(put_op(KEY, b"", lease=5)) == _op_bytes(op(request_put=rpc_pb2.PutRequest(key=KEY, lease=5)))
    assert _op_bytes(delete_op(KEY, range_end=END)) == _op_bytes(
        op(request_delete_range=rpc_pb2.DeleteRangeRequest(key=KEY, range_end=END))
    )
    assert _op_bytes(delete_op(KEY)) == _op_bytes(op(request_delete_range=rpc_pb2.DeleteRangeRequest(key=KEY)))
    assert _op_bytes(get_op(KEY, range_end=END, count_only=True)) == _op_bytes(
        op(request_range=rpc_pb2.RangeRequest(key=KEY, range_end=END, count_only=True))
    )
    assert _op_bytes(get_op(KEY)) == _op_bytes(op(request_range=rpc_pb2.RangeRequest(key=KEY)))
