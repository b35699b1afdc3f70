"""The Kubernetes protobuf envelope: the magic prefix `k8s\\0` followed by a `runtime.Unknown`.

`Unknown` carries the object's `TypeMeta` (apiVersion, kind) and, in `raw`, the object's own message.
client-go leaves `contentEncoding` empty; any other value is refused rather than misread.
"""

from __future__ import annotations

from google.protobuf.message import DecodeError

from apimachinery._generated.k8s import runtime_pb2
from apimachinery.serializers.protobuf.errors import MalformedProtobufBody

MAGIC = b"k8s\x00"
MEDIA_TYPE = "application/vnd.kubernetes.protobuf"


def decode_unknown(body: bytes) -> tuple[str, str, bytes]:
    """Split a protobuf request body into (apiVersion, kind, raw object bytes).

    Raises `MalformedProtobufBody` if the magic is missing, the envelope does not parse, no kind is
    named, or the raw bytes are compressed.
    """
    if not body.startswith(MAGIC):
        raise MalformedProtobufBody("the body does not start with the Kubernetes protobuf prefix k8s\\x00")
    unknown = runtime_pb2.Unknown()
    try:
        unknown.ParseFromString(body[len(MAGIC) :])
    except DecodeError as error:
        raise MalformedProtobufBody(f"the protobuf envelope does not parse: {error}") from error
    if unknown.contentEncoding:
        raise MalformedProtobufBody(f"content encoding {unknown.contentEncoding!r} is not supported")
    if not unknown.typeMeta.kind:
        raise MalformedProtobufBody("the protobuf envelope names no kind")
    return unknown.typeMeta.apiVersion, unknown.typeMeta.kind, unknown.raw


def encode_unknown(api_version: str, kind: str, raw: bytes) -> bytes:
    """Wrap an object's message bytes the way client-go does (empty encoding and content type)."""
    unknown = runtime_pb2.Unknown(
        typeMeta=runtime_pb2.TypeMeta(apiVersion=api_version, kind=kind),
        raw=raw,
        contentEncoding="",
        contentType="",
    )
    envelope: bytes = unknown.SerializeToString()
    return MAGIC + envelope
