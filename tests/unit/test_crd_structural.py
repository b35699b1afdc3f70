"""Structural schema rules and the OpenAPI rules of CRD schemas, with upstream's paths and messages."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.crd.openapi_schema import Options, validate_openapi_schema
from apimachinery.crd.structural import unsupported_construct, validate_structural
from apimachinery.validation.field import error_text

ROOT = "spec.validation.openAPIV3Schema"


def _obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def _structural(schema: dict[str, Any]) -> list[str]:
    return [error_text(c) for c in validate_structural(schema, ROOT)]


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (_obj(spec=_obj(replicas={"type": "integer"})), []),
        (
            _obj(spec={"properties": {"replicas": {"type": "integer"}}}),
            [f"{ROOT}.properties[spec].type: Required value: must not be empty for specified object fields"],
        ),
        ({"properties": {}}, [f"{ROOT}.type: Required value: must not be empty at the root"]),
        (
            {"type": "array", "items": {"type": "string"}},
            [f'{ROOT}.type: Invalid value: "array": must be object at the root'],
        ),
        (
            _obj(list={"type": "array"}),
            [f"{ROOT}.properties[list].items: Required value: must be specified"],
        ),
        (
            _obj(list={"type": "array", "items": {}}),
            [f"{ROOT}.properties[list].items.type: Required value: must not be empty for specified array items"],
        ),
        (_obj(any={"x-kubernetes-preserve-unknown-fields": True}), []),
        (_obj(port={"x-kubernetes-int-or-string": True}), []),
        (
            _obj(port={"x-kubernetes-int-or-string": True, "x-kubernetes-preserve-unknown-fields": True}),
            [
                f"{ROOT}.properties[port].x-kubernetes-preserve-unknown-fields: Invalid value: true: "
                "must be false if x-kubernetes-int-or-string is true"
            ],
        ),
        (
            {**_obj(), "additionalProperties": {"type": "string"}},
            [f"{ROOT}.additionalProperties: Forbidden: must not be used at the root"],
        ),
        (_obj(labels={"type": "object", "additionalProperties": {"type": "string"}}), []),
        (
            _obj(template={"type": "object", "x-kubernetes-embedded-resource": True}),
            [
                f"{ROOT}.properties[template].properties: Required value: must not be empty if "
                "x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"
            ],
        ),
        (
            _obj(template={"x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True}),
            [
                f"{ROOT}.properties[template].type: Required value: must be object if "
                f"x-kubernetes-embedded-resource is true"
            ],
        ),
        (_obj(metadata={"type": "object"}), []),
        (_obj(metadata={"type": "object", "properties": {"name": {"type": "string", "maxLength": 10}}}), []),
        (
            _obj(metadata={"type": "object", "properties": {"labels": {"type": "object"}}}),
            [
                f"{ROOT}.properties[metadata]: Forbidden: must not specify anything other than name and "
                "generateName, but metadata is implicitly specified"
            ],
        ),
        (
            _obj(metadata={"type": "string"}),
            [f'{ROOT}.properties[metadata].type: Invalid value: "string": must be object'],
        ),
        (_obj(kind={"type": "integer"}), [f'{ROOT}.properties[kind].type: Invalid value: "integer": must be string']),
    ],
)
def test_structural_invariants(schema: dict[str, Any], expected: list[str]) -> None:
    assert _structural(schema) == expected


@pytest.mark.parametrize(
    ("value_validation", "expected"),
    [
        ({"anyOf": [{"type": "integer"}, {"type": "string"}]}, []),
        ({"anyOf": [{"properties": {"a": {"maximum": 3}}}]}, []),
        (
            {"anyOf": [{"type": "string"}]},
            [f"{ROOT}.properties[a].anyOf[0].type: Forbidden: must be empty to be structural"],
        ),
        (
            {"allOf": [{"properties": {"b": {"type": "string"}}}]},
            [
                f"{ROOT}.properties[a].allOf[0].properties[b].type: Forbidden: must be empty to be structural",
            ],
        ),
        (
            {"oneOf": [{"nullable": True, "default": 1, "description": "d"}]},
            [
                f"{ROOT}.properties[a].oneOf[0].default: Forbidden: must be undefined to be structural",
                f"{ROOT}.properties[a].oneOf[0].description: Forbidden: must be empty to be structural",
                f"{ROOT}.properties[a].oneOf[0].nullable: Forbidden: must be false to be structural",
            ],
        ),
        (
            {"not": {"additionalProperties": {"type": "string"}}},
            [f"{ROOT}.properties[a].not.additionalProperties: Forbidden: must be undefined to be structural"],
        ),
        (
            {"anyOf": [{"properties": {"metadata": {}}}]},
            [
                f"{ROOT}.properties[a].anyOf[0].properties[metadata]: Forbidden: must not be specified "
                f"in a nested context"
            ],
        ),
    ],
)
def test_value_validations_may_not_declare_structure(value_validation: dict[str, Any], expected: list[str]) -> None:
    schema = _obj(a={"type": "object", "properties": {"a": {"type": "integer"}}, **value_validation})
    assert _structural(schema) == expected


def test_value_validations_at_the_root_must_name_specified_fields() -> None:
    schema = {**_obj(spec=_obj()), "anyOf": [{"properties": {"status": {"maximum": 1}}}]}
    assert _structural(schema) == [
        f"{ROOT}.properties[status]: Required value: because it is defined in {ROOT}.anyOf[0].properties[status]"
    ]


def test_causes_are_sorted_by_text_as_upstream() -> None:
    schema = _obj(b={"properties": {}}, a={"properties": {}})
    texts = _structural(schema)
    assert texts == sorted(texts) and len(texts) == 2


def test_invalid_pattern_is_reported() -> None:
    texts = _structural(_obj(name={"type": "string", "pattern": "+"}))
    assert len(texts) == 1
    assert texts[0].startswith(
        f'{ROOT}.properties[name].pattern: Invalid value: "+": must be a valid regular expression'
    )


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (_obj(), ""),
        ({"$ref": "#/x"}, "OpenAPIV3Schema '$ref' is not supported"),
        (
            _obj(a={"type": "array", "items": [{"type": "string"}]}),
            "OpenAPIV3Schema 'items' must be a schema, but is an array",
        ),
        (_obj(a={"$schema": "x"}), "OpenAPIV3Schema 'schema' is not supported"),
        (
            _obj(a={"x-kubernetes-preserve-unknown-fields": False}),
            "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined",
        ),
    ],
)
def test_unsupported_constructs(schema: dict[str, Any], expected: str) -> None:
    assert unsupported_construct(schema) == expected


def _openapi(schema: dict[str, Any]) -> list[str]:
    return [error_text(c) for c in validate_openapi_schema(schema, ROOT, Options())]


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        (_obj(a={"type": "string"}), []),
        (_obj(a={"$ref": "#/definitions/x"}), [f"{ROOT}.properties[a].$ref: Forbidden: $ref is not supported"]),
        (
            _obj(a={"type": "foo"}),
            [
                f'{ROOT}.properties[a].type: Unsupported value: "foo": supported values: '
                '"array", "boolean", "integer", "number", "object", "string"'
            ],
        ),
        (
            _obj(a={"type": "null"}),
            [
                f'{ROOT}.properties[a].type: Unsupported value: "null": supported values: '
                '"array", "boolean", "integer", "number", "object", "string"',
                f"{ROOT}.properties[a].type: Forbidden: type cannot be set to null, use nullable as an alternative",
            ],
        ),
        (
            _obj(
                a={
                    "type": "object",
                    "properties": {"b": {"type": "string"}},
                    "additionalProperties": {"type": "string"},
                }
            ),
            [
                f"{ROOT}.properties[a].additionalProperties: Forbidden: additionalProperties and "
                f"properties are mutual exclusive"
            ],
        ),
        (
            _obj(a={"type": "array", "items": {"type": "string"}, "uniqueItems": True}),
            [
                f"{ROOT}.properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime "
                "complexity becomes quadratic"
            ],
        ),
        (
            _obj(metadata={"type": "object", "default": {}}),
            [f"{ROOT}.properties[metadata].default: Forbidden: must not be set in top-level metadata"],
        ),
        (
            _obj(a={"type": "string", "x-kubernetes-list-type": "set"}),
            [
                f'{ROOT}.properties[a].type: Invalid value: "string": must be array if '
                f"x-kubernetes-list-type is specified"
            ],
        ),
        (
            _obj(a={"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "bag"}),
            [
                f'{ROOT}.properties[a].x-kubernetes-list-type: Unsupported value: "bag": supported '
                f'values: "atomic", "set", "map"'
            ],
        ),
        (
            _obj(
                a={
                    "type": "array",
                    "items": {"type": "object", "properties": {"k": {"type": "string"}}},
                    "x-kubernetes-list-type": "map",
                }
            ),
            [
                f"{ROOT}.properties[a].x-kubernetes-list-map-keys: Required value: must not be empty "
                f"if x-kubernetes-list-type is map"
            ],
        ),
        (
            _obj(
                a={
                    "type": "array",
                    "items": {"type": "object", "properties": {"k": {"type": "string"}}},
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["k"],
                }
            ),
            [
                f"{ROOT}.properties[a].items.properties[k].default: Required value: this property is in "
                "x-kubernetes-list-map-keys, so it must have a default or be a required property"
            ],
        ),
        (
            _obj(
                a={
                    "type": "array",
                    "items": {"type": "object", "required": ["k"], "properties": {"k": {"type": "string"}}},
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["k"],
                }
            ),
            [],
        ),
        (
            _obj(a={"type": "array", "items": {"type": "object"}, "x-kubernetes-list-type": "set"}),
            [
                f"{ROOT}.properties[a].items.x-kubernetes-map-type: Invalid value: null: "
                "must be atomic as item of a list with x-kubernetes-list-type=set"
            ],
        ),
        (
            _obj(a={"type": "string", "x-kubernetes-validations": [{"rule": " "}]}),
            [f"{ROOT}.properties[a].x-kubernetes-validations[0].rule: Required value: rule is not specified"],
        ),
    ],
)
def test_openapi_rules(schema: dict[str, Any], expected: list[str]) -> None:
    assert _openapi(schema) == expected
