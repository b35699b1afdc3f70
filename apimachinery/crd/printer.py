"""Cells of `additionalPrinterColumns`, as upstream's custom resource table convertor fills them.

The column's JSONPath selects values (missing keys allowed); the first one becomes the cell:
- `string`: the value printed as client-go's JSONPath prints it (objects and arrays as compact JSON,
  `null` as `<no value>`, numbers as Go prints them);
- `integer`: an integer (floats truncated); `number`: a float; `boolean`: a bool;
- `date`: the age of an RFC 3339 timestamp (`5m`, `3d`), `<unknown>` for an empty or zero time and
  `<invalid>` for text that is not a timestamp; kubectl shows the server's text as is.
Anything else (no value, a type mismatch, an evaluation error) is `None`, an empty cell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from apimachinery.apis.columns import human_duration
from apimachinery.crd import jsonpath
from apimachinery.validation import field

_RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)


def column_path_error(json_path: str) -> str:
    """Upstream's error for a column whose JSONPath does not parse ("" when it parses)."""
    try:
        jsonpath.parse(json_path)
    except jsonpath.JSONPathError:
        return f"unrecognized column definition {field.go_quote(json_path)}"
    return ""


def cell(obj: Mapping[str, Any], json_path: str, column_type: str, *, now: datetime | None = None) -> Any:
    """The Table cell of one printer column for `obj`."""
    try:
        results = jsonpath.find(json_path, obj)
    except jsonpath.JSONPathError:
        return None
    if not results:
        return None
    value = results[0]
    if column_type == "string":
        return text(value)
    return typed_cell(column_type, value, now=now)


def text(value: Any) -> str:
    """A value as client-go's JSONPath printer writes it."""
    if value is None:
        return "<no value>"
    if isinstance(value, (Mapping, list)):
        return field.go_json(value)
    return field.go_sprint(value)


def typed_cell(column_type: str, value: Any, *, now: datetime | None = None) -> Any:
    if value is None or isinstance(value, bool) != (column_type == "boolean"):
        return None
    if column_type == "integer" and isinstance(value, (int, float)):
        return int(value)
    if column_type == "number" and isinstance(value, (int, float)):
        return float(value)
    if column_type == "boolean":
        return value
    if column_type == "date" and isinstance(value, str):
        return age(value, now=now)
    return None


def parse_timestamp(value: str) -> datetime | None:
    """Go's RFC 3339 parse (fractional seconds allowed); None when it fails."""
    match = _RFC3339.match(value)
    if match is None:
        return None
    zone = match.group(8)
    fraction = (match.group(7) or "")[1:7]
    iso = f"{value[:19]}{'.' + fraction if fraction else ''}{'+00:00' if zone == 'Z' else zone}"
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        return None


def age(value: str, *, now: datetime | None = None) -> str:
    """The cell of a `date` column: a human duration since `value`."""
    if value in ("", "null"):
        return "<unknown>"
    parsed = parse_timestamp(value)
    if parsed is None:
        return "<invalid>"
    if parsed == _ZERO_TIME:
        return "<unknown>"
    return human_duration(((now or datetime.now(UTC)) - parsed).total_seconds())
