"""Whole objects: a protobuf request body ↔ the JSON dict a JSON body would have given."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from google.protobuf.message import DecodeError

from apimachinery.serializers.protobuf.envelope import decode_unknown, encode_unknown
from apimachinery.serializers.protobuf.errors import MalformedProtobufBody, UnencodableObject
from apimachinery.serializers.protobuf.from_json import json_to_message
from apimachinery.serializers.protobuf.kinds import message_class
from apimachinery.serializers.protobuf.to_json import message_to_json

TYPE_KEYS = ("apiVersion", "kind")


def decode_object(body: bytes) -> dict[str, Any]:
    """The JSON form (`apiVersion`, `kind`, then the object's fields) of a protobuf request body.

    Raises `MalformedProtobufBody` (answer 400) or `UnsupportedProtobufKind` (answer 415).
    """
    api_version, kind, raw = decode_unknown(body)
    return decode_raw(api_version, kind, raw)


def decode_raw(api_version: str, kind: str, raw: bytes) -> dict[str, Any]:
    """The JSON form of `raw`, the message bytes of a `kind` object in `api_version`."""
    message = message_class(api_version, kind)()
    try:
        message.ParseFromString(raw)
        fields = message_to_json(message)
    except (DecodeError, UnicodeDecodeError) as error:
        raise MalformedProtobufBody(f"the {kind} in the body does not parse: {error}") from error
    return {"apiVersion": api_version, "kind": kind, **fields}


def encode_object(obj: Mapping[str, Any]) -> bytes:
    """A protobuf body (magic + `runtime.Unknown`) for the JSON object `obj`, as client-go would send it.

    Raises `UnsupportedProtobufKind` for kinds without a message and `UnencodableObject` when `obj`
    does not fit its message.
    """
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str) or not kind:
        raise UnencodableObject("the object needs string apiVersion and kind fields")
    message = message_class(api_version, kind)()
    fields = {key: value for key, value in obj.items() if key not in TYPE_KEYS}
    try:
        json_to_message(fields, message, path="")
    except (ValueError, TypeError) as error:
        raise UnencodableObject(f"the {kind} does not fit its protobuf message: {error}") from error
    return encode_unknown(api_version, kind, message.SerializeToString(deterministic=True))
