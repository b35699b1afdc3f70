"""JSON values as field management sees them: kinds, equality, a total order, and two text forms.

Objects are plain decoded JSON (dict, list, str, int, float, bool, None). `MISSING` stands for "no value
here", which differs from JSON null. The order and the text forms follow structured-merge-diff, because
both are visible to clients: the order decides how fieldsV1 keys are listed, `to_string` how a path is
printed in a conflict message (`.data.a`, `[name="x"]`), `go_json` how `k:`/`v:` keys are spelled.
"""

from __future__ import annotations

import json
import math
from typing import Any, Final

from apimachinery.validation.field import go_float, go_quote


class _Missing:
    """The absence of a value (a map key that is not there), as opposed to JSON null."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def equal(left: Any, right: Any) -> bool:
    """Deep equality where true is not 1 and 1 equals 1.0, as JSON values compare."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if is_number(left) and is_number(right):
        return bool(left == right)
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(equal(v, right[k]) for k, v in left.items())
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(equal(a, b) for a, b in zip(left, right, strict=True))
    return type(left) is type(right) and bool(left == right)


def order_key(value: Any) -> tuple[Any, ...]:
    """A sort key giving the total order of values: numbers, strings, booleans, lists, maps, null."""
    if isinstance(value, bool):
        return (2, value)
    if is_number(value):
        return (0, float(value))
    if isinstance(value, str):
        return (1, value)
    if isinstance(value, list):
        return (3, tuple(order_key(item) for item in value))
    if isinstance(value, dict):
        return (4, tuple((key, order_key(value[key])) for key in sorted(value)))
    return (5,)


def _normal(value: Any) -> Any:
    """Integral floats become ints, so that 1 and 1.0 spell (and hash) the same."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_normal(item) for item in value]
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    return value


def go_json(value: Any) -> str:
    """Compact JSON with sorted keys and HTML-safe escapes, as Go's encoding/json writes it."""
    text = json.dumps(_normal(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028")):
        text = text.replace(raw, escaped)
    return text.replace("\u2029", "\\u2029")


def to_string(value: Any) -> str:
    """The human form used in path strings: strings quoted, numbers and booleans bare, null as null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ",".join(to_string(item) for item in value) + "]"
    if isinstance(value, dict):
        return "".join(f"{key}={to_string(value[key])}" for key in sorted(value))
    return "{{undefined}}"
