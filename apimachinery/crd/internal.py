"""The internal (hub) view of a v1 CRD spec that upstream validates, and its Go rendering in messages.

Upstream converts `apiextensions.k8s.io/v1` to an internal version before validating: when every
version carries the same `schema` (or `subresources`, `additionalPrinterColumns`), the value moves to
the top level and the per-version copies are cleared. That is why a single-version CRD reports
`spec.validation.openAPIV3Schema...`, `spec.subresources...` and `spec.additionalPrinterColumns[0]...`.
The same internal structs appear, JSON-encoded with Go field names, in messages such as
`spec.versions: Invalid value: [{"Name":"v1",...}]: must have exactly one version marked as storage version`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from apimachinery.validation.field import GoStruct

Obj = Mapping[str, Any]
_PER_VERSION = (("schema", "validation"), ("subresources", "subresources"), ("additionalPrinterColumns", "columns"))


@dataclass(frozen=True)
class InternalSpec:
    """`versions` as upstream sees them, plus the fields moved to the top level (None when not moved)."""

    versions: list[dict[str, Any]]
    validation: Obj | None = None
    subresources: Obj | None = None
    columns: list[Obj] = field(default_factory=list)


def internal_spec(spec: Obj) -> InternalSpec:
    versions = [dict(v) for v in spec.get("versions") or [] if isinstance(v, Mapping)]
    moved: dict[str, Any] = {}
    for name, target in _PER_VERSION:
        values = [_semantic(v.get(name)) for v in versions]
        if versions and all(value == values[0] for value in values):
            moved[target] = versions[0].get(name)
            for version in versions:
                version.pop(name, None)
    return InternalSpec(
        versions=versions,
        validation=moved.get("validation"),
        subresources=moved.get("subresources"),
        columns=list(moved.get("columns") or []),
    )


def _semantic(value: Any) -> Any:
    """Upstream's semantic equality treats null, missing and empty lists/maps alike."""
    if isinstance(value, Mapping):
        return {k: _semantic(v) for k, v in value.items() if not _zero(v)} or None
    if isinstance(value, list):
        return [_semantic(v) for v in value] or None
    return None if _zero(value) else value


def _zero(value: Any) -> bool:
    """A Go zero value: null, false, "" or an empty list/map (numbers are pointers, never zero)."""
    return value is None or value is False or (isinstance(value, (str, list, dict)) and not value)


def go_versions(versions: list[dict[str, Any]]) -> list[GoStruct]:
    """`[]apiextensions.CustomResourceDefinitionVersion` as `json.Marshal` writes it."""
    return [
        GoStruct(
            Name=v.get("name") or "",
            Served=v.get("served") is True,
            Storage=v.get("storage") is True,
            Deprecated=v.get("deprecated") is True,
            DeprecationWarning=v.get("deprecationWarning"),
            Schema=_go_validation(v.get("schema")),
            Subresources=_go_subresources(v.get("subresources")),
            AdditionalPrinterColumns=[_go_column(c) for c in v["additionalPrinterColumns"]]
            if v.get("additionalPrinterColumns") is not None
            else None,
            SelectableFields=[GoStruct(JSONPath=f.get("jsonPath") or "") for f in v["selectableFields"]]
            if v.get("selectableFields") is not None
            else None,
        )
        for v in versions
    ]


def _go_validation(value: Any) -> GoStruct | None:
    if not isinstance(value, Mapping):
        return None
    schema = value.get("openAPIV3Schema")
    return GoStruct(OpenAPIV3Schema=go_schema(schema) if isinstance(schema, Mapping) else None)


def _go_subresources(value: Any) -> GoStruct | None:
    if not isinstance(value, Mapping):
        return None
    scale = value.get("scale")
    return GoStruct(
        Status=GoStruct() if value.get("status") is not None else None,
        Scale=GoStruct(
            SpecReplicasPath=scale.get("specReplicasPath") or "",
            StatusReplicasPath=scale.get("statusReplicasPath") or "",
            LabelSelectorPath=scale.get("labelSelectorPath"),
        )
        if isinstance(scale, Mapping)
        else None,
    )


def _go_column(column: Obj) -> GoStruct:
    return GoStruct(
        Name=column.get("name") or "",
        Type=column.get("type") or "",
        Format=column.get("format") or "",
        Description=column.get("description") or "",
        Priority=column.get("priority") or 0,
        JSONPath=column.get("jsonPath") or "",
    )


