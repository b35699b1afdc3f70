"""One `schema` of a CRD (`{openAPIV3Schema: ...}`): the checks upstream runs on it, in its order.

Status-subresource restrictions at the root, `nullable` at the root, structurality, then the defaults
(valid and pruned), then the OpenAPI rules; the conversion error of an unsupported construct is shown
only when nothing else was found. `SchemaRules.for_update` relaxes rules the stored CRD already broke,
as upstream does so that existing CRDs stay updatable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from apimachinery.crd.fieldpath import child
from apimachinery.crd.formats import unrecognized
from apimachinery.crd.internal import go_schema, internal_spec
from apimachinery.crd.openapi_listtypes import map_list_keys_map_set_causes
from apimachinery.crd.openapi_schema import (
    OPENAPI_V3_TYPES,
    Options,
    validate_openapi_schema,
)
from apimachinery.crd.structural import subschemas, unsupported_construct, validate_structural
from apimachinery.crd.validate_defaults import has_unpruned_defaults, validate_defaults
from apimachinery.errors import Cause
from apimachinery.validation import field as fields

Schema = Mapping[str, Any]

ALLOWED_AT_ROOT_WITH_STATUS = (
    "Description",
    "Type",
    "Format",
    "Title",
    "Maximum",
    "ExclusiveMaximum",
    "Minimum",
    "ExclusiveMinimum",
    "MaxLength",
    "MinLength",
    "Pattern",
    "MaxItems",
    "MinItems",
    "UniqueItems",
    "MultipleOf",
    "Required",
    "Items",
    "Properties",
    "ExternalDocs",
    "Example",
    "XPreserveUnknownFields",
    "XValidations",
)


@dataclass(frozen=True)
class SchemaRules:
    openapi: Options = field(default_factory=Options)
    require_pruned_defaults: bool = True

    @classmethod
    def for_update(cls, old_spec: Mapping[str, Any]) -> SchemaRules:
        """Upstream's ratchets: a rule the stored CRD already breaks is not enforced on update."""
        options = Options(
            require_valid_property_type=not has_schema_with(old_spec, _has_invalid_type),
            require_atomic_set_type=not has_schema_with(old_spec, _has_non_atomic_set),
            require_map_list_keys_map_set_validation=not has_schema_with(
                old_spec, lambda s: bool(map_list_keys_map_set_causes(s, ""))
            ),
        )
        pruned = not any(has_unpruned_defaults(schema) for schema in _version_schemas(old_spec))
        return cls(openapi=options, require_pruned_defaults=pruned)


def validate_validation(validation: Any, path: str, *, status_enabled: bool, rules: SchemaRules) -> list[Cause]:
    """The causes of `<path>.openAPIV3Schema...` for one `schema` block (none when it is absent)."""
    schema = validation.get("openAPIV3Schema") if isinstance(validation, Mapping) else None
    if not isinstance(schema, Mapping):
        return []
    schema_path = child(path, "openAPIV3Schema")
    causes = _status_root(schema, path) if status_enabled else []
    if schema.get("nullable"):
        causes.append(fields.forbidden(child(path, "openAPIV3Schema.nullable"), "nullable cannot be true at the root"))
    init_error = unsupported_construct(schema)
    if not init_error:
        causes += validate_structural(schema, schema_path) or validate_defaults(
            schema, schema_path, require_pruned=rules.require_pruned_defaults
        )
    causes += validate_openapi_schema(schema, schema_path, rules.openapi)
    if not causes and init_error:
        causes.append(fields.invalid(schema_path, "", init_error))
    return causes


def _status_root(schema: Schema, path: str) -> list[Cause]:
    rendered = go_schema(schema)
    for name, value in rendered.items():
        if value is None or value is False or (isinstance(value, (str, list, dict)) and not value):
            continue
        if name == "Type":
            if value == "object":
                continue
            detail = (
                'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'
            )
            return [fields.invalid(child(path, "openAPIV3Schema.type"), value, detail)]
        if name not in ALLOWED_AT_ROOT_WITH_STATUS:
            allowed = "[" + " ".join(ALLOWED_AT_ROOT_WITH_STATUS) + "]"
            detail = f"only {allowed} fields are allowed at the root of the schema if the status subresource is enabled"
            return [fields.invalid(child(path, "openAPIV3Schema"), rendered, detail)]
    return []


