"""The JSON form of decoded objects: Go's omitempty rules, timestamps, bytes, maps and odd strings."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.serializers.protobuf import decode_object, encode_object
from tests.unit.test_protobuf_kinds import T1, envelope, meta, msg, num, time, txt


def configmap(*raw: bytes) -> dict[str, Any]:
    return decode_object(envelope("v1", "ConfigMap", *raw))


def test_present_zero_values_are_omitted_like_go_omitempty() -> None:
    decoded = decode_object(envelope("v1", "Secret", meta(txt(1, "s"), txt(3, ""), num(7, 0)), txt(3, "")))
    assert decoded == {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}


def test_present_zero_values_of_go_pointers_are_kept() -> None:
    decoded = decode_object(envelope("v1", "ServiceAccount", meta(num(10, 0)), num(4, 0)))
    assert decoded["metadata"] == {"deletionGracePeriodSeconds": 0}
    assert decoded["automountServiceAccountToken"] is False


def test_present_zero_values_without_omitempty_are_kept() -> None:
    decoded = decode_object(envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", msg(3, num(1, 0))))
    assert decoded["status"] == {"allowed": False}


def test_absent_fields_are_omitted_even_without_omitempty() -> None:
    decoded = decode_object(envelope("authorization.k8s.io/v1", "SelfSubjectAccessReview"))
    assert decoded == {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview"}


def test_present_empty_messages_are_written_as_empty_objects() -> None:
    decoded = decode_object(envelope("v1", "Namespace", meta(), msg(2), msg(3)))
    assert decoded == {"apiVersion": "v1", "kind": "Namespace", "metadata": {}, "spec": {}, "status": {}}


def test_empty_time_is_the_zero_time_and_omitted() -> None:
    assert configmap(meta(txt(1, "c"), msg(8)))["metadata"] == {"name": "c"}


@pytest.mark.parametrize(
    ("seconds", "nanos", "expected"),
    [
        (T1, 0, "2024-01-02T03:04:05Z"),
        (T1, 999_999_999, "2024-01-02T03:04:05Z"),  # Time has second precision: nanos are ignored
        (0, 0, "1970-01-01T00:00:00Z"),  # present, so not the zero time
        (-62135596800, 0, "0001-01-01T00:00:00Z"),
        (-1, 0, "1969-12-31T23:59:59Z"),
    ],
)
def test_time_is_rfc3339_in_utc(seconds: int, nanos: int, expected: str) -> None:
    raw = msg(8, num(1, seconds), num(2, nanos))
    assert configmap(meta(raw))["metadata"]["creationTimestamp"] == expected


@pytest.mark.parametrize(
    ("nanos", "expected"),
    [
        (0, "2024-01-02T03:04:05.000000Z"),
        (123_456_789, "2024-01-02T03:04:05.123456Z"),
        (999, "2024-01-02T03:04:05.000000Z"),
    ],
)
def test_micro_time_has_six_digits_and_truncates_nanos(nanos: int, expected: str) -> None:
    decoded = decode_object(envelope("coordination.k8s.io/v1", "Lease", msg(2, time(4, T1, nanos))))
    assert decoded["spec"]["renewTime"] == expected


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2024-01-02T05:04:05+02:00", "2024-01-02T03:04:05Z"),
        ("2024-01-02T03:04:05.7Z", "2024-01-02T03:04:05Z"),
        ("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59Z"),
    ],
)
def test_encoding_a_time_normalizes_it_to_utc_seconds(written: str, read: str) -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"creationTimestamp": written}}
    assert decode_object(encode_object(obj))["metadata"]["creationTimestamp"] == read


def test_map_values_are_kept_when_empty_and_keys_are_sorted() -> None:
    decoded = configmap(msg(2, txt(1, "z"), txt(2, "")), msg(2, txt(1, "a"), txt(2, "1")), msg(3, txt(1, "b")))
    assert decoded["data"] == {"a": "1", "z": ""}
    assert list(decoded["data"]) == ["a", "z"]
    assert decoded["binaryData"] == {"b": ""}


def test_a_repeated_map_key_keeps_the_last_value() -> None:
    decoded = configmap(msg(2, txt(1, "a"), txt(2, "first")), msg(2, txt(1, "a"), txt(2, "last")))
    assert decoded["data"] == {"a": "last"}


def test_secret_data_is_base64_of_the_raw_bytes() -> None:
    decoded = decode_object(envelope("v1", "Secret", msg(2, txt(1, "k"), msg(2, bytes(range(256))))))
    assert decoded["data"]["k"].startswith("AAECAwQFBgc")
    assert decode_object(encode_object(decoded)) == decoded


def test_unknown_fields_on_the_wire_are_ignored() -> None:
    decoded = configmap(meta(txt(1, "c"), txt(99, "from a newer kubectl")), num(50, 1))
    assert decoded == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}


def test_invalid_utf8_in_a_string_becomes_replacement_characters() -> None:
    decoded = configmap(meta(msg(1, b"bad\xff")), msg(2, txt(1, "k"), msg(2, b"\xfe")))
    assert decoded["metadata"]["name"] == "bad\ufffd"
    assert decoded["data"] == {"k": "\ufffd"}


def test_encoding_null_is_the_same_as_leaving_the_field_out() -> None:
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "creationTimestamp": None},
        "data": None,
    }
    assert decode_object(encode_object(obj)) == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c"},
    }
