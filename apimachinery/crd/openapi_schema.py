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
    causes += _map_type(schema, path)
    causes += _list_type(schema, path, options)
    if options.require_map_list_keys_map_set_validation:
        causes += map_list_keys_map_set_causes(schema, path)
    return causes


def _type_must_be(schema: Schema, path: str, wanted: str, detail: str) -> list[Cause]:
    type_ = schema.get("type") or ""
    if type_ == wanted:
        return []
    if not type_:
        return [field.required(child(path, "type"), detail)]
    return [field.invalid(child(path, "type"), type_, detail)]


def _map_type(schema: Schema, path: str) -> list[Cause]:
    map_type = schema.get("x-kubernetes-map-type")
    if map_type is None:
        return []
    causes = _type_must_be(schema, path, "object", "must be object if x-kubernetes-map-type is specified")
    if map_type not in ("atomic", "granular"):
        causes.append(field.not_supported(child(path, "x-kubernetes-map-type"), map_type, ["atomic", "granular"]))
    return causes


def _list_type(schema: Schema, path: str, options: Options) -> list[Cause]:
    list_type = schema.get("x-kubernetes-list-type")
    causes: list[Cause] = []
    if list_type is not None and schema.get("type") != "array":
        causes += _type_must_be(schema, path, "array", "must be array if x-kubernetes-list-type is specified")
    elif options.require_atomic_set_type and list_type == "set" and isinstance(schema.get("items"), Mapping):
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
