"""kube-openapi validation errors and their conversion to `details.causes`, worded as upstream.

kube-openapi names the offending value by its dotted path inside the validated document (`spec.replicas`)
and says `in body`; the API server then turns each error into one field error: `Required value`,
`Unsupported value: "x": supported values: "a", "b"`, `Too long: may not be more than 5 bytes`,
`Too many: 4: must have at most 3 items`, `Invalid value: "string": spec.replicas in body must be of
type integer: "string"` (reason `FieldValueTypeInvalid`) and `Invalid value: 10: spec.replicas in body
should be less than or equal to 5` for the rest. Errors without a path (`anyOf`, `oneOf`, `allOf`,
`not`, range checks of numeric formats) become `Invalid value: ""` at the validated root.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from apimachinery.crd.fieldpath import child
from apimachinery.errors import Cause
from apimachinery.validation import field

IN = "body"
REQUIRED, ENUM, TOO_LONG, MAX_ITEMS, MAX_PROPERTIES, TYPE, OTHER, COMPOSITE = (
    "required",
    "enum",
    "tooLong",
    "maxItems",
    "maxProperties",
    "type",
    "other",
    "composite",
)
FIELD_VALUE_TYPE_INVALID = "FieldValueTypeInvalid"
FIELD_VALUE_TOO_MANY = "FieldValueTooMany"


@dataclass(frozen=True)
class OpenAPIError:
    """One kube-openapi error: `code` picks the field error, `name` is the dotted path ("" for none)."""

    code: str
    name: str
    message: str
    value: Any = None
    valid: Any = None
    values: tuple[Any, ...] = ()


def go_v(value: Any) -> str:
    """Go's `%v` for the numbers and strings these messages print."""
    if isinstance(value, float):
        return field.go_float(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _where(name: str) -> str:
    return f"{name} in {IN}"


def invalid_type(name: str, type_name: str, value: Any) -> OpenAPIError:
    if isinstance(value, str):
        message = f"{_where(name)} must be of type {type_name}: {field.go_quote(value)}"
    else:
        message = f"{_where(name)} must be of type {type_name}"
    return OpenAPIError(TYPE, name, message, value)


def required(name: str) -> OpenAPIError:
    return OpenAPIError(REQUIRED, name, f"{_where(name)} is required")


def enum_fail(name: str, value: Any, values: list[Any]) -> OpenAPIError:
    shown = "[" + " ".join(field.go_sprint(v) for v in values) + "]"
    return OpenAPIError(ENUM, name, f"{_where(name)} should be one of {shown}", value, values=tuple(values))


def too_long(name: str, maximum: int, value: str) -> OpenAPIError:
    return OpenAPIError(TOO_LONG, name, f"{_where(name)} should be at most {maximum} chars long", value, maximum)


def too_short(name: str, minimum: int, value: str) -> OpenAPIError:
    return OpenAPIError(OTHER, name, f"{_where(name)} should be at least {minimum} chars long", value, minimum)


def failed_pattern(name: str, pattern: str, value: str) -> OpenAPIError:
    return OpenAPIError(OTHER, name, f"{_where(name)} should match '{pattern}'", value)


def too_many_items(name: str, maximum: int, size: int) -> OpenAPIError:
    return OpenAPIError(MAX_ITEMS, name, f"{_where(name)} should have at most {maximum} items", size, maximum)


def too_few_items(name: str, minimum: int, size: int) -> OpenAPIError:
    return OpenAPIError(OTHER, name, f"{_where(name)} should have at least {minimum} items", size, minimum)


def duplicate_items(name: str) -> OpenAPIError:
    return OpenAPIError(OTHER, name, f"{_where(name)} shouldn't contain duplicates")


def too_many_properties(name: str, maximum: int, size: int) -> OpenAPIError:
    return OpenAPIError(MAX_PROPERTIES, name, f"{_where(name)} should have at most {maximum} properties", size, maximum)


def too_few_properties(name: str, minimum: int, size: int) -> OpenAPIError:
    return OpenAPIError(OTHER, name, f"{_where(name)} should have at least {minimum} properties", size, minimum)


def property_not_allowed(name: str, key: str) -> OpenAPIError:
    return OpenAPIError(OTHER, name, f"{name}.{key} in {IN} is a forbidden property", key)


def bound(name: str, limit: Any, value: Any, *, maximum: bool, exclusive: bool) -> OpenAPIError:
    relation = ("less than" if maximum else "greater than") + ("" if exclusive else " or equal to")
    return OpenAPIError(OTHER, name, f"{_where(name)} should be {relation} {go_v(limit)}", value)


def not_multiple_of(name: str, factor: Any, value: Any) -> OpenAPIError:
    return OpenAPIError(OTHER, name, f"{_where(name)} should be a multiple of {go_v(factor)}", value)


def multiple_of_must_be_positive(name: str, factor: Any) -> OpenAPIError:
    return OpenAPIError(OTHER, name, f"factor MultipleOf declared for {name} must be positive: {go_v(factor)}", factor)


def composite(message: str) -> OpenAPIError:
    """An error without a field (junctors, numeric range checks)."""
    return OpenAPIError(COMPOSITE, "", message)


def to_causes(errors: list[OpenAPIError], prefix: str = "") -> list[Cause]:
    """The causes upstream reports for `errors` found validating the document at `prefix`."""
    return [_cause(error, prefix) for error in errors]


def _cause(error: OpenAPIError, prefix: str) -> Cause:
    if error.code == COMPOSITE:
        return field.invalid(prefix, "", error.message)
    path = prefix
    if error.name and error.name != ".":
        path = child(prefix, error.name.removeprefix("."))
    if error.code == REQUIRED:
        return field.required(path)
    if error.code == ENUM:
        supported = [v if isinstance(v, str) else field.go_json(v) for v in error.values]
        return field.not_supported(path, error.value, supported)
    if error.code == TOO_LONG:
        return field.too_long(path, int(error.valid))
    if error.code in (MAX_ITEMS, MAX_PROPERTIES):
        unit = "item" if error.valid == 1 else "items"
        return Cause(FIELD_VALUE_TOO_MANY, f"Too many: {error.value}: must have at most {error.valid} {unit}", path)
    value = "" if error.value is None else error.value
    if error.code == TYPE:
        return Cause(FIELD_VALUE_TYPE_INVALID, f"Invalid value: {field.render_value(value)}: {error.message}", path)
    return field.invalid(path, value, error.message)


@dataclass
class Result:
    """Errors (kept unique by message, as kube-openapi does) and the match count that ranks branches."""

    errors: list[OpenAPIError] = dataclass_field(default_factory=list)
    count: int = 0

    def add(self, *errors: OpenAPIError | None) -> None:
        for error in errors:
            if error is not None and all(e.message != error.message for e in self.errors):
                self.errors.append(error)

    def merge(self, *others: Result | None) -> Result:
        for other in others:
            if other is not None:
                self.add(*other.errors)
                self.count += other.count
        return self


def failed(error: OpenAPIError | None) -> Result:
    result = Result()
    result.add(error)
    return result
