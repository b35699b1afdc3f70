"""A walk of a custom resource against its OpenAPI schema that finds every error kube-openapi finds.

The order of checks, their messages, and the quirks follow kube-openapi's `SchemaValidator`: every
validator that applies to a value runs (type, junctors, string, format, number, slice, enum, object),
`null` is only checked for type and enum, integral floats pass as integers, numeric bounds are truncated
to integers for integer values, `anyOf` reports the failures of its best-matching branch, and the
`x-kubernetes-int-or-string` type is `integer,string`. Schemas are the CRD's JSON (`openAPIV3Schema`).
Properties are visited in schema order (upstream's order is random).

Not covered: `patternProperties`, `dependencies`, tuple `items` and `additionalItems`, which CRDs forbid.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from apimachinery.crd import formats
from apimachinery.crd import openapi_errors as err
from apimachinery.crd.openapi_errors import OpenAPIError, Result, failed
from apimachinery.crd.openapi_numbers import is_json_integer, number

Schema = Mapping[str, Any]


def validate(schema: Schema, data: Any, path: str = "") -> list[OpenAPIError]:
    """Every error of `data` against `schema`; `path` is the dotted name of `data` in messages."""
    return validate_result(schema, data, path).errors


def schema_types(schema: Schema) -> list[str]:
    if schema.get("x-kubernetes-int-or-string"):
        return ["integer", "string"]
    return [schema["type"]] if schema.get("type") else []


def _format(schema: Schema, types: list[str]) -> str:
    return formats.kept_format(types[0] if len(types) == 1 else "", schema.get("format") or "")


def validate_result(schema: Schema, data: Any, path: str) -> Result:
    types = schema_types(schema)
    fmt = _format(schema, types)
    result = Result()
    if data is None:
        return result.merge(_type(schema, types, fmt, path, None), _enum(schema, path, None))
    kind = _kind(data)
    steps: list[Result | None] = []
    if types or fmt:
        steps.append(_type(schema, types, fmt, path, data))
    steps.append(_junctors(schema, path, data))
    if kind == "string":
        steps.append(_string(schema, path, data))
        if formats.checker(fmt) is not None:
            steps.append(_format_check(fmt, path, data))
    if kind in ("integer", "number"):
        steps.append(number(schema, types, fmt, path, data))
    if kind == "array":
        steps.append(_array(schema, path, data))
    steps.append(_enum(schema, path, data))
    if kind == "object":
        steps.append(_object(schema, path, data))
    for step in steps:
        result.merge(step)
        result.count += 1
    result.count += 1
    return result


def _kind(data: Any) -> str:
    if isinstance(data, bool):
        return "boolean"
    if isinstance(data, int):
        return "integer"
    if isinstance(data, float):
        return "number"
    if isinstance(data, str):
        return "string"
    return "array" if isinstance(data, list) else "object"


def _type(schema: Schema, types: list[str], fmt: str, path: str, data: Any) -> Result:
    if data is None:
        if types and "null" not in types and not schema.get("nullable"):
            return failed(err.invalid_type(path, ",".join(types), "null"))
        return Result(count=1)
    kind = _kind(data)
    data_format = {"integer": "int64", "number": "float64"}.get(kind, "")
    accepted = kind in types or (kind == "number" and "integer" in types and is_json_integer(data))
    accepted = accepted or (kind == "integer" and "number" in types)
    textual = kind in ("string", "array")
    if not textual and fmt and not (accepted or data_format == fmt):
        return failed(err.invalid_type(path, fmt, data_format))
    if fmt and textual and not ("number" in types or "integer" in types):
        return Result(count=1)
    if not accepted:
        return failed(err.invalid_type(path, ",".join(types), kind))
    return Result(count=1)


def _junctors(schema: Schema, path: str, data: Any) -> Result:
    result = Result()
    if schema.get("anyOf"):
        result.merge(_any_of(schema["anyOf"], path, data))
    if schema.get("oneOf"):
        result.merge(_one_of(schema["oneOf"], path, data))
    if schema.get("allOf"):
        results = [validate_result(sub, data, path) for sub in schema["allOf"]]
        result.merge(*results)
        valid = sum(1 for r in results if not r.errors)
        if valid != len(results):
            suffix = ". None validated" if valid == 0 else ""
            result.add(err.composite(f"{_q(path)} must validate all the schemas (allOf){suffix}"))
    if isinstance(schema.get("not"), Mapping) and not validate_result(schema["not"], data, path).errors:
        result.add(err.composite(f"{_q(path)} must not validate the schema (not)"))
    result.count += 1
    return result


def _q(path: str) -> str:
    return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _any_of(branches: list[Schema], path: str, data: Any) -> Result:
    best: Result | None = None
    for branch in branches:
        result = validate_result(branch, data, path)
        if not result.errors:
            return Result(count=result.count)
        if best is None or result.count > best.count:
            best = result
    return failed(err.composite(f"{_q(path)} must validate at least one schema (anyOf)")).merge(best)


def _one_of(branches: list[Schema], path: str, data: Any) -> Result:
    best: Result | None = None
    first_success: Result | None = None
    valid = 0
    for branch in branches:
        result = validate_result(branch, data, path)
        if not result.errors:
            valid += 1
            best = None
            first_success = first_success or result
        elif valid == 0 and (best is None or result.count > best.count):
            best = result
    if valid == 1:
        return Result(count=first_success.count if first_success else 0)
    found = "Found none valid" if valid == 0 else f"Found {valid} valid alternatives"
    return failed(err.composite(f"{_q(path)} must validate one and only one schema (oneOf). {found}")).merge(best)


_UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")


def go_pattern(pattern: str) -> str:
    """A Go (RE2) pattern for Python's `re`: `$` and `\\z` match only at the very end, as in Go."""
    return _UNESCAPED_DOLLAR.sub(r"\\Z", pattern).replace(r"\z", r"\Z")


