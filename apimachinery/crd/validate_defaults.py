"""Checks of the `default` values in a CRD schema: pruned, and valid against their own schema.

Upstream reports, at `<schema path>.default`, `Invalid value: ...: must not have unknown fields` when
pruning would change a default, the embedded-resource problems of a default, and otherwise the
kube-openapi errors of the default against the schema it sits in (named relative to the default, e.g.
`...properties[replicas].default: Invalid value: "x": in body must be of type integer: "string"`).
Defaults under `additionalProperties` are not followed (upstream forbids them there).

Not covered: defaults inside the metadata of embedded resources, and CEL rules on defaults.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from apimachinery.crd import kubeopenapi, openapi_errors
from apimachinery.crd.embedded import validate_embedded
from apimachinery.crd.fieldpath import child, key
from apimachinery.crd.pruning import META_FIELDS, prune
from apimachinery.crd.structural import additional_properties
from apimachinery.errors import Cause
from apimachinery.validation import field

Schema = Mapping[str, Any]


def validate_defaults(schema: Schema, path: str, *, require_pruned: bool = True) -> list[Cause]:
    """Problems of every `default` in a structural `schema` at `path` (an `openAPIV3Schema`)."""
    root = {**schema, "x-kubernetes-embedded-resource": True}
    return _walk(root, path, inside_meta=False, require_pruned=require_pruned)


def _walk(s: Schema, path: str, *, inside_meta: bool, require_pruned: bool) -> list[Cause]:
    if s.get("x-kubernetes-embedded-resource"):
        inside_meta = False
    causes: list[Cause] = []
    if s.get("default") is not None and not inside_meta:
        causes += _check_default(s, path, require_pruned)
    if isinstance(s.get("items"), Mapping):
        causes += _walk(s["items"], child(path, "items"), inside_meta=inside_meta, require_pruned=require_pruned)
    embedded = bool(s.get("x-kubernetes-embedded-resource"))
    for name, sub in (s.get("properties") or {}).items():
        sub_meta = inside_meta or (embedded and name in META_FIELDS)
        causes += _walk(sub, key(child(path, "properties"), name), inside_meta=sub_meta, require_pruned=require_pruned)
    return causes


def _check_default(s: Schema, path: str, require_pruned: bool) -> list[Cause]:
    default = s["default"]
    where = child(path, "default")
    causes: list[Cause] = []
    if require_pruned:
        pruned = copy.deepcopy(default)
        prune(pruned, s, is_resource_root=bool(s.get("x-kubernetes-embedded-resource")))
        if not kubeopenapi.go_equal(pruned, default):
            causes.append(field.invalid(where, default, "must not have unknown fields"))
    embedded = bool(s.get("x-kubernetes-embedded-resource"))
    if embedded_errors := validate_embedded(default, s, where, is_resource_root=embedded):
        return causes + embedded_errors
    return causes + openapi_errors.to_causes(kubeopenapi.validate(s, default), where)


def has_unpruned_defaults(schema: Schema) -> bool:
    """Whether pruning changes any default of `schema` (upstream then stops requiring pruned defaults)."""
    if not isinstance(schema, Mapping):
        return False
    default = schema.get("default")
    if default is not None:
        pruned = copy.deepcopy(default)
        prune(pruned, schema, is_resource_root=bool(schema.get("x-kubernetes-embedded-resource")))
        if not kubeopenapi.go_equal(pruned, default):
            return True
    nested = list((schema.get("properties") or {}).values()) + [schema.get("items"), additional_properties(schema)[1]]
    return any(has_unpruned_defaults(sub) for sub in nested if isinstance(sub, Mapping))
