"""Evaluating x-kubernetes-validations against custom resources: messages, paths and transition rules."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.cel import blocking_cause, compile_schema
from apimachinery.errors import Cause


def crd_schema(spec_rules: list[dict[str, Any]], **spec_properties: Any) -> dict[str, Any]:
    properties = spec_properties or {"replicas": {"type": "integer"}, "minReplicas": {"type": "integer"}}
    spec = {"type": "object", "properties": properties, "x-kubernetes-validations": spec_rules}
    return {"type": "object", "properties": {"spec": spec}}


def validate(schema: dict[str, Any], obj: dict[str, Any], old: dict[str, Any] | None = None) -> list[Cause]:
    compiled = compile_schema(schema)
    assert compiled.errors == ()
    return compiled.validate(obj, old)


REPLICAS = "self.minReplicas <= self.replicas"


@pytest.mark.parametrize(
    ("rule", "spec", "expected"),
    [
        (
            {"rule": REPLICAS, "message": "replicas must be >= minReplicas"},
            {"replicas": 1, "minReplicas": 3},
            [Cause("FieldValueInvalid", 'Invalid value: "object": replicas must be >= minReplicas', "spec")],
        ),
        ({"rule": REPLICAS, "message": "m"}, {"replicas": 3, "minReplicas": 3}, []),
        (
            {"rule": REPLICAS},
            {"replicas": 1, "minReplicas": 3},
            [Cause("FieldValueInvalid", f'Invalid value: "object": failed rule: {REPLICAS}', "spec")],
        ),
        (
            {
                "rule": REPLICAS,
                "messageExpression": "'replicas ' + string(self.replicas) + ' < ' + string(self.minReplicas)",
            },
            {"replicas": 1, "minReplicas": 3},
            [Cause("FieldValueInvalid", 'Invalid value: "object": replicas 1 < 3', "spec")],
        ),
        (  # a messageExpression that fails to evaluate falls back to message
            {"rule": REPLICAS, "message": "fallback", "messageExpression": "'x' + string(1 / 0)"},
            {"replicas": 1, "minReplicas": 3},
            [Cause("FieldValueInvalid", 'Invalid value: "object": fallback', "spec")],
        ),
        (  # ... and an empty result to the default message
            {"rule": REPLICAS, "messageExpression": "'  '"},
            {"replicas": 1, "minReplicas": 3},
            [Cause("FieldValueInvalid", f'Invalid value: "object": failed rule: {REPLICAS}', "spec")],
        ),
        (
            {"rule": REPLICAS, "message": "too few", "fieldPath": ".replicas"},
            {"replicas": 1, "minReplicas": 3},
            [Cause("FieldValueInvalid", 'Invalid value: "object": too few', "spec.replicas")],
        ),
        (
            {"rule": REPLICAS, "message": "no", "reason": "FieldValueForbidden"},
            {"replicas": 1, "minReplicas": 3},
            [Cause("FieldValueForbidden", "Forbidden: no", "spec")],
        ),
        (
            {"rule": REPLICAS, "message": "needed", "reason": "FieldValueRequired"},
            {"replicas": 1, "minReplicas": 3},
            [Cause("FieldValueRequired", "Required value: needed", "spec")],
        ),
        (
            {"rule": REPLICAS, "message": "twice", "reason": "FieldValueDuplicate"},
            {"replicas": 1, "minReplicas": 3},
            [Cause("FieldValueDuplicate", 'Duplicate value: "object"', "spec")],
        ),
        (
            {"rule": "self.replicas == 1"},
            {"minReplicas": 3},
            [
                Cause(
                    "FieldValueInvalid",
                    'Invalid value: "object": no such key: replicas evaluating rule: self.replicas == 1',
                    "spec",
                )
            ],
        ),
    ],
)
def test_rule_outcomes(rule: dict[str, Any], spec: dict[str, Any], expected: list[Cause]) -> None:
    assert validate(crd_schema([rule]), {"spec": spec}) == expected


def test_transition_rule_skipped_on_create_and_rejects_a_decrease() -> None:
    replicas = {
        "type": "integer",
        "x-kubernetes-validations": [{"rule": "self >= oldSelf", "message": "no scale down"}],
    }
    schema = crd_schema([], replicas=replicas)
    assert validate(schema, {"spec": {"replicas": 1}}) == []
    assert validate(schema, {"spec": {"replicas": 5}}, {"spec": {"replicas": 3}}) == []
    assert validate(schema, {"spec": {"replicas": 1}}, {"spec": {"replicas": 3}}) == [
        Cause("FieldValueInvalid", 'Invalid value: "integer": no scale down', "spec.replicas")
    ]
    assert validate(schema, {"spec": {"replicas": 1}}, {"spec": {}}) == []


def test_optional_old_self_runs_on_create() -> None:
    rule = {"rule": "oldSelf.hasValue() ? self >= oldSelf.value() : self == 1", "optionalOldSelf": True}
    schema = crd_schema([], replicas={"type": "integer", "x-kubernetes-validations": [rule]})
    assert validate(schema, {"spec": {"replicas": 1}}) == []
    assert len(validate(schema, {"spec": {"replicas": 2}})) == 1
    assert len(validate(schema, {"spec": {"replicas": 1}}, {"spec": {"replicas": 2}})) == 1


def test_map_list_items_correlate_by_key() -> None:
    port = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "port": {"type": "integer"}},
        "x-kubernetes-validations": [{"rule": "self.port == oldSelf.port", "message": "port is immutable"}],
    }
    ports = {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"], "items": port}
    schema = crd_schema([], ports=ports)
    old = {"spec": {"ports": [{"name": "a", "port": 1}, {"name": "b", "port": 2}]}}
    reordered = {"spec": {"ports": [{"name": "b", "port": 2}, {"name": "a", "port": 1}, {"name": "c", "port": 9}]}}
    assert validate(schema, reordered, old) == []
    changed = {"spec": {"ports": [{"name": "b", "port": 3}]}}
    assert validate(schema, changed, old) == [
        Cause("FieldValueInvalid", 'Invalid value: "object": port is immutable', "spec.ports[0]")
    ]


def test_root_rules_see_metadata_name_and_report_nil_path() -> None:
    schema = {
        "type": "object",
        "properties": {"metadata": {"type": "object"}, "spec": {"type": "object"}},
        "x-kubernetes-validations": [{"rule": "self.metadata.name.startsWith('web-') && self.kind == 'App'"}],
    }
    ok = {"kind": "App", "metadata": {"name": "web-1", "labels": {"a": "b"}}, "spec": {}}
    assert validate(schema, ok) == []
    causes = validate(schema, {**ok, "metadata": {"name": "db"}})
    assert causes == [
        Cause(
            "FieldValueInvalid",
            "Invalid value: \"object\": failed rule: self.metadata.name.startsWith('web-') && self.kind == 'App'",
            "<nil>",
        )
    ]


@pytest.mark.parametrize(
    ("properties", "rule", "spec", "failing_path"),
    [
        ({"foo-bar": {"type": "string"}}, "self.foo__dash__bar == 'x'", {"foo-bar": "y"}, "spec"),
        ({"namespace": {"type": "string"}}, "self.__namespace__ == 'x'", {"namespace": "y"}, "spec"),
        (
            {"labels": {"type": "object", "additionalProperties": {"type": "string"}}},
            "self.labels.all(k, self.labels[k].size() < 3)",
            {"labels": {"a": "long"}},
            "spec",
        ),
        (
            {"v": {"x-kubernetes-int-or-string": True}},
            "type(self.v) == string ? self.v.endsWith('%') : self.v >= 0",
            {"v": "50"},
            "spec",
        ),
        (
            {"v": {"x-kubernetes-int-or-string": True}},
            "type(self.v) == string ? self.v.endsWith('%') : self.v >= 0",
            {"v": -1},
            "spec",
        ),
        ({"ratio": {"type": "number"}}, "self.ratio < 0.5", {"ratio": 1}, "spec"),
        ({"d": {"type": "string", "format": "duration"}}, "self.d < duration('1h')", {"d": "2h"}, "spec"),
        (
            {"t": {"type": "string", "format": "date-time"}},
            "self.t > timestamp('2020-01-01T00:00:00Z')",
            {"t": "2019-01-01T00:00:00Z"},
            "spec",
        ),
    ],
)
def test_values_are_typed_by_the_schema(
    properties: dict[str, Any], rule: str, spec: dict[str, Any], failing_path: str
) -> None:
    causes = validate(crd_schema([{"rule": rule}], **properties), {"spec": spec})
    assert [cause.field for cause in causes] == [failing_path]


def test_rules_on_map_values_report_the_key() -> None:
    labels = {
        "type": "object",
        "additionalProperties": {"type": "string", "x-kubernetes-validations": [{"rule": "self != ''"}]},
    }
    causes = validate(crd_schema([], labels=labels), {"spec": {"labels": {"ok": "x", "empty": ""}}})
    assert causes == [
        Cause("FieldValueInvalid", "Invalid value: \"string\": failed rule: self != ''", "spec.labels[empty]")
    ]


def test_set_lists_compare_regardless_of_order() -> None:
    tags = {
        "type": "array",
        "x-kubernetes-list-type": "set",
        "items": {"type": "string"},
        "x-kubernetes-validations": [{"rule": "self == oldSelf", "message": "immutable"}],
    }
    schema = crd_schema([], tags=tags)
    assert validate(schema, {"spec": {"tags": ["b", "a"]}}, {"spec": {"tags": ["a", "b"]}}) == []
    assert len(validate(schema, {"spec": {"tags": ["a", "c"]}}, {"spec": {"tags": ["a", "b"]}})) == 1


def test_runtime_overload_error_on_int_or_string() -> None:
    rule = "self.v + 1 > 0"
    causes = validate(crd_schema([{"rule": rule}], v={"x-kubernetes-int-or-string": True}), {"spec": {"v": "a"}})
    detail = (
        "'no such overload': call arguments did not match a supported operator, function or macro signature "
        f"for rule: {rule}"
    )
    assert causes == [Cause("FieldValueInvalid", f'Invalid value: "object": {detail}', "spec")]


def test_null_and_absent_values_are_not_validated() -> None:
    name = {"type": "string", "nullable": True, "x-kubernetes-validations": [{"rule": "self.size() > 3"}]}
    schema = crd_schema([], name=name)
    assert validate(schema, {"spec": {"name": None}}) == []
    assert validate(schema, {"spec": {}}) == []
    assert validate(schema, {}) == []


def test_unchanged_values_ratchet_to_warnings_on_update() -> None:
    name = {"type": "string", "x-kubernetes-validations": [{"rule": "self.size() > 3", "message": "too short"}]}
    compiled = compile_schema(crd_schema([], name=name, other={"type": "string"}))
    old = {"spec": {"name": "ab", "other": "x"}}
    unchanged = compiled.validate_with_warnings({"spec": {"name": "ab", "other": "y"}}, old)
    assert unchanged.causes == []
    assert unchanged.warnings == ['spec.name: Invalid value: "string": too short']
    changed = compiled.validate_with_warnings({"spec": {"name": "abc", "other": "x"}}, old)
    assert [cause.field for cause in changed.causes] == ["spec.name"]


def test_embedded_resources_expose_kind_and_metadata_name() -> None:
    template = {
        "type": "object",
        "x-kubernetes-embedded-resource": True,
        "properties": {"spec": {"type": "object"}},
        "x-kubernetes-validations": [{"rule": "self.kind == 'Pod' && self.metadata.name != ''"}],
    }
    schema = crd_schema([], template=template)
    assert validate(schema, {"spec": {"template": {"kind": "Pod", "metadata": {"name": "p"}}}}) == []
    causes = validate(schema, {"spec": {"template": {"kind": "Job", "metadata": {"name": "p"}}}})
    assert [cause.field for cause in causes] == ["spec.template"]


@pytest.mark.parametrize(
    ("reason", "blocked"),
    [("FieldValueRequired", True), ("FieldValueTypeInvalid", True), ("FieldValueInvalid", False)],
)
def test_blocking_schema_errors_replace_rule_evaluation(reason: str, blocked: bool) -> None:
    cause = blocking_cause([Cause(reason, "x", "spec.x")])
    expected = Cause(
        "FieldValueInvalid",
        "Invalid value: null: some validation rules were not checked because the object was invalid; "
        "correct the existing errors to complete validation",
        "<nil>",
    )
    assert cause == (expected if blocked else None)
