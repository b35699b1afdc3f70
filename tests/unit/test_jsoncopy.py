"""json_copy: an independent deep copy of JSON values; non-JSON values fall back to copy.deepcopy."""

from __future__ import annotations

from apimachinery.jsoncopy import json_copy


def test_the_copy_is_equal_and_shares_nothing() -> None:
    original = {"metadata": {"name": "a", "labels": {"x": "1"}}, "items": [{"n": 1}, None, True, 2.5]}
    copied = json_copy(original)
    assert copied == original
    copied["metadata"]["labels"]["x"] = "2"
    copied["items"][0]["n"] = 9
    assert original["metadata"]["labels"]["x"] == "1" and original["items"][0]["n"] == 1


def test_values_orjson_cannot_encode_are_deep_copied() -> None:
    original = {"keys": {1: "int key"}, "set": {"a"}}
    copied = json_copy(original)
    assert copied == original and copied["set"] is not original["set"]
