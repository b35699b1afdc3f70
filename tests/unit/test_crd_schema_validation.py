"""Custom resources against their schema: kube-openapi errors as the API server words them, the
fastjsonschema fast path, embedded resources, list types, scale and status."""

from __future__ import annotations

import random
from typing import Any

import pytest

from apimachinery.crd import kubeopenapi
from apimachinery.crd.schema_validation import (
    CustomResourceValidator,
    ValidatorCache,
    compile_fast,
    validate_custom_resource,
    validate_scale,
    validate_type_meta,
)
from apimachinery.validation.field import error_text


def _obj(required: list[str] | None = None, **properties: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = required
    return out


WIDGET = _obj(
    spec=_obj(
        ["mode"],
        replicas={"type": "integer", "maximum": 5, "minimum": 0},
        mode={"type": "string", "enum": ["a", "b"]},
        name={"type": "string", "maxLength": 3, "pattern": "^[a-z]+$"},
        ports={"type": "array", "maxItems": 2, "items": _obj(port={"type": "integer", "format": "int32"})},
        labels={"type": "object", "maxProperties": 1, "additionalProperties": {"type": "string"}},
        ratio={"type": "number", "exclusiveMaximum": True, "maximum": 1},
        when={"type": "string", "format": "date-time"},
        port={"x-kubernetes-int-or-string": True},
        note={"type": "string", "nullable": True},
    )
)


def _texts(obj: dict[str, Any], schema: dict[str, Any] = WIDGET) -> list[str]:
    return [error_text(c) for c in CustomResourceValidator(schema).validate(obj)]


def _spec(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"mode": "a", **spec}}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"replicas": 3, "port": 80, "note": None, "when": "2024-05-01T10:00:00Z", "ratio": 0.5}, []),
        (
            {"replicas": 10},
            ["spec.replicas: Invalid value: 10: spec.replicas in body should be less than or equal to 5"],
        ),
        (
            {"replicas": -1},
            ["spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0"],
        ),
        (
            {"replicas": "string"},
            ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'],
        ),
        ({"replicas": 2.0}, []),
        ({"mode": "x"}, ['spec.mode: Unsupported value: "x": supported values: "a", "b"']),
        ({"name": "abcd"}, ["spec.name: Too long: may not be more than 3 bytes"]),
        ({"name": "AB"}, ["spec.name: Invalid value: \"AB\": spec.name in body should match '^[a-z]+$'"]),
        ({"name": "ab\n"}, ["spec.name: Invalid value: \"ab\\n\": spec.name in body should match '^[a-z]+$'"]),
        ({"ports": [{}, {}, {}]}, ["spec.ports: Too many: 3: must have at most 2 items"]),
        (
            {"ports": [{"port": 1 << 31}]},
            ['<nil>: Invalid value: "": Checked value must be of type integer with format int32 in spec.ports[0].port'],
        ),
        ({"labels": {"a": "1", "b": "2"}}, ["spec.labels: Too many: 2: must have at most 1 item"]),
        (
            {"labels": {"a": 1}},
            ['spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"'],
        ),
        ({"ratio": 1}, ["spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1"]),
        (
            {"when": "yesterday"},
            ['spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"'],
        ),
        (
            {"port": 1.5},
            ['spec.port: Invalid value: "number": spec.port in body must be of type integer,string: "number"'],
        ),
        ({"note": 3}, ['spec.note: Invalid value: "integer": spec.note in body must be of type string: "integer"']),
    ],
)
def test_openapi_errors_as_upstream(spec: dict[str, Any], expected: list[str]) -> None:
    assert _texts(_spec(**spec)) == expected


def test_checklist_example_cause() -> None:
    causes = CustomResourceValidator(WIDGET).validate(_spec(replicas=10))
    assert [(c.reason, c.field, c.message) for c in causes] == [
        (
            "FieldValueInvalid",
            "spec.replicas",
            "Invalid value: 10: spec.replicas in body should be less than or equal to 5",
        )
    ]


def test_required_and_type_reasons() -> None:
    causes = CustomResourceValidator(WIDGET).validate({"spec": {"replicas": "x"}})
    assert [(c.reason, c.field) for c in causes] == [
        ("FieldValueTypeInvalid", "spec.replicas"),
        ("FieldValueRequired", "spec.mode"),
    ]


FIELD = {"type": "object"}