def schema_has(schema: Any, predicate: Callable[[Schema], bool]) -> bool:
    """Whether `predicate` holds for `schema` or any schema nested in it (every keyword that nests)."""
    if not isinstance(schema, Mapping):
        return False
    if predicate(schema):
        return True
    nested = subschemas(schema) + list((schema.get("patternProperties") or {}).values())
    nested += list((schema.get("definitions") or {}).values()) + list((schema.get("dependencies") or {}).values())
    nested.append(schema.get("additionalItems"))
    return any(schema_has(sub, predicate) for sub in nested)


def has_schema_with(spec: Mapping[str, Any], predicate: Callable[[Schema], bool]) -> bool:
    return any(schema_has(schema, predicate) for schema in _version_schemas(spec))


def _version_schemas(spec: Mapping[str, Any]) -> list[Schema]:
    schemas = [(v.get("schema") or {}).get("openAPIV3Schema") for v in spec.get("versions") or []]
    return [s for s in schemas if isinstance(s, Mapping)]


def _has_invalid_type(schema: Schema) -> bool:
    return bool(schema.get("type")) and schema.get("type") not in OPENAPI_V3_TYPES


def _has_non_atomic_set(schema: Schema) -> bool:
    items = schema.get("items")
    if schema.get("x-kubernetes-list-type") != "set" or not isinstance(items, Mapping):
        return False
    if items.get("type") == "array":
        return items.get("x-kubernetes-list-type") not in (None, "atomic")
    return items.get("type") == "object" and items.get("x-kubernetes-map-type") != "atomic"


def _all_schemas(schema: Any) -> list[Schema]:
    """`schema` and every schema nested in it, in upstream's `SchemaHas` order."""
    if not isinstance(schema, Mapping):
        return []
    items = schema.get("items")
    nested: list[Any] = items if isinstance(items, list) else [items]
    for junctor in ("allOf", "anyOf", "oneOf"):
        nested += schema.get(junctor) or []
    nested += [schema.get("not"), *(schema.get("properties") or {}).values(), schema.get("additionalProperties")]
    nested += [*(schema.get("patternProperties") or {}).values(), schema.get("additionalItems")]
    nested += [*(schema.get("definitions") or {}).values(), *(schema.get("dependencies") or {}).values()]
    return [schema] + [found for sub in nested for found in _all_schemas(sub)]


def _internal_schemas(spec: Mapping[str, Any]) -> list[Schema]:
    internal = internal_spec(spec)
    blocks = [internal.validation] + [v.get("schema") for v in internal.versions]
    schemas = [b.get("openAPIV3Schema") for b in blocks if isinstance(b, Mapping)]
    return [s for s in schemas if isinstance(s, Mapping)]


def _unrecognized_formats(spec: Mapping[str, Any]) -> list[str]:
    return [
        s["format"]
        for root in _internal_schemas(spec)
        for s in _all_schemas(root)
        if isinstance(s.get("format"), str) and unrecognized(s.get("type") or "", s["format"])
    ]


def _set_warnings(spec: Mapping[str, Any]) -> set[str]:
    found = set()
    for root in _internal_schemas(spec):
        for s in _all_schemas(root):
            items = s.get("items")
            if s.get("x-kubernetes-list-type") != "set" or not isinstance(items, Mapping):
                continue
            if items.get("type") in ("object", "array"):
                found.add(
                    f"x-kubernetes-list-type: set for items of type {fields.go_quote(items['type'])} "
                    "is not supported by server-side apply or CEL validation rules"
                )
    return found


def crd_warnings(spec: Mapping[str, Any], old_spec: Mapping[str, Any] | None = None) -> list[str]:
    """The `Warning:` headers of a CRD write: unrecognized formats and non-scalar sets (new ones only)."""
    old_formats = set(_unrecognized_formats(old_spec)) if old_spec is not None else set()
    warnings = [
        f"unrecognized format {fields.go_quote(f)}" for f in _unrecognized_formats(spec) if f not in old_formats
    ]
    old_sets = _set_warnings(old_spec) if old_spec is not None else set()
    return warnings + sorted(_set_warnings(spec) - old_sets)
