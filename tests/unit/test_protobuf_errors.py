"""What the protobuf serializer refuses, and the Status each refusal becomes."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.serializers.protobuf import (
    MalformedProtobufBody,
    ProtobufError,
    UnencodableObject,
    UnsupportedProtobufKind,
    decode_object,
    decode_unknown,
    encode_object,
    encode_unknown,
)
from tests.unit.test_protobuf_kinds import envelope, msg, num, txt


def test_decode_unknown_splits_the_envelope() -> None:
    assert decode_unknown(envelope("v1", "ConfigMap", b"\x0a\x00")) == ("v1", "ConfigMap", b"\x0a\x00")
    assert decode_unknown(encode_unknown("v1", "Secret", b"raw")) == ("v1", "Secret", b"raw")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b'{"kind":"ConfigMap"}',
        b"k8s",
        b"k8s\x00\x0a\x05\x0a\x02v1",  # truncated TypeMeta
        b"k8s\x00" + msg(1, txt(1, "v1")) + msg(2),  # no kind
        b"k8s\x00" + msg(1, txt(1, "v1"), txt(2, "ConfigMap")) + msg(2) + txt(3, "gzip"),
        envelope("v1", "ConfigMap", b"\x0a\x10\x0a"),  # ObjectMeta longer than the message
        envelope("v1", "ConfigMap", b"\xff\xff\xff"),
    ],
)
def test_malformed_bodies_are_bad_requests(body: bytes) -> None:
    with pytest.raises(MalformedProtobufBody) as caught:
        decode_object(body)
    status = caught.value.to_status_error().to_status()
    assert (status["code"], status["reason"]) == (400, "BadRequest")


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        ("example.com/v1", "Widget"),
        ("rbac.authorization.k8s.io/v1beta1", "Role"),
        ("v1", "Pod"),
        ("meta.k8s.io/v1beta1", "DeleteOptions"),
    ],
)
def test_kinds_without_a_message_are_unsupported_media_types(api_version: str, kind: str) -> None:
    with pytest.raises(UnsupportedProtobufKind) as caught:
        decode_object(envelope(api_version, kind, num(1, 1)))
    assert (caught.value.api_version, caught.value.kind) == (api_version, kind)
    status = caught.value.to_status_error().to_status()
    assert (status["code"], status["reason"]) == (415, "UnsupportedMediaType")
    assert "application/json" in status["message"]


def test_every_error_is_a_protobuf_error() -> None:
    for error_type in (MalformedProtobufBody, UnsupportedProtobufKind, UnencodableObject):
        assert issubclass(error_type, ProtobufError)


CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap"}


@pytest.mark.parametrize(
    "obj",
    [
        {"kind": "ConfigMap"},
        {"apiVersion": "v1", "kind": ""},
        {**CONFIGMAP, "spec": {}},
        {**CONFIGMAP, "metadata": {"name": 5}},
        {**CONFIGMAP, "metadata": {"generation": "5"}},
        {**CONFIGMAP, "metadata": {"generation": True}},
        {**CONFIGMAP, "metadata": {"labels": ["a"]}},
        {**CONFIGMAP, "metadata": {"finalizers": "a"}},
        {**CONFIGMAP, "metadata": []},
        {**CONFIGMAP, "metadata": {"creationTimestamp": "yesterday"}},
        {**CONFIGMAP, "metadata": {"creationTimestamp": 5}},
        {**CONFIGMAP, "binaryData": {"a": "not base64!"}},
        {**CONFIGMAP, "immutable": "yes"},
        {"apiVersion": "v1", "kind": "Event", "count": 2**31},
        {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": {"extra": {"a": "b"}},
        },
    ],
)
def test_encode_refuses_objects_that_do_not_fit(obj: dict[str, Any]) -> None:
    with pytest.raises(UnencodableObject):
        encode_object(obj)


def test_encode_refuses_kinds_without_a_message() -> None:
    with pytest.raises(UnsupportedProtobufKind):
        encode_object({"apiVersion": "example.com/v1", "kind": "Widget"})