def go_json_value(value: Any) -> Any:
    """Arbitrary JSON with map keys sorted, as Go marshals an `interface{}`."""
    if isinstance(value, Mapping):
        return {k: go_json_value(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [go_json_value(v) for v in value]
    return value


def _schema_map(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    return {k: go_schema(value[k]) for k in sorted(value)}


def _schema_list(value: Any) -> list[GoStruct] | None:
    return [go_schema(v) for v in value] if isinstance(value, list) else None


def _or_bool(value: Any) -> GoStruct | None:
    if value is None:
        return None
    schema = go_schema(value) if isinstance(value, Mapping) else None
    return GoStruct(Allows=value is not False, Schema=schema)


def _or_array(value: Any) -> GoStruct | None:
    if value is None:
        return None
    if isinstance(value, list):
        return GoStruct(Schema=None, JSONSchemas=_schema_list(value))
    return GoStruct(Schema=go_schema(value), JSONSchemas=None)


def _dependencies(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    return {
        k: GoStruct(
            Schema=go_schema(value[k]) if isinstance(value[k], Mapping) else None,
            Property=value[k] if isinstance(value[k], list) else None,
        )
        for k in sorted(value)
    }


def _rules(value: Any) -> list[GoStruct] | None:
    if not isinstance(value, list):
        return None
    return [
        GoStruct(
            Rule=r.get("rule") or "",
            Message=r.get("message") or "",
            MessageExpression=r.get("messageExpression") or "",
            Reason=r.get("reason"),
            FieldPath=r.get("fieldPath") or "",
            OptionalOldSelf=r.get("optionalOldSelf"),
        )
        for r in value
    ]


def go_schema(s: Obj) -> GoStruct:
    """`apiextensions.JSONSchemaProps` (the internal type) as `json.Marshal` writes it."""
    docs = s.get("externalDocs")
    return GoStruct(
        ID=s.get("id") or "",
        Schema=s.get("$schema") or "",
        Ref=s.get("$ref"),
        Description=s.get("description") or "",
        Type=s.get("type") or "",
        Nullable=s.get("nullable") is True,
        Format=s.get("format") or "",
        Title=s.get("title") or "",
        Default=go_json_value(s.get("default")),
        Maximum=s.get("maximum"),
        ExclusiveMaximum=s.get("exclusiveMaximum") is True,
        Minimum=s.get("minimum"),
        ExclusiveMinimum=s.get("exclusiveMinimum") is True,
        MaxLength=s.get("maxLength"),
        MinLength=s.get("minLength"),
        Pattern=s.get("pattern") or "",
        MaxItems=s.get("maxItems"),
        MinItems=s.get("minItems"),
        UniqueItems=s.get("uniqueItems") is True,
        MultipleOf=s.get("multipleOf"),
        Enum=go_json_value(s.get("enum")),
        MaxProperties=s.get("maxProperties"),
        MinProperties=s.get("minProperties"),
        Required=s.get("required"),
        Items=_or_array(s.get("items")),
        AllOf=_schema_list(s.get("allOf")),
        OneOf=_schema_list(s.get("oneOf")),
        AnyOf=_schema_list(s.get("anyOf")),
        Not=go_schema(s["not"]) if isinstance(s.get("not"), Mapping) else None,
        Properties=_schema_map(s.get("properties")),
        AdditionalProperties=_or_bool(s.get("additionalProperties")),
        PatternProperties=_schema_map(s.get("patternProperties")),
        Dependencies=_dependencies(s.get("dependencies")),
        AdditionalItems=_or_bool(s.get("additionalItems")),
        Definitions=_schema_map(s.get("definitions")),
        ExternalDocs=GoStruct(Description=docs.get("description") or "", URL=docs.get("url") or "")
        if isinstance(docs, Mapping)
        else None,
        Example=go_json_value(s.get("example")),
        XPreserveUnknownFields=s.get("x-kubernetes-preserve-unknown-fields"),
        XEmbeddedResource=s.get("x-kubernetes-embedded-resource") is True,
        XIntOrString=s.get("x-kubernetes-int-or-string") is True,
        XListMapKeys=s.get("x-kubernetes-list-map-keys"),
        XListType=s.get("x-kubernetes-list-type"),
        XMapType=s.get("x-kubernetes-map-type"),
        XValidations=_rules(s.get("x-kubernetes-validations")),
    )
