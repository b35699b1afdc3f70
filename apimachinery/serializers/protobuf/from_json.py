"""The JSON form of a Kubernetes object → a protobuf message: the inverse of `to_json`.

A JSON key must name a field of the message (by its JSON name); `null` values are skipped, as Go skips
them. A present JSON object makes its message field present even when empty (`"spec": {}`), so that
decoding gives the same JSON back.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Mapping
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from apimachinery.serializers.protobuf.errors import UnencodableObject
from apimachinery.serializers.protobuf.special import special_type
from apimachinery.serializers.protobuf.to_json import is_map

INTEGER_TYPES = frozenset(
    {
        FieldDescriptor.TYPE_INT32,
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_UINT32,
        FieldDescriptor.TYPE_UINT64,
    }
)


@functools.cache
def fields_by_json_name(descriptor: Descriptor) -> dict[str, FieldDescriptor]:
    return {field.json_name: field for field in descriptor.fields}


def json_to_message(obj: Any, message: Message, *, path: str) -> None:
    """Fill `message` from the JSON object `obj`; `path` names `obj` in error messages."""
    special = special_type(message.DESCRIPTOR.full_name)
    if special is not None:
        special.from_json(obj, message)
        return
    if not isinstance(obj, Mapping):
        raise UnencodableObject(f"{path or '.'}: expected an object, got {obj!r}")
    fields = fields_by_json_name(message.DESCRIPTOR)
    for key, value in obj.items():
        if key not in fields:
            raise UnencodableObject(f"{path}.{key}: no such field in {message.DESCRIPTOR.name}")
        if value is not None:
            set_field(message, fields[key], value, path=f"{path}.{key}")


def set_field(message: Message, field: FieldDescriptor, value: Any, *, path: str) -> None:
    if is_map(field):
        set_map(getattr(message, field.name), field, value, path=path)
    elif field.is_repeated:
        set_list(getattr(message, field.name), field, value, path=path)
    elif field.type == FieldDescriptor.TYPE_MESSAGE:
        submessage = getattr(message, field.name)
        submessage.SetInParent()
        json_to_message(value, submessage, path=path)
    else:
        setattr(message, field.name, scalar_from_json(value, field, path=path))


def set_list(items: Any, field: FieldDescriptor, value: Any, *, path: str) -> None:
    if not isinstance(value, list):
        raise UnencodableObject(f"{path}: expected a list, got {value!r}")
    for index, item in enumerate(value):
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            json_to_message(item, items.add(), path=f"{path}[{index}]")
        else:
            items.append(scalar_from_json(item, field, path=f"{path}[{index}]"))


def set_map(entries: Any, field: FieldDescriptor, value: Any, *, path: str) -> None:
    if not isinstance(value, Mapping):
        raise UnencodableObject(f"{path}: expected an object, got {value!r}")
    value_field = field.message_type.fields_by_name["value"]
    for key, item in value.items():
        if value_field.type == FieldDescriptor.TYPE_MESSAGE:
            json_to_message(item, entries[key], path=f"{path}.{key}")
        else:
            entries[key] = scalar_from_json(item, value_field, path=f"{path}.{key}")


def scalar_from_json(value: Any, field: FieldDescriptor, *, path: str) -> Any:
    """A JSON scalar checked against the field's type; bytes are read from base64."""
    if field.type == FieldDescriptor.TYPE_BYTES:
        return base64_bytes(value, path=path)
    if field.type == FieldDescriptor.TYPE_STRING and isinstance(value, str):
        return value
    if field.type == FieldDescriptor.TYPE_BOOL and isinstance(value, bool):
        return value
    if field.type in INTEGER_TYPES and isinstance(value, int) and not isinstance(value, bool):
        return value
    raise UnencodableObject(f"{path}: {value!r} does not fit a field of protobuf type {field.type}")


def base64_bytes(value: Any, *, path: str) -> bytes:
    if not isinstance(value, str):
        raise UnencodableObject(f"{path}: expected a base64 string, got {value!r}")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as error:
        raise UnencodableObject(f"{path}: not valid base64: {error}") from error
