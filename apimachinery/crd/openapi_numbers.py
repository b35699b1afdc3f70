"""The numeric checks of kube-openapi: type ranges of formats, multipleOf, minimum and maximum.

For integer values the bounds and factors are truncated to integers first (kube-openapi's "native
type" comparison), and a bound that does not fit the schema's numeric type and format is reported
on every value, as upstream does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from apimachinery.crd import openapi_errors as err
from apimachinery.crd.openapi_errors import OpenAPIError, Result, failed

Schema = Mapping[str, Any]
_MAX_JSON_INT = float(1 << 53)
_INT32 = (-(1 << 31), (1 << 31) - 1)
_INT64 = (-(1 << 63), (1 << 63) - 1)
_FLOAT32_MAX = 3.4028234663852886e38


def is_json_integer(value: float) -> bool:
    return math.isfinite(value) and -_MAX_JSON_INT <= value <= _MAX_JSON_INT and value == int(value)


def range_error(value: Any, type_name: str, fmt: str, prefix: str, path: str) -> OpenAPIError | None:
    """kube-openapi's `IsValueValidAgainstRange`: does `value` fit the numeric type and format?"""
    fits = True
    if type_name == "integer":
        low, high = _INT32 if fmt == "int32" else _INT64
        fits = (isinstance(value, int) or float(value).is_integer()) and low <= value <= high
    elif fmt in ("float", "float32"):
        fits = abs(value) <= _FLOAT32_MAX
    if fits:
        return None
    if fmt:
        return err.composite(f"{prefix} value must be of type {type_name} with format {fmt} in {path}")
    return err.composite(f"{prefix} value must be of type {type_name} (default format) in {path}")


def numeric_type(types: list[str], fmt: str) -> tuple[str, str]:
    """The (type, format) the number validator checks ranges with ("" when it checks none)."""
    if len(types) != 1 or types[0] not in ("integer", "number"):
        return "", ""
    allowed = ("int32", "int64") if types[0] == "integer" else ("float", "double")
    return types[0], fmt if fmt in allowed else ""


def number(schema: Schema, types: list[str], fmt: str, path: str, data: int | float) -> Result:
    type_name, number_format = numeric_type(types, fmt)
    result = Result()
    result.add(range_error(data, type_name, number_format, "Checked", path))
    parts = [
        _multiple_of(schema, type_name, number_format, path, data),
        _bound(schema, "minimum", type_name, number_format, path, data),
        _bound(schema, "maximum", type_name, number_format, path, data),
    ]
    result.merge(*parts)
    result.count += 1
    return result


def _multiple_of(schema: Schema, type_name: str, fmt: str, path: str, data: int | float) -> Result | None:
    factor = schema.get("multipleOf")
    if factor is None:
        return None
    result = failed(range_error(factor, type_name, fmt, "MultipleOf", path))
    native = not result.errors and isinstance(data, int)
    if native:
        whole = math.trunc(factor)
        if whole <= 0:
            return result.merge(failed(err.multiple_of_must_be_positive(path, whole)))
        if data % whole:
            result.add(err.not_multiple_of(path, whole, data))
        return result
    factor = float(factor)
    if factor <= 0:
        return result.merge(failed(err.multiple_of_must_be_positive(path, factor)))
    quotient = (1 / factor * data) if factor < 1 else data / factor
    if not is_json_integer(quotient):
        result.add(err.not_multiple_of(path, factor, data))
    return result


def _bound(schema: Schema, name: str, type_name: str, fmt: str, path: str, data: int | float) -> Result | None:
    limit = schema.get(name)
    if limit is None:
        return None
    maximum = name == "maximum"
    exclusive = bool(schema.get("exclusiveMaximum" if maximum else "exclusiveMinimum"))
    label = "Maximum boundary" if maximum else "Minimum boundary"
    result = failed(range_error(limit, type_name, fmt, label, path))
    shown: int | float = float(limit)
    if not result.errors and isinstance(data, int):
        shown = math.trunc(limit)
    over = data > shown or (exclusive and data == shown)
    under = data < shown or (exclusive and data == shown)
    if over if maximum else under:
        result.add(err.bound(path, shown, data, maximum=maximum, exclusive=exclusive))
    return result
