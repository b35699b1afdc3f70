"""Field-level validation errors, rendered exactly as the Kubernetes API server renders them.

Owns the cause constructors (`invalid`, `required`, `forbidden`, `too_long`, `not_supported`,
`duplicate`), the `reason` strings of `details.causes`, and the Go-style value rendering those messages
use (`%q` for strings, JSON for everything that is not a scalar). The message of a cause is the body
without the field path, e.g. `Invalid value: "UPPER": a lowercase RFC 1123 subdomain ...`.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from apimachinery.errors import Cause

FIELD_VALUE_INVALID = "FieldValueInvalid"
FIELD_VALUE_REQUIRED = "FieldValueRequired"
FIELD_VALUE_FORBIDDEN = "FieldValueForbidden"
FIELD_VALUE_TOO_LONG = "FieldValueTooLong"
FIELD_VALUE_NOT_SUPPORTED = "FieldValueNotSupported"
FIELD_VALUE_DUPLICATE = "FieldValueDuplicate"

_SIMPLE_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
_JSON_HTML_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def go_quote(text: str) -> str:
    """A double-quoted string as Go's `%q` prints it: printable runes kept, the rest escaped."""
    out = ['"']
    for char in text:
        if char in ('"', "\\"):
            out.append("\\" + char)
        elif char in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[char])
        elif char == " " or (char.isprintable() and not char.isspace()):
            out.append(char)
        elif ord(char) < 0x80:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    out.append('"')
    return "".join(out)


def go_float(number: float) -> str:
    """A float64 as Go's `%v` prints it: shortest digits, exponent form below 1e-4 or from 1e+06."""
    if math.isinf(number):
        return "+Inf" if number > 0 else "-Inf"
    if math.isnan(number):
        return "NaN"
    if number == 0:
        return "-0" if math.copysign(1, number) < 0 else "0"
    exact = Decimal(repr(number)).normalize()
    sign, digits, exponent = exact.as_tuple()
    point = len(digits) + int(exponent) - 1
    if -4 <= point < 6:
        return format(exact, "f")
    text = "".join(map(str, digits))
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e{'-' if point < 0 else '+'}{abs(point):02d}"


class GoStruct(dict[str, Any]):
    """A JSON object that stands for a Go struct: marshalled in field order, not sorted like a map."""


def _holds_struct(value: Any) -> bool:
    if isinstance(value, GoStruct):
        return True
    if isinstance(value, dict):
        return any(_holds_struct(v) for v in value.values())
    return isinstance(value, list) and any(_holds_struct(v) for v in value)


def go_json(value: Any) -> str:
    """Compact JSON with HTML-safe escapes, as Go's `json.Marshal` writes it (map keys sorted)."""
    sort_keys = not _holds_struct(value)
    text = json.dumps(value, sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in _JSON_HTML_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


def render_value(value: Any) -> str:
    """How a bad value appears in an `Invalid value: ...` message."""
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    return go_json(value)


def go_sprint(value: Any) -> str:
    """A decoded JSON value as Go's `%v` prints an `interface{}` holding it."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, dict):
        items = " ".join(f"{key}:{go_sprint(value[key])}" for key in sorted(value))
        return f"map[{items}]"
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(item) for item in value) + "]"
    return str(value)


def go_type_name(value: Any) -> str:
    """The Go type a decoded JSON value has in the API server (`%s` of its reflect.Type)."""
    if value is None:
        return "%!s(<nil>)"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map[string]interface {}"
    return "[]interface {}"


def _with_detail(body: str, detail: str) -> str:
    return f"{body}: {detail}" if detail else body


def invalid(path: str, value: Any, detail: str) -> Cause:
    return Cause(FIELD_VALUE_INVALID, _with_detail(f"Invalid value: {render_value(value)}", detail), path)


def required(path: str, detail: str = "") -> Cause:
    return Cause(FIELD_VALUE_REQUIRED, _with_detail("Required value", detail), path)


def forbidden(path: str, detail: str) -> Cause:
    return Cause(FIELD_VALUE_FORBIDDEN, _with_detail("Forbidden", detail), path)


def duplicate(path: str, value: Any) -> Cause:
    return Cause(FIELD_VALUE_DUPLICATE, f"Duplicate value: {render_value(value)}", path)


def too_long(path: str, max_length: int) -> Cause:
    unit = "byte" if max_length == 1 else "bytes"
    return Cause(FIELD_VALUE_TOO_LONG, f"Too long: may not be more than {max_length} {unit}", path)


def not_supported(path: str, value: Any, supported: list[str]) -> Cause:
    detail = "supported values: " + ", ".join(go_quote(v) for v in supported) if supported else ""
    return Cause(
        FIELD_VALUE_NOT_SUPPORTED, _with_detail(f"Unsupported value: {render_value(value)}", detail), path
    )


def error_text(cause: Cause) -> str:
    """`field: message`, as one error of a Go `field.ErrorList` prints (`<nil>` for no path)."""
    return f"{cause.field or '<nil>'}: {cause.message}"


def aggregate_text(causes: list[Cause]) -> str:
    """The text of an aggregate of field errors: one message, or `[a, b]` without duplicates."""
    texts = list(dict.fromkeys(error_text(cause) for cause in causes))
    return texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
