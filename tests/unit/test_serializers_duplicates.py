"""Duplicate JSON keys are found with their dotted paths, at any depth, once each."""

from __future__ import annotations

import pytest

from apimachinery.serializers.duplicates import duplicate_fields


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"a":1}', []),
        (b'{"a":1,"a":2}', ["a"]),
        (b'{"a":1,"a":2,"a":3}', ["a"]),
        (b'{"metadata":{"name":"x","name":"y"}}', ["metadata.name"]),
        (b'{"rules":[{"verbs":[],"verbs":[]}]}', ["rules[0].verbs"]),
        (b"[1,2]", []),
        (b"not json", []),
    ],
)
def test_duplicate_fields(body: bytes, expected: list[str]) -> None:
    assert duplicate_fields(body) == expected
