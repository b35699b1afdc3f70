"""`x-kubernetes-list-type: set` and `map` invariants of a custom resource, as upstream reports them.

A set may not hold the same value twice; a map list may not hold two items with the same keys. Each
duplicated value is reported once, at its first repetition: `spec.ports[2]: Duplicate value:
{"name":"http"}`. Values are compared as Go compares them: `1`, `1.0` and `true` are all different.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apimachinery.crd.fieldpath import child, index, key
from apimachinery.errors import Cause
from apimachinery.validation import field

Schema = Mapping[str, Any]
_UNSPECIFIED = object()


def has_list_types(schema: Any) -> bool:
    """Whether any `set` or `map` list is declared where values can reach it (to skip the walk)."""
    if not isinstance(schema, Mapping):
        return False
    if schema.get("x-kubernetes-list-type") in ("set", "map"):
        return True
    nested = list((schema.get("properties") or {}).values()) + [schema.get("items"), schema.get("additionalProperties")]
    return any(has_list_types(sub) for sub in nested)


def validate_list_types(obj: Mapping[str, Any], schema: Schema | None, path: str = "") -> list[Cause]:
    """Duplicates in set and map lists anywhere in `obj` (an object validated by `schema`)."""
    if schema is None:
        return []
    causes: list[Cause] = []
    additional = schema.get("additionalProperties")
    if isinstance(additional, Mapping):
        for name, value in obj.items():
            causes += _value(value, additional, key(path, name) if path else name)
    properties = schema.get("properties") or {}
    for name, value in obj.items():
        if name in properties:
            causes += _value(value, properties[name], child(path, name))
    return causes


def _value(value: Any, schema: Schema, path: str) -> list[Cause]:
    if isinstance(value, list):
        return _array(value, schema, path)
    if isinstance(value, Mapping):
        return validate_list_types(value, schema, path)
    return []


def _array(values: list[Any], schema: Schema, path: str) -> list[Cause]:
    causes: list[Cause] = []
    list_type = schema.get("x-kubernetes-list-type")
    if list_type == "set":
        causes += [field.duplicate(index(path, i), values[i]) for i in _repeated(values)]
    elif list_type == "map":
        causes += _map_list(values, list(schema.get("x-kubernetes-list-map-keys") or []), path)
    items = schema.get("items")
    if isinstance(items, Mapping):
        for i, value in enumerate(values):
            causes += _value(value, items, index(path, i))
    return causes


def _identity(value: Any) -> Any:
    """A hashable identity that keeps Go's type distinctions (bool, int, float, str, compound)."""
    if isinstance(value, (Mapping, list)):
        return ("json", field.go_json(value))
    if value is _UNSPECIFIED:
        return ("unspecified",)
    return (type(value).__name__, value)


def _repeated(values: list[Any]) -> list[int]:
    """Indices of the second occurrence of every value seen more than once."""
    seen: dict[Any, int] = {}
    out = []
    for i, value in enumerate(values):
        identity = _identity(value)
        seen[identity] = seen.get(identity, 0) + 1
        if seen[identity] == 2:
            out.append(i)
    return out


def _map_list(values: list[Any], keys: list[str], path: str) -> list[Cause]:
    for i, value in enumerate(values):
        if value is not None and not isinstance(value, Mapping):
            return [field.invalid(index(path, i), value, "must be an object for an array of list-type map")]
    if len(values) <= 1:
        return []
    if len(keys) == 1:
        single = [_UNSPECIFIED if v is None or keys[0] not in v else v[keys[0]] for v in values]
        return [
            field.duplicate(index(path, i), {} if single[i] is _UNSPECIFIED else {keys[0]: single[i]})
            for i in _repeated(single)
        ]
    compound = [{k: v[k] for k in keys if k in v} if v is not None else {} for v in values]
    return [field.duplicate(index(path, i), compound[i]) for i in _repeated(compound)]
