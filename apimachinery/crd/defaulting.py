"""Defaulting of custom resources from the schema's `default` values, in place, as upstream does it.

Upstream runs this on every decode, so on writes and on every read from storage:
1. `prune_nulls`: a `null` where the schema is not `nullable` and has no default is removed.
2. `apply_defaults`: top-down, a missing property with a default gets a deep copy of it, and so does a
   `null` where the schema is not `nullable` (also for array items and additionalProperties values).
   Defaults inside an object apply only when that object exists (possibly just created by a default).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from apimachinery.crd.structural import additional_properties

Schema = Mapping[str, Any]


def _non_nullable_null(value: Any, schema: Schema | None) -> bool:
    return value is None and schema is not None and not schema.get("nullable")


def _field_schema(name: str, schema: Schema | None) -> Schema | None:
    if schema is None:
        return None
    properties = schema.get("properties") or {}
    if name in properties:
        return properties[name]  # type: ignore[no-any-return]
    return additional_properties(schema)[1]


def prune_nulls(value: Any, schema: Schema | None) -> None:
    """Remove non-nullable nulls that have no default (upstream's PruneNonNullableNullsWithoutDefaults)."""
    if isinstance(value, dict):
        for name in list(value):
            sub = _field_schema(name, schema)
            if _non_nullable_null(value[name], sub) and sub is not None and sub.get("default") is None:
                del value[name]
            else:
                prune_nulls(value[name], sub)
    elif isinstance(value, list):
        items = schema.get("items") if schema is not None else None
        for item in value:
            prune_nulls(item, items if isinstance(items, Mapping) else None)


def apply_defaults(value: Any, schema: Schema | None) -> None:
    """Set the defaults of `schema` into `value` (upstream's structural defaulting)."""
    if schema is None:
        return
    if isinstance(value, dict):
        _default_object(value, schema)
    elif isinstance(value, list):
        items = schema.get("items")
        if not isinstance(items, Mapping):
            return
        for i, item in enumerate(value):
            if _non_nullable_null(item, items) and items.get("default") is not None:
                value[i] = copy.deepcopy(items["default"])
            apply_defaults(value[i], items)


def _default_object(value: dict[str, Any], schema: Schema) -> None:
    properties = schema.get("properties") or {}
    for name, prop in properties.items():
        if prop.get("default") is None:
            continue
        if name not in value or _non_nullable_null(value[name], prop):
            value[name] = copy.deepcopy(prop["default"])
    additional = additional_properties(schema)[1]
    for name in list(value):
        if name in properties:
            apply_defaults(value[name], properties[name])
        elif additional is not None:
            if _non_nullable_null(value[name], additional) and additional.get("default") is not None:
                value[name] = copy.deepcopy(additional["default"])
            apply_defaults(value[name], additional)


def decode_custom_resource(obj: dict[str, Any], schema: Schema | None) -> list[str]:
    """Everything upstream does to a custom resource when decoding it (request body or storage), in order:
    prune unknown fields (and metadata to ObjectMeta), drop non-nullable nulls, apply defaults.
    Returns the pruned field paths (upstream's `unknown field` warnings)."""
    from apimachinery.crd.pruning import prune_custom_resource

    unknown = prune_custom_resource(obj, schema)
    prune_nulls(obj, schema)
    apply_defaults(obj, schema)
    return unknown
