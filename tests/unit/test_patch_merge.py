"""JSON merge patch (RFC 7386) as `application/merge-patch+json` applies it."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.errors import StatusError
from apimachinery.patch.merge import merge_patch


@pytest.mark.parametrize(
    ("original", "patch", "expected"),
    [
        ({"data": {"a": "1", "b": "2"}}, {"data": {"a": None}}, {"data": {"b": "2"}}),
        ({"data": {"a": "1"}}, {"data": {"b": "2"}}, {"data": {"a": "1", "b": "2"}}),
        ({"data": {"a": "1"}}, {"data": None}, {}),
        ({"a": "x"}, {"missing": None}, {"a": "x"}),
        ({"list": [1, 2, 3]}, {"list": [4]}, {"list": [4]}),
        ({"obj": {"k": "v"}}, {"obj": "scalar"}, {"obj": "scalar"}),
        ({"obj": "scalar"}, {"obj": {"k": "v", "gone": None}}, {"obj": {"k": "v"}}),
        ({}, {"new": {"keep": 1, "drop": None, "deep": {"drop": None}}}, {"new": {"keep": 1, "deep": {}}}),
        ({"a": {"b": {"c": 1, "d": 2}}}, {"a": {"b": {"c": None, "e": 3}}}, {"a": {"b": {"d": 2, "e": 3}}}),
        ({"n": None}, {"n": {"x": None, "y": 1}}, {"n": {"y": 1}}),
        ({"a": 1}, {}, {"a": 1}),
        (
            {"metadata": {"finalizers": ["a"]}},
            {"metadata": {"finalizers": ["b"]}},
            {"metadata": {"finalizers": ["b"]}},
        ),
        ({"arr": []}, {"arr": [None, {"x": None}]}, {"arr": [None, {}]}),
    ],
)
def test_merge_patch(original: dict[str, Any], patch: dict[str, Any], expected: dict[str, Any]) -> None:
    assert merge_patch(original, patch) == expected


def test_inputs_are_not_modified() -> None:
    original = {"data": {"a": "1"}, "keep": {"x": 1}}
    patch = {"data": {"a": None, "b": "2"}}
    result = merge_patch(original, patch)
    assert original == {"data": {"a": "1"}, "keep": {"x": 1}}
    assert patch == {"data": {"a": None, "b": "2"}}
    assert result == {"data": {"b": "2"}, "keep": {"x": 1}}


def test_array_patch_replaces_the_document() -> None:
    assert merge_patch({"a": 1}, [1, None]) == [1, None]


@pytest.mark.parametrize("patch", [None, "text", 3, True])
def test_scalar_or_null_patch_is_400(patch: Any) -> None:
    with pytest.raises(StatusError) as raised:
        merge_patch({"a": 1}, patch)
    assert (raised.value.code, raised.value.message) == (400, "Invalid JSON Patch")
