"""Pruning of unknown fields from custom resources, in place, returning the pruned paths.

A field the structural schema does not specify is removed, unless it sits under
`x-kubernetes-preserve-unknown-fields: true`. `apiVersion`, `kind` and `metadata` are never pruned at
the resource root or inside embedded resources; their `metadata` is reduced to ObjectMeta instead.
Paths are spelled `spec.foo`, `spec.items[0].bar`; upstream returns them (sorted) as
`unknown field "spec.foo"` for `fieldValidation=Warn|Strict`, and prunes silently otherwise.

`prune` is upstream's schema pruning alone; `prune_custom_resource` is the whole decode step: root
metadata, then schema pruning, then the metadata of embedded resources.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apimachinery.crd.metadata import normalize_object_meta
from apimachinery.crd.structural import additional_properties

Schema = Mapping[str, Any]
META_FIELDS = frozenset({"apiVersion", "kind", "metadata"})


def prune_custom_resource(obj: dict[str, Any], schema: Schema | None) -> list[str]:
    """Everything upstream's decoder removes from a custom resource; returns the unknown field paths."""
    unknown: list[str] = []
    if isinstance(obj.get("metadata"), dict):
        unknown += normalize_object_meta(obj["metadata"], "metadata")
    unknown += prune(obj, schema, is_resource_root=True)
    return unknown + sorted(_embedded_metadata(obj, schema, ""))


def prune(obj: Any, schema: Schema | None, *, is_resource_root: bool = False) -> list[str]:
    """Remove fields of `obj` that `schema` does not specify; return their paths, sorted."""
    if is_resource_root:
        schema = {**(schema or {}), "x-kubernetes-embedded-resource": True}
    pruned: list[str] = []
    _prune(obj, schema, [], pruned)
    return sorted(pruned)


def _join(parent: list[str], name: str) -> list[str]:
    return [*parent, ".", name] if parent else [name]


def _prune(value: Any, schema: Schema | None, parent: list[str], pruned: list[str]) -> None:
    if schema is not None and schema.get("x-kubernetes-preserve-unknown-fields"):
        _skip_prune(value, schema, parent, pruned)
    elif isinstance(value, dict):
        _prune_map(value, schema, parent, pruned)
    elif isinstance(value, list):
        items = schema.get("items") if schema is not None else None
        for i, item in enumerate(value):
            _prune(item, items if isinstance(items, Mapping) else None, [*parent, f"[{i}]"], pruned)


def _prune_map(value: dict[str, Any], schema: Schema | None, parent: list[str], pruned: list[str]) -> None:
    if schema is None:
        pruned += ["".join(_join(parent, name)) for name in value]
        value.clear()
        return
    for name in _walk_children(value, schema, parent, pruned):
        if name not in META_FIELDS or parent:
            pruned.append("".join(_join(parent, name)))
        del value[name]


def _walk_children(value: dict[str, Any], schema: Schema, parent: list[str], pruned: list[str]) -> list[str]:
    """Prune inside every declared child of `value`; returns the names the schema does not declare."""
    embedded = bool(schema.get("x-kubernetes-embedded-resource"))
    properties = schema.get("properties") or {}
    declared, additional = additional_properties(schema)
    undeclared = []
    for name in list(value):
        if embedded and name in META_FIELDS:
            continue
        if name in properties:
            _prune(value[name], properties[name], _join(parent, name), pruned)
        elif declared:
            _prune(value[name], additional, _join(parent, name), pruned)
        else:
            undeclared.append(name)
    return undeclared


def _skip_prune(value: Any, schema: Schema, parent: list[str], pruned: list[str]) -> None:
    if isinstance(value, dict):
        _walk_children(value, schema, parent, pruned)
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, Mapping):
            for i, item in enumerate(value):
                _skip_prune(item, items, [*parent, f"[{i}]"], pruned)


def _embedded_metadata(value: Any, schema: Schema | None, path: str) -> list[str]:
    """Normalize the metadata of embedded resources below the root; return its unknown field paths."""
    if schema is None:
        return []
    unknown: list[str] = []
    if isinstance(value, dict):
        if path and schema.get("x-kubernetes-embedded-resource") and isinstance(value.get("metadata"), dict):
            unknown += normalize_object_meta(value["metadata"], f"{path}.metadata")
        properties = schema.get("properties") or {}
        additional = additional_properties(schema)[1]
        for name, sub in value.items():
            if name in properties:
                unknown += _embedded_metadata(sub, properties[name], f"{path}.{name}" if path else name)
            elif additional is not None:
                unknown += _embedded_metadata(sub, additional, f"{path}[{name}]")
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for i, item in enumerate(value):
            unknown += _embedded_metadata(item, schema["items"], f"{path}[{i}]")
    return unknown
