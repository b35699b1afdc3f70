"""The CRD-schema rules of `x-kubernetes-list-type`, `x-kubernetes-list-map-keys` and
`x-kubernetes-map-type`, worded as upstream (sets of atomic items, map keys that are scalar item
properties, required or defaulted and never nullable)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apimachinery.crd.fieldpath import child, key
from apimachinery.errors import Cause
from apimachinery.validation import field

Schema = Mapping[str, Any]


def type_must_be(schema: Schema, path: str, wanted: str, detail: str) -> list[Cause]:
    type_ = schema.get("type") or ""
    if type_ == wanted:
        return []
    if not type_:
        return [field.required(child(path, "type"), detail)]
    return [field.invalid(child(path, "type"), type_, detail)]


def map_type_causes(schema: Schema, path: str) -> list[Cause]:
    map_type = schema.get("x-kubernetes-map-type")
    if map_type is None:
        return []
    causes = type_must_be(schema, path, "object", "must be object if x-kubernetes-map-type is specified")
    if map_type not in ("atomic", "granular"):
        causes.append(field.not_supported(child(path, "x-kubernetes-map-type"), map_type, ["atomic", "granular"]))
    return causes


def list_type_causes(schema: Schema, path: str, *, require_atomic_set_type: bool) -> list[Cause]:
    list_type = schema.get("x-kubernetes-list-type")
    causes: list[Cause] = []
    if list_type is not None and schema.get("type") != "array":
        causes += type_must_be(schema, path, "array", "must be array if x-kubernetes-list-type is specified")
    elif require_atomic_set_type and list_type == "set" and isinstance(schema.get("items"), Mapping):
        causes += _set_items_atomic(schema["items"], path)
    if list_type is not None and list_type not in ("atomic", "set", "map"):
        causes.append(field.not_supported(child(path, "x-kubernetes-list-type"), list_type, ["atomic", "set", "map"]))
    causes += _list_map_keys(schema, path)
    if list_type == "map":
        causes += _list_map(schema, path)
    return causes


def _set_items_atomic(items: Schema, path: str) -> list[Cause]:
    detail = "must be atomic as item of a list with x-kubernetes-list-type=set"
    items_path = child(path, "items")
    item_list_type = items.get("x-kubernetes-list-type")
    if items.get("type") == "array" and item_list_type is not None and item_list_type != "atomic":
        return [field.invalid(child(items_path, "x-kubernetes-list-type"), item_list_type, detail)]
    if items.get("type") == "object" and items.get("x-kubernetes-map-type") != "atomic":
        return [field.invalid(child(items_path, "x-kubernetes-map-type"), item_list_type, detail)]
    return []


def _list_map_keys(schema: Schema, path: str) -> list[Cause]:
    if not schema.get("x-kubernetes-list-map-keys"):
        return []
    list_type = schema.get("x-kubernetes-list-type")
    detail = "must be map if x-kubernetes-list-map-keys is non-empty"
    if list_type is None:
        return [field.required(child(path, "x-kubernetes-list-type"), detail)]
    if list_type != "map":
        return [field.invalid(child(path, "x-kubernetes-list-type"), list_type, detail)]
    return []


def _list_map(schema: Schema, path: str) -> list[Cause]:
    causes: list[Cause] = []
    keys = list(schema.get("x-kubernetes-list-map-keys") or [])
    items = schema.get("items")
    if not keys:
        causes.append(
            field.required(
                child(path, "x-kubernetes-list-map-keys"), "must not be empty if x-kubernetes-list-type is map"
            )
        )
    if items is None:
        causes.append(field.required(child(path, "items"), "must have a schema if x-kubernetes-list-type is map"))
    elif not isinstance(items, Mapping):
        causes.append(
            field.invalid(
                child(path, "items"), items, "must only have a single schema if x-kubernetes-list-type is map"
            )
        )
    elif items.get("type") != "object":
        detail = "must be object if parent array's x-kubernetes-list-type is map"
        causes.append(field.invalid(child(path, "items", "type"), items.get("type") or "", detail))
    else:
        causes += _list_map_key_properties(items, keys, path)
    return causes


def _list_map_key_properties(items: Schema, keys: list[str], path: str) -> list[Cause]:
    causes: list[Cause] = []
    properties = items.get("properties") or {}
    keys_path = child(path, "x-kubernetes-list-map-keys")
    for i, name in enumerate(keys):
        if name not in properties:
            causes.append(field.invalid(keys_path, keys, "entries must all be names of item properties"))
        elif properties[name].get("type") in ("array", "object"):
            detail = "must be a scalar type if parent array's x-kubernetes-list-type is map"
            causes.append(field.invalid(child(key(child(path, "items", "properties"), name), "type"), "object", detail))
        if name in keys[:i]:
            causes.append(field.invalid(keys_path, keys, "must not contain duplicate entries"))
    return causes


def map_list_keys_map_set_causes(schema: Schema, path: str) -> list[Cause]:
    """Items of set/map lists are never nullable; map keys are required or defaulted, never nullable."""
    items, list_type = schema.get("items"), schema.get("x-kubernetes-list-type")
    if not isinstance(items, Mapping) or list_type not in ("set", "map"):
        return []
    causes: list[Cause] = []
    if items.get("nullable"):
        causes.append(
            field.forbidden(
                child(path, "items", "nullable"), f"cannot be nullable when x-kubernetes-list-type is {list_type}"
            )
        )
    if list_type == "map":
        causes += _map_keys_required(items, list(schema.get("x-kubernetes-list-map-keys") or []), path)
    return causes


def _map_keys_required(items: Schema, keys: list[str], path: str) -> list[Cause]:
    causes: list[Cause] = []
    required = set(items.get("required") or [])
    properties = items.get("properties") or {}
    for name in keys:
        if name not in properties:
            continue
        where = key(child(path, "items", "properties"), name)
        if name not in required and properties[name].get("default") is None:
            detail = (
                "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"
            )
            causes.append(field.required(child(where, "default"), detail))
        if properties[name].get("nullable"):
            detail = "this property is in x-kubernetes-list-map-keys, so it cannot be nullable"
            causes.append(field.forbidden(child(where, "nullable"), detail))
    return causes