@pytest.mark.parametrize(
    ("field_schema", "value", "expected"),
    [
        ({"type": "object"}, "foo", ['field: Invalid value: "string": field in body must be of type object: "string"']),
        ({"type": "object"}, None, ['field: Invalid value: "null": field in body must be of type object: "null"']),
        ({"type": "object", "nullable": True}, None, []),
        ({"nullable": True}, 1.2, []),
        (
            {"x-kubernetes-int-or-string": True},
            None,
            ['field: Invalid value: "null": field in body must be of type integer,string: "null"'],
        ),
        (
            {"nullable": True, "x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]},
            1.2,
            [
                'field: Invalid value: "number": field in body must be of type integer,string: "number"',
                '<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)',
                'field: Invalid value: "number": field in body must be of type integer: "number"',
                '<nil>: Invalid value: "": Checked value must be of type integer (default format) in field',
            ],
        ),
        (
            {"x-kubernetes-int-or-string": True, "allOf": [{"anyOf": [{"type": "integer"}, {"type": "string"}]}]},
            True,
            [
                'field: Invalid value: "boolean": field in body must be of type integer,string: "boolean"',
                '<nil>: Invalid value: "": "field" must validate at least one schema (anyOf)',
                'field: Invalid value: "boolean": field in body must be of type integer: "boolean"',
                '<nil>: Invalid value: "": "field" must validate all the schemas (allOf). None validated',
            ],
        ),
        (
            _obj(
                ["nestedint", "nestedstring"],
                nestedint={"type": "integer", "enum": [1, 2]},
                nestedstring={"type": "string", "enum": ["a", "b"]},
            ),
            {"nestedint": "x", "nestedstring": True},
            [
                'field.nestedint: Invalid value: "string": field.nestedint in body must be of type integer: "string"',
                'field.nestedint: Unsupported value: "x": supported values: "1", "2"',
                'field.nestedstring: Invalid value: "boolean": field.nestedstring in body must be of '
                'type string: "boolean"',
                'field.nestedstring: Unsupported value: true: supported values: "a", "b"',
            ],
        ),
        (
            {"type": "string", "format": "k8s-short-name"},
            "a-",
            ['field: Invalid value: "a-": field in body must be of type k8s-short-name: "a-"'],
        ),
        (
            {"type": "string", "format": "k8s-long-name"},
            "a.-",
            ['field: Invalid value: "a.-": field in body must be of type k8s-long-name: "a.-"'],
        ),
        ({"type": "string", "format": "no-such-format"}, "anything", []),
        (
            {"type": "integer", "format": "int64"},
            float(1 << 63) * 1.1,
            [
                'field: Invalid value: "float64": field in body must be of type int64: "float64"',
                '<nil>: Invalid value: "": Checked value must be of type integer with format int64 in field',
            ],
        ),
        (
            {"type": "number", "format": "float"},
            3.4028234663852886e38 * 1.1,
            ['<nil>: Invalid value: "": Checked value must be of type number with format float in field'],
        ),
        ({"type": "integer", "multipleOf": 3}, 4, ["field: Invalid value: 4: field in body should be a multiple of 3"]),
        (
            {"type": "string", "minLength": 2},
            "a",
            ['field: Invalid value: "a": field in body should be at least 2 chars long'],
        ),
        (
            {"type": "array", "items": {"type": "string"}, "minItems": 1},
            [],
            ["field: Invalid value: 0: field in body should have at least 1 items"],
        ),
        (
            {"type": "string", "enum": ["a", None]},
            None,
            [
                'field: Invalid value: "null": field in body must be of type string: "null"',
                'field: Unsupported value: null: supported values: "a", "null"',
            ],
        ),
        ({"type": "number", "enum": [1]}, 1.5, []),
    ],
)
def test_upstream_vectors(field_schema: dict[str, Any], value: Any, expected: list[str]) -> None:
    assert _texts({"field": value}, _obj(field=field_schema)) == expected


def test_status_validation_uses_only_the_status_schema() -> None:
    schema = _obj(spec=_obj(a={"type": "integer"}), status=_obj(replicas={"type": "integer"}))
    validator = CustomResourceValidator(schema)
    obj = {"spec": {"a": "x"}, "status": {"replicas": "y"}}
    assert [error_text(c) for c in validator.validate_status(obj)] == [
        'status.replicas: Invalid value: "string": replicas in body must be of type integer: "string"'
    ]


@pytest.mark.parametrize(
    ("items", "value", "expected"),
    [
        (
            {"type": "string"},
            ["a", "b", "a", "a", "b"],
            ['spec.tags[2]: Duplicate value: "a"', 'spec.tags[4]: Duplicate value: "b"'],
        ),
        ({"type": "integer"}, [1, 2], []),
        ({"x-kubernetes-int-or-string": True}, [1, "1"], []),
    ],
)
def test_set_lists(items: dict[str, Any], value: list[Any], expected: list[str]) -> None:
    schema = _obj(spec=_obj(tags={"type": "array", "x-kubernetes-list-type": "set", "items": items}))
    assert _texts({"spec": {"tags": value}}, schema) == expected


def test_map_lists() -> None:
    item = _obj(["name"], name={"type": "string"}, proto={"type": "string", "default": "TCP"})
    ports = {"type": "array", "x-kubernetes-list-type": "map", "items": item}
    single = _obj(spec=_obj(ports={**ports, "x-kubernetes-list-map-keys": ["name"]}))
    assert _texts({"spec": {"ports": [{"name": "a"}, {"name": "b"}, {"name": "a"}]}}, single) == [
        'spec.ports[2]: Duplicate value: {"name":"a"}'
    ]
    double = _obj(spec=_obj(ports={**ports, "x-kubernetes-list-map-keys": ["name", "proto"]}))
    value = [{"name": "a", "proto": "TCP"}, {"name": "a", "proto": "UDP"}, {"proto": "TCP", "name": "a"}]
    assert _texts({"spec": {"ports": value}}, double) == ['spec.ports[2]: Duplicate value: {"name":"a","proto":"TCP"}']


def test_embedded_resources() -> None:
    template = {"type": "object", "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True}
    schema = _obj(spec=_obj(template=template))
    assert _texts({"spec": {"template": {"apiVersion": "v1", "kind": "Pod"}}}, schema) == []
    assert _texts({"spec": {"template": {}}}, schema) == [
        "spec.template.apiVersion: Required value",
        "spec.template.kind: Required value",
    ]
    bad = {"apiVersion": "a/b/c", "kind": "", "metadata": {"name": "x/y"}}
    assert _texts({"spec": {"template": bad}}, schema) == [
        'spec.template.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
        'spec.template.kind: Invalid value: "": must not be empty',
        "spec.template.metadata.name: Invalid value: \"x/y\": may not contain '/'",
    ]
    assert _texts({"spec": {"template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": "x"}}}}, schema) == [
        'spec.template.metadata: Invalid value: {"labels":"x"}: json: cannot unmarshal string into Go struct field '
        "ObjectMeta.labels of type map[string]string"
    ]


