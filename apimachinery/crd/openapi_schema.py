"""The OpenAPI rules a CRD schema must follow beyond structurality, as upstream words them.

Owns upstream's `ValidateCustomResourceDefinitionOpenAPISchema`: unsupported keywords (`$ref`, `id`,
`definitions`, ...), `type` values, `default` placement (never in top-level metadata or inside
additionalProperties of metadata), `additionalProperties` together with `properties`, `uniqueItems`,
the list/map-type extensions and the static checks of `x-kubernetes-validations` entries. Causes come
in upstream's walk order (properties in the order the schema lists them).

Not covered: compiling and costing CEL rules, `fieldPath` resolution of validation rules, and the
`oldSelf` correlation checks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from apimachinery.crd.fieldpath import child, index, key
from apimachinery.crd.openapi_listtypes import list_type_causes, map_list_keys_map_set_causes, map_type_causes
from apimachinery.errors import Cause
from apimachinery.validation import field

Schema = Mapping[str, Any]

OPENAPI_V3_TYPES = ["array", "boolean", "integer", "number", "object", "string"]
META_FIELDS = frozenset({"metadata", "kind", "apiVersion"})
_RULE_REASONS = ["FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"]
_NEWLINES = re.compile(r"[\n\r]+")
_UNSUPPORTED = (
    ("id", "id is not supported"),
    ("additionalItems", "additionalItems is not supported"),
    ("patternProperties", "patternProperties is not supported"),
    ("definitions", "definitions is not supported"),
    ("dependencies", "dependencies is not supported"),
    ("$ref", "$ref is not supported"),
)


@dataclass(frozen=True)
class Options:
    """What the walk allows; the `require_*` flags are relaxed on update when the old CRD broke them."""

    allow_defaults: bool = True
    disallow_defaults_reason: str = ""
    inside_resource_meta: bool = False
    require_valid_property_type: bool = True
    require_atomic_set_type: bool = True
    require_map_list_keys_map_set_validation: bool = True

    def without_defaults(self, reason: str) -> Options:
        return replace(self, allow_defaults=False, disallow_defaults_reason=reason)


def validate_openapi_schema(schema: Schema, path: str, options: Options, *, is_root: bool = True) -> list[Cause]:
    """Every OpenAPI-level problem of `schema` (and its sub-schemas) at `path`."""
    causes = _standard(schema, path, options)
    if schema.get("uniqueItems"):
        detail = "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"
        causes.append(field.forbidden(child(path, "uniqueItems"), detail))
    causes += _additional_properties(schema, path, options)
    causes += _properties(schema, path, options, is_root)
    causes += _junctors(schema, path, options)
    causes += _items(schema, path, options)
    causes += _extensions(schema, path, options)
    return causes + _validation_rules(schema, path)


def _standard(schema: Schema, path: str, options: Options) -> list[Cause]:
    causes: list[Cause] = []
    type_ = schema.get("type") or ""
    if options.require_valid_property_type and type_ and type_ not in OPENAPI_V3_TYPES:
        causes.append(field.not_supported(child(path, "type"), type_, OPENAPI_V3_TYPES))
    if "default" in schema and schema["default"] is not None and not options.allow_defaults:
        detail = " ".join(filter(None, ["must not be set", options.disallow_defaults_reason]))
        causes.append(field.forbidden(child(path, "default"), detail))
    for name, detail in _UNSUPPORTED:
        if schema.get(name) not in (None, "", {}):
            causes.append(field.forbidden(child(path, name), detail))
    if type_ == "null":
        causes.append(
            field.forbidden(child(path, "type"), "type cannot be set to null, use nullable as an alternative")
        )
    if isinstance(schema.get("items"), list) and schema["items"]:
        causes.append(field.forbidden(child(path, "items"), "items must be a schema object and not an array"))
    if options.inside_resource_meta and schema.get("x-kubernetes-embedded-resource"):
        causes.append(
            field.forbidden(child(path, "x-kubernetes-embedded-resource"), "must not be used inside of resource meta")
        )
    return causes


def _additional_properties(schema: Schema, path: str, options: Options) -> list[Cause]:
    additional = schema.get("additionalProperties")
    if additional is None:
        return []
    causes: list[Cause] = []
    if schema.get("properties") and (additional is False or isinstance(additional, Mapping)):
        detail = "additionalProperties and properties are mutual exclusive"
        causes.append(field.forbidden(child(path, "additionalProperties"), detail))
    if isinstance(additional, Mapping):
        sub = options
        if options.inside_resource_meta:
            sub = options.without_defaults("inside additionalProperties applying to object metadata")
        causes += validate_openapi_schema(additional, child(path, "additionalProperties"), sub, is_root=False)
    return causes


def _properties(schema: Schema, path: str, options: Options, is_root: bool) -> list[Cause]:
    causes: list[Cause] = []
    for name, sub_schema in (schema.get("properties") or {}).items():
        sub = options
        if (is_root or schema.get("x-kubernetes-embedded-resource")) and name in META_FIELDS:
            sub = replace(sub, inside_resource_meta=True)
            if is_root:
                sub = sub.without_defaults(f"in top-level {name}")
        causes += validate_openapi_schema(sub_schema, key(child(path, "properties"), name), sub, is_root=False)
    return causes


def _junctors(schema: Schema, path: str, options: Options) -> list[Cause]:
    causes: list[Cause] = []
    if isinstance(schema.get("not"), Mapping):
        causes += validate_openapi_schema(schema["not"], child(path, "not"), options, is_root=False)
    for junctor in ("allOf", "oneOf", "anyOf"):
        for i, sub in enumerate(schema.get(junctor) or []):
            causes += validate_openapi_schema(sub, index(child(path, junctor), i), options, is_root=False)
    for name, sub in (schema.get("definitions") or {}).items():
        causes += validate_openapi_schema(sub, key(child(path, "definitions"), name), options, is_root=False)
    for name, sub in (schema.get("dependencies") or {}).items():
        if isinstance(sub, Mapping):
            causes += validate_openapi_schema(sub, key(child(path, "dependencies"), name), options, is_root=False)
    return causes


def _items(schema: Schema, path: str, options: Options) -> list[Cause]:
    items = schema.get("items")
    if isinstance(items, Mapping):
        return validate_openapi_schema(items, child(path, "items"), options, is_root=False)
    causes: list[Cause] = []
    for i, sub in enumerate(items or []):
        causes += validate_openapi_schema(sub, index(child(path, "items"), i), options, is_root=False)
    return causes


def _extensions(schema: Schema, path: str, options: Options) -> list[Cause]:
    causes: list[Cause] = []
    if schema.get("x-kubernetes-preserve-unknown-fields") is False:
        where = child(path, "x-kubernetes-preserve-unknown-fields")
        causes.append(field.invalid(where, False, "must be true or undefined"))
    causes += map_type_causes(schema, path)
    causes += list_type_causes(schema, path, require_atomic_set_type=options.require_atomic_set_type)
    if options.require_map_list_keys_map_set_validation:
        causes += map_list_keys_map_set_causes(schema, path)
    return causes


def _validation_rules(schema: Schema, path: str) -> list[Cause]:
    causes: list[Cause] = []
    for i, rule in enumerate(schema.get("x-kubernetes-validations") or []):
        causes += _validation_rule(rule, index(child(path, "x-kubernetes-validations"), i))
    return causes


def _validation_rule(rule: Mapping[str, Any], path: str) -> list[Cause]:
    causes: list[Cause] = []
    text, message = rule.get("rule") or "", rule.get("message") or ""
    if not text.strip():
        causes.append(field.required(child(path, "rule"), "rule is not specified"))
    elif message and not message.strip():
        causes.append(field.invalid(child(path, "message"), message, "must be non-empty if specified"))
    elif _NEWLINES.search(message.strip()):
        causes.append(field.invalid(child(path, "message"), message, "must not contain line breaks"))
    elif _NEWLINES.search(text.strip()) and not message.strip():
        causes.append(field.required(child(path, "message"), "message must be specified if rule contains line breaks"))
    expression = rule.get("messageExpression") or ""
    if expression and not expression.strip():
        causes.append(
            field.required(child(path, "messageExpression"), "messageExpression must be non-empty if specified")
        )
    reason = rule.get("reason")
    if reason is not None and reason not in _RULE_REASONS:
        causes.append(field.not_supported(child(path, "reason"), reason, _RULE_REASONS))
    return causes + _rule_field_path(rule.get("fieldPath") or "", path)


def _rule_field_path(field_path: str, path: str) -> list[Cause]:
    causes: list[Cause] = []
    if field_path and not field_path.strip():
        causes.append(field.invalid(child(path, "fieldPath"), field_path, "must be non-empty if specified"))
    if _NEWLINES.search(field_path):
        causes.append(field.invalid(child(path, "fieldPath"), field_path, "must not contain line breaks"))
    return causes
