"""CRD-time checks of x-kubernetes-validations: compile errors, rule entries, oldSelf and cost limits."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.cel import CelCompiler, compile_schema, schema_field_paths
from apimachinery.errors import Cause

BASE = "spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0]"


def spec_with(rule: dict[str, Any], **properties: Any) -> dict[str, Any]:
    spec = {
        "type": "object",
        "properties": properties or {"replicas": {"type": "integer"}, "name": {"type": "string"}},
        "x-kubernetes-validations": [rule],
    }
    return {"type": "object", "properties": {"spec": spec}}


def rule_value(rule: str, **extra: str) -> str:
    message = extra.get("Message", "")
    expression = extra.get("MessageExpression", "")
    return (
        f'{{"Rule":"{rule}","Message":"{message}","MessageExpression":"{expression}",'
        '"Reason":null,"FieldPath":"","OptionalOldSelf":null}'
    )


@pytest.mark.parametrize(
    ("rule", "detail"),
    [
        (
            "self.replicas >",
            "compilation failed: ERROR: <input>:1:16: Syntax error: mismatched input '<EOF>'\n"
            " | self.replicas >\n | ...............^",
        ),
        (
            "self.replica == 1",
            "compilation failed: ERROR: <input>:1:5: undefined field 'replica'\n | self.replica == 1\n | ....^",
        ),
        (
            "foo == 1",
            "compilation failed: ERROR: <input>:1:1: undeclared reference to 'foo' (in container '')\n"
            " | foo == 1\n | ^",
        ),
        (
            "fakeFunction(self.name)",
            "compilation failed: ERROR: <input>:1:13: undeclared reference to 'fakeFunction' (in container '')\n"
            " | fakeFunction(self.name)\n | ............^",
        ),
        (
            "self.name == 1",
            "compilation failed: ERROR: <input>:1:11: found no matching overload for '_==_' applied to "
            "'(string, int)'\n | self.name == 1\n | ..........^",
        ),
        (
            "self.name.matches(')')",
            "compilation failed: ERROR: <input>:1:19: invalid matches argument\n"
            " | self.name.matches(')')\n | ..................^",
        ),
        ("self.replicas + 1", "cel expression must evaluate to a bool"),
    ],
)
def test_compile_errors(rule: str, detail: str) -> None:
    compiled = compile_schema(spec_with({"rule": rule}))
    value = rule_value(rule).replace(">", "\\u003e")
    assert compiled.errors == (Cause("FieldValueInvalid", f"Invalid value: {value}: {detail}", f"{BASE}.rule"),)


def test_nested_paths_and_a_custom_schema_path() -> None:
    item = {
        "type": "object",
        "properties": {"n": {"type": "integer"}},
        "x-kubernetes-validations": [{"rule": "self.x"}],
    }
    schema = {
        "type": "object",
        "properties": {"spec": {"type": "object", "properties": {"items": {"type": "array", "items": item}}}},
    }
    compiled = compile_schema(schema, field_path="spec.versions[1].schema.openAPIV3Schema")
    assert [cause.field for cause in compiled.errors] == [
        "spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[items].items.x-kubernetes-validations[0].rule"
    ]


def test_schema_field_paths_follow_upstream_hoisting() -> None:
    same = {"openAPIV3Schema": {"type": "object"}}
    assert schema_field_paths([{"schema": same}, {"schema": same}]) == ["spec.validation.openAPIV3Schema"] * 2
    other = {"openAPIV3Schema": {"type": "object", "description": "x"}}
    assert schema_field_paths([{"schema": same}, {"schema": other}]) == [
        "spec.versions[0].schema.openAPIV3Schema",
        "spec.versions[1].schema.openAPIV3Schema",
    ]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"rule": " "}, [Cause("FieldValueRequired", "Required value: rule is not specified", f"{BASE}.rule")]),
        (
            {"rule": "true", "message": "a\nb"},
            [Cause("FieldValueInvalid", 'Invalid value: "a\\nb": must not contain line breaks', f"{BASE}.message")],
        ),
        (
            {"rule": "true &&\ntrue"},
            [
                Cause(
                    "FieldValueRequired",
                    "Required value: message must be specified if rule contains line breaks",
                    f"{BASE}.message",
                )
            ],
        ),
        (
            {"rule": "true", "reason": "Nope"},
            [
                Cause(
                    "FieldValueNotSupported",
                    'Unsupported value: "Nope": supported values: "FieldValueDuplicate", "FieldValueForbidden", '
                    '"FieldValueInvalid", "FieldValueRequired"',
                    f"{BASE}.reason",
                )
            ],
        ),
        (
            {"rule": "true", "fieldPath": ".nope"},
            [Cause("FieldValueInvalid", 'Invalid value: ".nope": must be a valid path', f"{BASE}.fieldPath")],
        ),
    ],
)
def test_rule_entry_errors(rule: dict[str, Any], expected: list[Cause]) -> None:
    assert list(compile_schema(spec_with(rule)).errors) == expected


def test_message_expression_errors() -> None:
    compiled = compile_schema(spec_with({"rule": "true", "messageExpression": "self.replicas"}))
    value = rule_value("true", MessageExpression="self.replicas")
    assert compiled.errors == (
        Cause(
            "FieldValueInvalid",
            f"Invalid value: {value}: messageExpression must evaluate to a string",
            f"{BASE}.messageExpression",
        ),
    )
    compiled = compile_schema(spec_with({"rule": "true", "messageExpression": "nope"}))
    assert compiled.errors[0].message.endswith(
        "messageExpression compilation failed: ERROR: <input>:1:1: undeclared reference to 'nope' (in container '')\n"
        " | nope\n | ^"
    )


def test_old_self_is_forbidden_below_atomic_lists() -> None:
    items = {"type": "integer", "x-kubernetes-validations": [{"rule": "self >= oldSelf"}]}
    schema = spec_with({"rule": "true"}, list={"type": "array", "items": items})
    path = "spec.validation.openAPIV3Schema.properties[spec].properties[list]"
    assert compile_schema(schema).errors == (
        Cause(
            "FieldValueInvalid",
            f'Invalid value: "self >= oldSelf": oldSelf cannot be used on the uncorrelatable portion of the '
            f"schema within {path}",
            f"{path}.items.x-kubernetes-validations[0].rule",
        ),
    )
    map_list = {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["n"]}
    keyed: dict[str, Any] = {"type": "object", "properties": {"n": {"type": "string"}}}
    keyed["x-kubernetes-validations"] = [{"rule": "self == oldSelf"}]
    assert compile_schema(spec_with({"rule": "true"}, list={**map_list, "items": keyed})).errors == ()


def test_optional_old_self_requires_old_self() -> None:
    compiled = compile_schema(spec_with({"rule": "true", "optionalOldSelf": True}))
    assert compiled.errors == (
        Cause(
            "FieldValueInvalid",
            "Invalid value: true: may not be set if oldSelf is not used in rule",
            f"{BASE}.optionalOldSelf",
        ),
    )


def test_static_cost_rejects_nested_comprehensions_over_unbounded_lists() -> None:
    rule = {"rule": "self.l.all(x, self.l.all(y, x != y || x == y))"}
    compiled = compile_schema(spec_with(rule, l={"type": "array", "items": {"type": "string"}}))
    hint = (
        "(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, "
        "and strings are declared)"
    )
    assert compiled.errors == (
        Cause(
            "FieldValueForbidden",
            f"Forbidden: estimated rule cost exceeds budget by factor of more than 100x {hint}",
            f"{BASE}.rule",
        ),
        Cause(
            "FieldValueForbidden",
            "Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema",
            f"{BASE}.rule",
        ),
        Cause(
            "FieldValueForbidden",
            "Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds "
            f"budget by factor of more than 100x {hint}",
            "spec.validation.openAPIV3Schema",
        ),
    )
    bounded = spec_with(rule, l={"type": "array", "maxItems": 100, "items": {"type": "string"}})
    assert compile_schema(bounded).errors == ()


def test_single_comprehension_over_unbounded_list_is_allowed() -> None:
    rule = {"rule": "self.l.all(x, x.size() < 10)"}
    assert compile_schema(spec_with(rule, l={"type": "array", "items": {"type": "string"}})).errors == ()


def test_rules_in_all_of_run_but_report_no_crd_errors() -> None:
    schema = spec_with({"rule": "true"})
    schema["properties"]["spec"]["allOf"] = [{"x-kubernetes-validations": [{"rule": "self.replicas > 0"}]}]
    compiled = compile_schema(schema)
    assert compiled.errors == ()
    assert [cause.field for cause in compiled.validate({"spec": {"replicas": 0}})] == ["spec"]


def test_compiled_schemas_are_cached_by_content() -> None:
    compiler = CelCompiler(cache_size=2)
    first = compiler.compile_schema(spec_with({"rule": "self.replicas > 0"}))
    assert compiler.compile_schema(spec_with({"rule": "self.replicas > 0"})) is first
    assert compiler.compile_schema(spec_with({"rule": "self.replicas > 1"})) is not first
    assert compiler.compile_schema(spec_with({"rule": "self.replicas > 0"}), field_path="x") is not first
    assert compiler.compile_schema(spec_with({"rule": "self.replicas > 0"})) is not first  # evicted
