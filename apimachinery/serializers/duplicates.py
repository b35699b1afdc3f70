"""Duplicate keys in a JSON document (fieldValidation Strict and Warn report them as upstream does)."""

from __future__ import annotations

import json
from typing import Any


class _Pairs(dict[str, Any]):
    """A JSON object that remembers which of its keys appeared more than once."""

    duplicates: list[str]


def _hook(pairs: list[tuple[str, Any]]) -> _Pairs:
    obj = _Pairs()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj and key not in obj.duplicates:
            obj.duplicates.append(key)
        obj[key] = value
    return obj


def duplicate_fields(body: bytes) -> list[str]:
    """Dotted paths of repeated keys (`metadata.name`, `data.a`); empty for valid or non-object JSON."""
    try:
        document = json.loads(body, object_pairs_hook=_hook)
    except ValueError:
        return []
    found: list[str] = []
    _walk(document, "", found)
    return found


def _walk(value: Any, path: str, found: list[str]) -> None:
    if isinstance(value, _Pairs):
        found.extend(f"{path}.{key}" if path else key for key in value.duplicates)
        for key, child in value.items():
            _walk(child, f"{path}.{key}" if path else key, found)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _walk(child, f"{path}[{index}]", found)
