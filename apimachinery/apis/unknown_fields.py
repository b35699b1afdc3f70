"""Find fields of an object its schema does not declare (fieldValidation Strict and Warn)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apimachinery.apis.types import ResourceDefinition, Schema


def unknown_fields(resource: ResourceDefinition, obj: Mapping[str, Any]) -> list[str]:
    """Dotted paths of undeclared fields, in document order, as upstream reports them (`spec.foo`)."""
    found: list[str] = []
    _walk(resource.schemas, resource.schemas[resource.schema_name], obj, "", found)
    return found


def _resolve(schemas: Mapping[str, Schema], schema: Schema) -> Schema:
    while "$ref" in schema:
        schema = schemas[schema["$ref"]]
    return schema


def _walk(schemas: Mapping[str, Schema], schema: Schema, value: Any, path: str, found: list[str]) -> None:
    schema = _resolve(schemas, schema)
    if schema.get("x-kubernetes-preserve-unknown-fields"):
        return
    if isinstance(value, dict) and schema.get("type") == "object":
        _walk_object(schemas, schema, value, path, found)
    elif isinstance(value, list) and schema.get("type") == "array":
        for index, item in enumerate(value):
            _walk(schemas, schema.get("items", {}), item, f"{path}[{index}]", found)


def _walk_object(
    schemas: Mapping[str, Schema], schema: Schema, value: dict[str, Any], path: str, found: list[str]
) -> None:
    properties = schema.get("properties")
    additional = schema.get("additionalProperties")
    for key, item in value.items():
        child = f"{path}.{key}" if path else key
        if properties is not None and key in properties:
            _walk(schemas, properties[key], item, child, found)
        elif isinstance(additional, dict):
            _walk(schemas, additional, item, child, found)
        elif properties is not None:
            found.append(child)