def _string(schema: Schema, path: str, data: str) -> Result | None:
    length = len(data)
    if schema.get("maxLength") is not None and length > schema["maxLength"]:
        return failed(err.too_long(path, schema["maxLength"], data))
    if schema.get("minLength") is not None and length < schema["minLength"]:
        return failed(err.too_short(path, schema["minLength"], data))
    pattern = schema.get("pattern")
    if pattern:
        try:
            matched = re.search(go_pattern(pattern), data) is not None
        except re.error as error:
            return failed(err.failed_pattern(path, f"{pattern}, but pattern is invalid: {error}", data))
        if not matched:
            return failed(err.failed_pattern(path, pattern, data))
    return None


def _format_check(fmt: str, path: str, data: str) -> Result | None:
    check = formats.checker(fmt)
    if check is None or check(data):
        return None
    return failed(err.invalid_type(path, fmt, data))


def _array(schema: Schema, path: str, data: list[Any]) -> Result:
    result = Result()
    items = schema.get("items")
    if isinstance(items, Mapping):
        for i, item in enumerate(data):
            result.merge(validate_result(items, item, f"{path}[{i}]"))
    if schema.get("minItems") is not None and len(data) < schema["minItems"]:
        result.add(err.too_few_items(path, schema["minItems"], len(data)))
    if schema.get("maxItems") is not None and len(data) > schema["maxItems"]:
        result.add(err.too_many_items(path, schema["maxItems"], len(data)))
    if schema.get("uniqueItems") and any(go_equal(a, b) for i, a in enumerate(data) for b in data[:i]):
        result.add(err.duplicate_items(path))
    result.count += 1
    return result


def _enum(schema: Schema, path: str, data: Any) -> Result | None:
    values = schema.get("enum")
    if not values:
        return None
    if data is not None and any(enum_matches(data, value) for value in values):
        return None
    return failed(err.enum_fail(path, data, list(values)))


def go_equal(a: Any, b: Any) -> bool:
    """Go's `reflect.DeepEqual` on decoded JSON: integers, floats and booleans are distinct types."""
    if _kind(a) != _kind(b) or (a is None) != (b is None):
        return False
    if isinstance(a, Mapping):
        return a.keys() == b.keys() and all(go_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(go_equal(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def enum_matches(data: Any, value: Any) -> bool:
    """kube-openapi's enum match: deep equality, or equality after a Go conversion to the enum's type."""
    if value is None:
        return False
    if go_equal(data, value):
        return True
    data_kind, value_kind = _kind(data), _kind(value)
    if data_kind == "integer" and value_kind == "number":
        return bool(float(data) == value)
    if data_kind == "number" and value_kind == "integer":
        return bool(math.trunc(data) == value)
    if data_kind == "integer" and value_kind == "string":
        return bool((chr(data) if 0 <= data <= 0x10FFFF and not 0xD800 <= data <= 0xDFFF else "\ufffd") == value)
    return False


def _object(schema: Schema, path: str, data: Mapping[str, Any]) -> Result:
    result = Result()
    size = len(data)
    if schema.get("minProperties") is not None and size < schema["minProperties"]:
        result.add(err.too_few_properties(path, schema["minProperties"], size))
    if schema.get("maxProperties") is not None and size > schema["maxProperties"]:
        result.add(err.too_many_properties(path, schema["maxProperties"], size))
    properties = schema.get("properties") or {}
    additional = schema.get("additionalProperties")
    for key, value in data.items():
        if key in properties:
            continue
        if additional is False:
            result.add(err.property_not_allowed(path, key))
        elif isinstance(additional, Mapping):
            result.merge(validate_result(additional, value, f"{path}.{key}"))
    for name, sub in properties.items():
        if name in data:
            result.merge(validate_result(sub, data[name], f"{path}.{name}" if path else name))
    for name in schema.get("required") or []:
        if name not in data:
            result.add(err.required(f"{path}.{name}"))
    return result
