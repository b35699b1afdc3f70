"""The static CEL types the rule checker reasons with, and their derivation from a structural schema.

Owns `CelType` and `decl_type`, a port of upstream `SchemaDeclType`: objects become object types whose
fields are the escapable, typeable properties; `additionalProperties` maps become `map(string, V)`;
int-or-string is `dyn`; string formats byte/duration/date/date-time become bytes/duration/timestamp. It
also owns the size bounds the cost estimate uses (`max_elements`, `min_size`) and the result types of operators
and macros, which follow
upstream's estimates from the 3 MiB request limit when a schema declares no maxItems/maxProperties.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from apimachinery.cel.structural import SchemaNode, escape_property, with_type_and_object_meta

MAX_REQUEST_SIZE_BYTES = 3 * 1024 * 1024
_MIN_STRING_SIZE = 2
_MIN_BOOL_SIZE = 4
_MIN_NUMBER_SIZE = 1
_MIN_DURATION_SIZE = 3
_JSON_DATE_SIZE = 12
_MIN_DATETIME_SIZE = 21


@dataclass(frozen=True, eq=False)
class CelType:
    """A CEL type: `kind` names it; lists and maps carry `elem`, objects `fields`, optionals `elem`."""

    kind: str
    elem: CelType | None = None
    fields: Mapping[str, CelType] = field(default_factory=dict)
    min_size: int = 0
    max_elements: int | None = None

    def is_known(self) -> bool:
        return self.kind != "dyn"

    def display(self) -> str:
        """The name cel-go prints in overload errors (`int`, `list(string)`, `map(string, int)`)."""
        if self.kind == "list" and self.elem is not None:
            return f"list({self.elem.display()})"
        if self.kind == "map" and self.elem is not None:
            return f"map(string, {self.elem.display()})"
        return self.kind


DYN = CelType("dyn")
BOOL = CelType("bool", min_size=_MIN_BOOL_SIZE)
INT = CelType("int", min_size=_MIN_NUMBER_SIZE)
UINT = CelType("uint", min_size=_MIN_NUMBER_SIZE)
DOUBLE = CelType("double", min_size=_MIN_NUMBER_SIZE)
STRING = CelType("string", min_size=_MIN_STRING_SIZE)
BYTES = CelType("bytes", min_size=_MIN_STRING_SIZE)
NULL = CelType("null_type")
DURATION = CelType("duration", min_size=_MIN_DURATION_SIZE)
TIMESTAMP = CelType("timestamp", min_size=_MIN_DATETIME_SIZE)
TYPE = CelType("type")
QUANTITY = CelType("kubernetes.Quantity")
URL = CelType("kubernetes.URL")

TYPE_IDENTIFIERS = frozenset({"int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type"})
NUMERIC_KINDS = frozenset({"int", "uint", "double"})
LITERAL_TYPES = {"INT_LIT": INT, "UINT_LIT": UINT, "FLOAT_LIT": DOUBLE, "STRING_LIT": STRING, "MLSTRING_LIT": STRING}
LITERAL_TYPES |= {"BYTES_LIT": BYTES, "BOOL_LIT": BOOL, "NULL_LIT": NULL}


def list_of(elem: CelType, max_elements: int | None = None) -> CelType:
    return CelType("list", elem=elem, min_size=2, max_elements=max_elements)


def map_of(value: CelType, max_elements: int | None = None) -> CelType:
    return CelType("map", elem=value, min_size=2, max_elements=max_elements)


def optional_of(inner: CelType) -> CelType:
    return CelType("optional_type", elem=inner)


def decl_type(node: SchemaNode, is_resource_root: bool) -> CelType | None:
    """The CEL type of values of `node`, or None when rules cannot see them (upstream `SchemaDeclType`)."""
    if node.int_or_string:
        return CelType("dyn", min_size=1)
    if is_resource_root:
        node = with_type_and_object_meta(node)
    if node.type == "array":
        return _list_type(node)
    if node.type == "object":
        return _map_type(node) if node.additional_properties is not None else _object_type(node)
    if node.type == "string":
        return _string_type(node)
    return {"boolean": BOOL, "number": DOUBLE, "integer": INT}.get(node.type)


def _list_type(node: SchemaNode) -> CelType | None:
    if node.items is None:
        return None
    elem = decl_type(node.items, node.items.embedded_resource)
    if elem is None:
        return None
    bound = node.max_items if node.max_items is not None else (MAX_REQUEST_SIZE_BYTES - 2) // (elem.min_size + 1)
    return list_of(elem, max(bound, 0))


def _map_type(node: SchemaNode) -> CelType | None:
    assert node.additional_properties is not None
    value = decl_type(node.additional_properties, node.additional_properties.embedded_resource)
    if value is None:
        return None
    if node.max_properties is not None:
        bound = node.max_properties
    else:
        bound = (MAX_REQUEST_SIZE_BYTES - 2) // (value.min_size + 6)
    return map_of(value, max(bound, 0))


def _object_type(node: SchemaNode) -> CelType:
    fields: dict[str, CelType] = {}
    min_size = 2
    for name, prop in node.properties.items():
        prop_type = decl_type(prop, prop.embedded_resource)
        if prop_type is None:
            continue
        escaped = escape_property(name)
        if escaped is not None:
            fields[escaped] = prop_type
        if name in node.required and not prop.has_default:
            min_size += len(name) + prop_type.min_size + 4
    return CelType("object", fields=fields, min_size=min_size)


def _string_type(node: SchemaNode) -> CelType:
    by_format = {"byte": BYTES, "duration": DURATION, "date": CelType("timestamp", min_size=_JSON_DATE_SIZE)}
    by_format["date-time"] = TIMESTAMP
    return by_format.get(node.format, STRING)


def max_cardinality(min_size: int) -> int:
    """How many values of at least `min_size` bytes one request can hold (upstream `maxCardinality`)."""
    return MAX_REQUEST_SIZE_BYTES // (min_size + 1)


ARITHMETIC_KINDS: dict[str, set[str]] = {
    "+": {"int", "uint", "double", "string", "bytes", "list", "duration"},
    "-": {"int", "uint", "double", "duration"},
    "*": {"int", "uint", "double"},
    "/": {"int", "uint", "double"},
    "%": {"int", "uint"},
}


def arithmetic_result(symbol: str, left: CelType, right: CelType) -> CelType | None:
    """The type of `left symbol right`, DYN when unknown, None when no overload exists."""
    if not left.is_known() or not right.is_known():
        return DYN
    kinds = (left.kind, right.kind)
    if kinds in (("timestamp", "duration"), ("duration", "timestamp")) and symbol in "+-":
        return left if left.kind == "timestamp" else right if symbol == "+" else None
    if kinds == ("timestamp", "timestamp") and symbol == "-":
        return CelType("duration")
    if left.kind == right.kind and left.kind in ARITHMETIC_KINDS[symbol]:
        if left.kind == "list":
            same = left.elem is not None and right.elem is not None and left.elem.kind == right.elem.kind
            return list_of(left.elem if same and left.elem is not None else DYN)
        return left
    return None


def macro_result(macro: str, target: CelType, body: CelType) -> CelType:
    """The type of `target.macro(x, body)`."""
    if macro == "map":
        return list_of(body)
    if macro == "filter":
        return target if target.kind == "list" else list_of(STRING if target.kind == "map" else DYN)
    return BOOL
