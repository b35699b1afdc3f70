"""Which fields an object sets, and how list items are named.

`fields_of` follows structured-merge-diff's ToFieldSet: every leaf is a member; an atomic list or map is
one leaf; items of `set` lists are named by value (`v:`), items of `map` lists by their keys (`k:`) and
are members themselves; map keys that are not declared fields, nulls and empty maps are members; a
declared field holding a non-empty map is only a prefix. `named_fields_are_members` adds the declared
fields on the way to a member, which is how pruning decides what to remove.
"""

from __future__ import annotations

from typing import Any

from apimachinery.fieldmanager.fieldset import FieldSet
from apimachinery.fieldmanager.path import Kind, Path, PathElement, field_element, key_element, value_element
from apimachinery.fieldmanager.typeinfo import TypeRef
from apimachinery.fieldmanager.values import is_scalar


class SchemaError(ValueError):
    """An object that does not fit its schema (its path is part of the message)."""


def item_element(item: Any, list_type: TypeRef) -> PathElement:
    """The element naming one item of a `set` or `map` list; SchemaError if it cannot be named."""
    keys = list_type.list_keys()
    if list_type.list_type() == "map":
        if not isinstance(item, dict):
            raise SchemaError("associative list with keys may not have non-map elements")
        key: dict[str, Any] = {}
        for name in keys:
            if name in item:
                key[name] = item[name]
            elif list_type.key_default(name) is not None:
                key[name] = list_type.key_default(name)
        if not key:
            quoted = "[" + " ".join(f'"{name}"' for name in keys) + "]"
            raise SchemaError(
                f"associative list with keys has an element that omits all key fields {quoted} "
                "(and doesn't have default values for any key fields)"
            )
        return key_element(key)
    if isinstance(item, dict):
        raise SchemaError("associative list without keys has an element that's a map type")
    if isinstance(item, list):
        raise SchemaError("not supported: associative list with lists as elements")
    if item is None:
        raise SchemaError("associative list without keys has an element that's an explicit null")
    return value_element(item)


def fields_of(obj: Any, root: TypeRef) -> FieldSet:
    out = FieldSet()
    _walk(obj, root, (), out)
    return out


def _walk(value: Any, type_ref: TypeRef, path: Path, out: FieldSet) -> None:
    if isinstance(value, dict):
        _walk_map(value, type_ref, path, out)
    elif isinstance(value, list):
        _walk_list(value, type_ref, path, out)
    else:
        out.insert(path)


def _walk_map(value: dict[str, Any], type_ref: TypeRef, path: Path, out: FieldSet) -> None:
    if type_ref.map_atomic():
        out.insert(path)
        return
    for key, item in value.items():
        child = (*path, field_element(key))
        _walk(item, type_ref.field(key), child, out)
        if item is None or item == {} or not type_ref.has_field(key):
            out.insert(child)


def _walk_list(value: list[Any], type_ref: TypeRef, path: Path, out: FieldSet) -> None:
    if type_ref.list_type() == "atomic":
        out.insert(path)
        return
    elements = [_named(item, type_ref, path) for item in value]
    seen: set[PathElement] = set()
    duplicates: set[PathElement] = set()
    for pe in elements:
        (duplicates if pe in seen else seen).add(pe)
    for pe in duplicates:
        out.insert((*path, pe))
    for pe, item in zip(elements, value, strict=True):
        if pe in duplicates:
            continue
        _walk(item, type_ref.items(), (*path, pe), out)
        out.insert((*path, pe))


def _named(item: Any, type_ref: TypeRef, path: Path) -> PathElement:
    try:
        return item_element(item, type_ref)
    except SchemaError as err:
        raise SchemaError(f"{_text(path)}: {err}") from None


def _text(path: Path) -> str:
    return "".join(str(pe) for pe in path)


def named_fields_are_members(fields: FieldSet, type_ref: TypeRef) -> FieldSet:
    """`fields` plus every declared field that leads to one of its members."""
    out = FieldSet(set(fields.members), {})
    for pe, child in fields.children.items():
        if pe.kind is Kind.FIELD and type_ref.has_field(pe.name):
            out.members.add(pe)
        child_type = type_ref.field(pe.name) if pe.kind is Kind.FIELD else type_ref.items()
        if pe.kind is Kind.VALUE:
            child_type = TypeRef(type_ref.definitions, None)
        out.children[pe] = named_fields_are_members(child, child_type)
    return out


def validate_config(obj: Any, root: TypeRef) -> list[str]:
    """Upstream's complaints about an applied configuration: undeclared fields, unnamed or duplicate
    list items. Each is `<path>: <message>`."""
    problems: list[str] = []
    _check(obj, root, (), problems)
    return problems


def _check(value: Any, type_ref: TypeRef, path: Path, problems: list[str]) -> None:
    if isinstance(value, dict) and not type_ref.map_atomic():
        for key, item in value.items():
            child = (*path, field_element(key))
            implied = type_ref.is_resource and key in ("apiVersion", "kind", "metadata")
            if type_ref.closed() and not type_ref.has_field(key) and not implied:
                problems.append(f"{_text(child)}: field not declared in schema")
                continue
            _check(item, type_ref.field(key), child, problems)
    elif isinstance(value, list) and type_ref.list_type() != "atomic":
        seen: set[PathElement] = set()
        for index, item in enumerate(value):
            try:
                pe = item_element(item, type_ref)
            except SchemaError as err:
                problems.append(f"{_text(path)}: element {index}: {err}")
                continue
            if pe in seen:
                problems.append(f"{_text(path)}: duplicate entries for key {pe}")
                continue
            seen.add(pe)
            if not is_scalar(item):
                _check(item, type_ref.items(), (*path, pe), problems)
