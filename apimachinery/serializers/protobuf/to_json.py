"""Protobuf message → the JSON form Kubernetes uses, by walking the message's descriptor.

Keys are the fields' JSON names, in declaration order (which is Go struct order). Bytes become base64
strings, maps become objects with sorted keys, `special.SPECIAL_TYPES` have their own forms, and a field
is left out when Go's `omitempty` would leave it out (see `json_rules`). Strings are not checked for
UTF-8 on the wire (proto2); invalid bytes become U+FFFD, as Go's JSON encoder writes them, except in
map keys, which the protobuf runtime cannot read (the caller gets `MalformedProtobufBody`).
"""

from __future__ import annotations

import base64
from typing import Any

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from apimachinery.serializers.protobuf.json_rules import keeps_zero
from apimachinery.serializers.protobuf.special import special_type


def message_to_json(message: Message) -> dict[str, Any]:
    """The JSON object of an ordinary message (one that is not a special type)."""
    out: dict[str, Any] = {}
    for field in message.DESCRIPTOR.fields:
        value = field_to_json(message, field)
        if value is not None:
            out[field.json_name] = value
    return out


def field_to_json(message: Message, field: FieldDescriptor) -> Any:
    """The JSON value of one field of `message`, or None when the field is left out."""
    if is_map(field):
        return map_to_json(getattr(message, field.name), field) or None
    if field.is_repeated:
        return [value_to_json(item, field) for item in getattr(message, field.name)] or None
    if not message.HasField(field.name):
        return None
    value = getattr(message, field.name)
    if field.type != FieldDescriptor.TYPE_MESSAGE and not value and not keeps_zero(field.full_name):
        return None
    return value_to_json(value, field)


def value_to_json(value: Any, field: FieldDescriptor) -> Any:
    """One value of `field` (a singular value, a list item or a map value) in JSON form."""
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        special = special_type(field.message_type.full_name)
        return special.to_json(value) if special else message_to_json(value)
    if field.type == FieldDescriptor.TYPE_BYTES:
        return base64.b64encode(value).decode("ascii")
    if field.type == FieldDescriptor.TYPE_STRING:
        return text(value)
    return value


def map_to_json(entries: Any, field: FieldDescriptor) -> dict[str, Any]:
    value_field = field.message_type.fields_by_name["value"]
    return {key: value_to_json(entries[key], value_field) for key in sorted(entries)}


def text(value: str | bytes) -> str:
    """A proto2 string as read: `str`, or `bytes` when the wire held invalid UTF-8."""
    return value if isinstance(value, str) else value.decode("utf-8", errors="replace")


def is_map(field: FieldDescriptor) -> bool:
    """True for a `map<K, V>` field (a repeated, synthesized `...Entry` message on the wire)."""
    return bool(
        field.is_repeated
        and field.type == FieldDescriptor.TYPE_MESSAGE
        and field.message_type.GetOptions().map_entry
    )
