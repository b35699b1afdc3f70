"""Key ranges, the stored form of objects, preconditions and watch transitions."""

from __future__ import annotations

import pytest

from shard.storage.errors import ResourceVersionConflictError, UIDConflictError
from shard.storage.etcd3 import codec
from shard.storage.etcd3.keys import prefix_range_end
from shard.storage.interface import Object, Preconditions
from shard.storage.preconditions import check_preconditions
from shard.storage.transitions import delete_event_type, put_event_type


@pytest.mark.parametrize(
    ("prefix", "end"),
    [
        (b"/registry/", b"/registry0"),
        (b"a", b"b"),
        (b"a\xff", b"b"),
        (b"a\xff\xff", b"b"),
        (b"\xff", b"\x00"),
        (b"", b"\x00"),
    ],
)
def test_prefix_range_end(prefix: bytes, end: bytes) -> None:
    assert prefix_range_end(prefix) == end


def test_encode_drops_resource_version_without_touching_the_input() -> None:
    obj = {"metadata": {"name": "a", "resourceVersion": "9"}, "data": {"k": "v"}}
    assert codec.decode(codec.encode(obj), 12) == {
        "metadata": {"name": "a", "resourceVersion": "12"},
        "data": {"k": "v"},
    }
    assert b"resourceVersion" not in codec.encode(obj)
    assert obj["metadata"]["resourceVersion"] == "9"


def test_decode_adds_metadata_when_missing() -> None:
    assert codec.decode(b'{"kind":"X"}', 3) == {"kind": "X", "metadata": {"resourceVersion": "3"}}


def test_decode_refuses_a_non_object() -> None:
    with pytest.raises(ValueError):
        codec.decode(b"[1]", 3)


def test_decoded_if_changed_ignores_resource_version_and_key_order() -> None:
    stored = codec.encode({"a": 1, "metadata": {"name": "x"}})
    assert (
        codec.decoded_if_changed(codec.encode({"metadata": {"resourceVersion": "4", "name": "x"}, "a": 1}), stored)
        is None
    )
    assert codec.decoded_if_changed(codec.encode({"a": 1, "metadata": {"name": "x"}}), stored) is None
    changed = codec.decoded_if_changed(
        codec.encode({"metadata": {"name": "x", "resourceVersion": "4"}, "a": 2}), stored
    )
    assert changed == {"metadata": {"name": "x"}, "a": 2}


def test_preconditions() -> None:
    current: Object = {"metadata": {"uid": "u1", "resourceVersion": "5"}}
    check_preconditions("k", current, None)
    check_preconditions("k", current, Preconditions(uid="u1", resource_version="5"))
    with pytest.raises(UIDConflictError) as uid_error:
        check_preconditions("k", current, Preconditions(uid="u2"))
    assert (uid_error.value.expected, uid_error.value.actual) == ("u2", "u1")
    with pytest.raises(ResourceVersionConflictError):
        check_preconditions("k", current, Preconditions(resource_version="4"))


def selected(obj: Object) -> bool:
    return bool(obj.get("on"))


ON, OFF = {"on": True}, {"on": False}


@pytest.mark.parametrize(
    ("new", "prev", "predicate", "expected"),
    [
        (OFF, None, None, "ADDED"),
        (OFF, ON, None, "MODIFIED"),
        (ON, None, selected, "ADDED"),
        (OFF, None, selected, None),
        (ON, OFF, selected, "ADDED"),
        (ON, ON, selected, "MODIFIED"),
        (OFF, ON, selected, "DELETED"),
        (OFF, OFF, selected, None),
    ],
)
def test_put_event_type(new: Object, prev: Object | None, predicate: object, expected: str | None) -> None:
    assert put_event_type(new, prev, predicate) == expected  # type: ignore[arg-type]


def test_delete_event_type() -> None:
    assert delete_event_type(OFF, None) == "DELETED"
    assert delete_event_type(ON, selected) == "DELETED"
    assert delete_event_type(OFF, selected) is None


def test_decoded_if_changed_sees_a_change_of_json_type() -> None:
    # Python holds 1 == 1.0 == True; an update from one to another is a change all the same
    for before, after in ((1, True), (1, 1.0), (0, False), (True, 1.0)):
        stored = codec.encode({"metadata": {"name": "x"}, "a": before})
        written = codec.decoded_if_changed(codec.encode({"metadata": {"name": "x"}, "a": after}), stored)
        assert written is not None
        assert type(written["a"]) is type(after)
