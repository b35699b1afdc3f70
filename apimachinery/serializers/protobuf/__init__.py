"""The Kubernetes protobuf serializer: decode protobuf request bodies into their JSON form, and back.

kubectl and client-go send `Content-Type: application/vnd.kubernetes.protobuf` for the built-in kinds
(`kubectl create namespace|configmap|secret|...`, `kubectl auth can-i|whoami`, DeleteOptions) and never
fall back to JSON, so every endpoint that accepts those kinds reads the body with `decode_object` and
then handles the dict exactly as if it had come as JSON. The messages are our own declarations of the
upstream wire format (`proto/k8s/*.proto`, generated into `apimachinery._generated.k8s`); one converter
walks their descriptors, with a small table of Go JSON rules (`json_rules`) and special types
(`special`).

Public API:

* `decode_object(body) -> dict`: apiVersion, kind and fields in JSON form.
* `decode_unknown(body) -> (apiVersion, kind, raw)`: only the envelope.
* `decode_raw(api_version, kind, raw) -> dict`: an object's message bytes without the envelope.
* `encode_object(obj) -> bytes`: the inverse of `decode_object`.
* `ProtobufError` and its subclasses `MalformedProtobufBody` (→ 400), `UnsupportedProtobufKind`
  (→ 415) and `UnencodableObject`; `error.to_status_error()` gives the `StatusError` to answer with.
"""

from apimachinery.serializers.protobuf.codec import decode_object, decode_raw, encode_object
from apimachinery.serializers.protobuf.envelope import MAGIC, MEDIA_TYPE, decode_unknown, encode_unknown
from apimachinery.serializers.protobuf.errors import (
    MalformedProtobufBody,
    ProtobufError,
    UnencodableObject,
    UnsupportedProtobufKind,
)
from apimachinery.serializers.protobuf.kinds import message_class

__all__ = [
    "MAGIC",
    "MEDIA_TYPE",
    "MalformedProtobufBody",
    "ProtobufError",
    "UnencodableObject",
    "UnsupportedProtobufKind",
    "decode_object",
    "decode_raw",
    "decode_unknown",
    "encode_object",
    "encode_unknown",
    "message_class",
]
