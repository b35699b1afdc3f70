"""Cause constructors and the Go-style rendering of bad values in validation messages."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.errors import Cause
from apimachinery.validation import field


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        ("UPPER", '"UPPER"'),
        ('say "hi"\\', '"say \\"hi\\"\\\\"'),
        ("tab\tnew\nline", '"tab\\tnew\\nline"'),
        ("bell\x07", '"bell\\a"'),
        ("nul\x00", '"nul\\x00"'),
        ("é ü", '"é ü"'),
        ("\u200b", '"\\u200b"'),
        (True, "true"),
        (-3, "-3"),
        (1.5, "1.5"),
        (1000000.0, "1e+06"),
        (123456.0, "123456"),
        (0.00001, "1e-05"),
        (None, "null"),
        ([], "[]"),
        (["b", "a"], '["b","a"]'),
        ({"b": 1, "a": "<&>"}, '{"a":"\\u003c\\u0026\\u003e","b":1}'),
        (field.GoStruct({"z": 1, "a": 2}), '{"z":1,"a":2}'),
    ],
)
def test_render_value(value: Any, rendered: str) -> None:
    assert field.render_value(value) == rendered


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (None, "<nil>"),
        ("s", "s"),
        (2, "2"),
        (2.0, "2"),
        (False, "false"),
        ([1, "x", [2]], "[1 x [2]]"),
        ({"b": 1, "a": {"c": None}}, "map[a:map[c:<nil>] b:1]"),
    ],
)
def test_go_sprint(value: Any, printed: str) -> None:
    assert field.go_sprint(value) == printed


@pytest.mark.parametrize(
    ("cause", "expected"),
    [
        (
            field.invalid("metadata.name", "x", "detail"),
            Cause("FieldValueInvalid", 'Invalid value: "x": detail', "metadata.name"),
        ),
        (
            field.required("metadata.namespace"),
            Cause("FieldValueRequired", "Required value", "metadata.namespace"),
        ),
        (
            field.required("metadata.name", "why"),
            Cause("FieldValueRequired", "Required value: why", "metadata.name"),
        ),
        (field.forbidden("f", "no"), Cause("FieldValueForbidden", "Forbidden: no", "f")),
        (field.too_long("f", 1), Cause("FieldValueTooLong", "Too long: may not be more than 1 byte", "f")),
        (field.duplicate("f", "x"), Cause("FieldValueDuplicate", 'Duplicate value: "x"', "f")),
        (
            field.not_supported("f", "X", ["Apply", "Update"]),
            Cause("FieldValueNotSupported", 'Unsupported value: "X": supported values: "Apply", "Update"', "f"),
        ),
    ],
)
def test_cause_constructors(cause: Cause, expected: Cause) -> None:
    assert cause == expected


def test_aggregate_text_deduplicates_and_brackets() -> None:
    one = field.invalid("a", "x", "bad")
    two = field.required("b")
    assert field.aggregate_text([one]) == 'a: Invalid value: "x": bad'
    assert field.aggregate_text([one, one]) == 'a: Invalid value: "x": bad'
    assert field.aggregate_text([one, two]) == '[a: Invalid value: "x": bad, b: Required value]'
    assert field.error_text(field.invalid("", "x", "bad")) == '<nil>: Invalid value: "x": bad'