def test_scale_and_type_meta() -> None:
    paths = {"spec_replicas_path": ".spec.replicas", "status_replicas_path": ".status.replicas"}
    assert validate_scale({"spec": {"replicas": 3}}, **paths) == []
    texts = [error_text(c) for c in validate_scale({"spec": {"replicas": -1}, "status": {"replicas": "x"}}, **paths)]
    assert texts == [
        ".spec.replicas: Invalid value: -1: should be a non-negative integer",
        ".status.replicas: Invalid value: 0: .status.replicas accessor error: x is of the type string, expected int64",
    ]
    texts = [
        error_text(c) for c in validate_type_meta({"kind": "Gadget"}, group="example.com", version="v1", kind="Widget")
    ]
    assert texts == [
        'kind: Invalid value: "Gadget": must be Widget',
        'apiVersion: Invalid value: "": must be example.com/v1',
    ]


def test_cache_compiles_once_and_is_bounded() -> None:
    cache = ValidatorCache(max_entries=2)
    first = cache.get(WIDGET)
    assert cache.get(dict(WIDGET)) is first
    cache.get(_obj(a={"type": "string"}))
    cache.get(_obj(b={"type": "string"}))
    assert len(cache) == 2
    assert cache.get(WIDGET) is not first
    assert cache.get(WIDGET, key=("uid", "7", "v1")) is cache.get(None, key=("uid", "7", "v1"))
    assert validate_custom_resource(_spec(replicas=9), WIDGET, cache=cache) != []


@pytest.mark.parametrize(
    "schema",
    [
        _obj(a={"type": "number", "maximum": 1.5}),
        _obj(a={"type": "array", "items": {"type": "string"}, "uniqueItems": True}),
        _obj(a={"type": "object", "enum": [{"a": 1}]}),
    ],
)
def test_constructs_without_a_fast_path(schema: dict[str, Any]) -> None:
    assert compile_fast(schema) is None


POOLS: dict[str, list[Any]] = {
    "replicas": [0, 3, 5, 6, -1, 2.0, 2.5, "x", None, True],
    "mode": ["a", "b", "x", None, 1],
    "name": ["ab", "abcd", "AB", "a\n", 1],
    "ports": [[], [{"port": 1}], [{"port": 1 << 31}], [{}, {}, {}], [{"port": 2.0}], "x"],
    "labels": [{}, {"a": "1"}, {"a": 1}, {"a": "1", "b": "2"}, None],
    "ratio": [0.5, 1, 0.99, "x", 0],
    "when": ["2024-01-01T00:00:00Z", "2024-01-01t25:00:00z", "yesterday", 5],
    "port": [80, "http", 1.5, None, True, 2.0],
    "note": [None, "x", 3],
    "extra": [1, {"a": 1}],
}


def _random_spec(rng: random.Random) -> dict[str, Any]:
    spec = {name: rng.choice(pool) for name, pool in POOLS.items() if rng.random() < 0.3}
    if rng.random() < 0.9:
        spec["mode"] = "a"
    return spec


def test_fast_path_never_accepts_what_the_walk_rejects() -> None:
    """The fast path may be stricter (then the walk decides), never more lenient."""
    fast = compile_fast(WIDGET)
    assert fast is not None
    rng = random.Random(7)
    lenient, accepted = [], 0
    for _ in range(5000):
        obj = {"spec": _random_spec(rng)}
        walk_valid = not kubeopenapi.validate(WIDGET, obj)
        try:
            fast(obj)
        except Exception:
            continue
        accepted += 1
        if not walk_valid:
            lenient.append(obj)
    assert lenient == []
    assert accepted > 500
