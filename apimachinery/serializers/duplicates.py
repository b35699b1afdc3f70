"""JSON decoding that keeps track of repeated keys, for fieldValidation (Strict and Warn).

`loads_tracking` parses a request body once (the stdlib C scanner, with a cheap pairs hook): an object
whose keys are all distinct becomes a plain dict; an object with a repeated key becomes a `Pairs` dict
(last value wins, as in a Go map) that also keeps every (key, value) pair in document order, so that
the typed decoder can replay them as Go's decoder would. The values equal what orjson decodes (which
the rest of the server expects): integers beyond 64 bits become floats; NaN, infinite numbers, lone
surrogates, byte order marks and invalid UTF-8 are errors, with orjson's text.

`duplicate_paths` lists repeated keys the way upstream's strict decoder reports them when it decodes
into untyped maps (custom resources, merge and strategic merge patch bodies): every object at any
depth, in document order, each path once (`metadata.name`, `spec.ports[0].hostPort`).
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

_U64_MAX = 2**64 - 1
_I64_MIN = -(2**63)


class Pairs(dict[str, Any]):
    """A decoded JSON object with a repeated key: the dict holds the last values, `pairs` all of them."""

    pairs: list[tuple[str, Any]]


class _Tracker:
    """The object_pairs_hook of one decoding: builds dicts and remembers whether any key repeated."""

    __slots__ = ("found",)

    def __init__(self) -> None:
        self.found = False

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        self.found = True
        repeated = Pairs(obj)
        repeated.pairs = pairs
        return repeated


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid literal {name}")


def _orjson_int(text: str) -> int | float:
    """An integer as orjson reads it: beyond 64 bits it becomes a float."""
    number = int(text)
    return number if _I64_MIN <= number <= _U64_MAX else float(text)


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError("number is infinity when parsed as double")  # orjson rejects it too
    return number


def loads_tracking(body: bytes) -> tuple[Any, bool]:
    """(value, whether some object repeats a key); raises orjson.JSONDecodeError for invalid JSON."""
    if b"\\" in body and (b"\\ud" in body or b"\\uD" in body):
        orjson.loads(body)  # orjson rejects lone surrogates, which stdlib json would decode
    tracker = _Tracker()
    try:
        value = json.loads(
            body.decode(),
            object_pairs_hook=tracker,
            parse_constant=_reject_constant,
            parse_int=_orjson_int,
            parse_float=_finite_float,
        )
    except (ValueError, RecursionError):
        return orjson.loads(body), False  # orjson's error text, as before
    return value, tracker.found


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def duplicate_paths(value: Any, path: str = "", found: list[str] | None = None) -> list[str]:
    """Repeated keys of a `loads_tracking` value decoded into untyped maps, in upstream's order."""
    found = [] if found is None else found
    if isinstance(value, Pairs):
        seen: set[str] = set()
        for key, item in value.pairs:
            child = _child(path, key)
            if key in seen and child not in found:
                found.append(child)
            seen.add(key)
            duplicate_paths(item, child, found)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                duplicate_paths(item, _child(path, key), found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, (dict, list)):
                duplicate_paths(item, f"{path}[{index}]", found)
    return found


def plain(value: Any) -> Any:
    """The value with every `Pairs` replaced by a plain dict (last value of a repeated key wins)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def duplicate_fields(body: bytes) -> list[str]:
    """Dotted paths of repeated keys of a JSON body (`metadata.name`, `data.a`); empty if it is not JSON."""
    try:
        value, repeated = loads_tracking(body)
    except orjson.JSONDecodeError:
        return []
    return duplicate_paths(value) if repeated else []
