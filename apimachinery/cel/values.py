"""Decoded JSON to cel-python values, shaped by the structural schema (upstream `UnstructuredToVal`).

Objects expose only their declared properties, under escaped names; a resource root also exposes
`apiVersion`, `kind` and `metadata.{name,generateName}`. `additionalProperties` maps keep their keys.
Numbers become doubles, integers ints, and strings with format byte/duration/date/date-time become
bytes/duration/timestamp. Lists with `x-kubernetes-list-type` set or map compare equal regardless of
order, as upstream's set and map lists do.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Callable
from typing import Any

from celpy import celtypes

from apimachinery.cel.lib_operators import UnorderedList
from apimachinery.cel.structural import SchemaNode, escape_property, with_type_and_object_meta


def to_cel(value: Any, node: SchemaNode, *, resource_root: bool = False) -> Any:
    """The CEL value of decoded JSON `value` at schema `node` (None stands for null)."""
    if value is None:
        return None
    if node.int_or_string:
        return _scalar(value)
    if resource_root:
        node = with_type_and_object_meta(node)
    converter = _CONVERTERS.get(node.type)
    return converter(value, node) if converter is not None else _scalar(value)


def _object(value: Any, node: SchemaNode) -> Any:
    if not isinstance(value, dict):
        return _scalar(value)
    if node.additional_properties is not None:
        sub = node.additional_properties
        return celtypes.MapType(
            {
                celtypes.StringType(key): to_cel(item, sub, resource_root=sub.embedded_resource)
                for key, item in value.items()
            }
        )
    fields: dict[Any, Any] = {}
    for name, item in value.items():
        prop = node.properties.get(name)
        escaped = escape_property(name)
        if prop is not None and escaped is not None:
            fields[celtypes.StringType(escaped)] = to_cel(item, prop, resource_root=prop.embedded_resource)
    return celtypes.MapType(fields)


def _array(value: Any, node: SchemaNode) -> Any:
    if not isinstance(value, list):
        return _scalar(value)
    items = node.items
    converted = [
        to_cel(item, items, resource_root=items.embedded_resource) if items else _scalar(item) for item in value
    ]
    if node.list_type in ("set", "map"):
        return UnorderedList(converted)
    return celtypes.ListType(converted)


def _string(value: Any, node: SchemaNode) -> Any:
    if not isinstance(value, str):
        return _scalar(value)
    try:
        if node.format == "byte":
            return celtypes.BytesType(base64.b64decode(value, validate=True))
        if node.format == "duration":
            return celtypes.DurationType(value)
        if node.format == "date":
            day = datetime.date.fromisoformat(value)
            return celtypes.TimestampType(datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC))
        if node.format == "date-time":
            return celtypes.TimestampType(value)
    except (ValueError, TypeError, binascii.Error):
        pass
    return celtypes.StringType(value)


def _number(value: Any, node: SchemaNode) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return celtypes.DoubleType(float(value))
    return _scalar(value)


def _integer(value: Any, node: SchemaNode) -> Any:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _scalar(value)


def _boolean(value: Any, node: SchemaNode) -> Any:
    return _scalar(value)


def _scalar(value: Any) -> Any:
    """Untyped conversion, for int-or-string values and values that do not match their schema."""
    if value is None:
        return None
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        if -(2**63) <= value < 2**63:
            return int.__new__(celtypes.IntType, value)  # cel-python's IntType() is slow; the range is checked
        return celtypes.DoubleType(float(value))
    if isinstance(value, float):
        return celtypes.DoubleType(value)
    if isinstance(value, str):
        return celtypes.StringType(value)
    if isinstance(value, list):
        return celtypes.ListType([_scalar(item) for item in value])
    return celtypes.MapType({celtypes.StringType(key): _scalar(item) for key, item in value.items()})


_CONVERTERS: dict[str, Callable[[Any, SchemaNode], Any]] = {
    "object": _object,
    "array": _array,
    "string": _string,
    "number": _number,
    "integer": _integer,
    "boolean": _boolean,
}
