"""One label selector requirement: its operators, validation with upstream's texts, and matching.

Owns `Operator` (upstream's `selection.Operator` values), `Requirement` (key, operator, values; its
`str()` is upstream's canonical spelling), `build_requirement`, which checks what upstream's
`NewRequirement` checks (label key, label values, value counts per operator, integers for `gt`/`lt`)
and raises `ValueError` with upstream's aggregate error text, and `parse_int64`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from apimachinery.errors import Cause
from apimachinery.validation import field
from apimachinery.validation.names import is_label_key, is_label_value


class Operator(StrEnum):
    """Upstream's `selection.Operator` values."""

    EQUALS = "="
    DOUBLE_EQUALS = "=="
    NOT_EQUALS = "!="
    IN = "in"
    NOT_IN = "notin"
    EXISTS = "exists"
    DOES_NOT_EXIST = "!"
    GREATER_THAN = "gt"
    LESS_THAN = "lt"


BINARY_OPERATORS = (
    Operator.IN,
    Operator.NOT_IN,
    Operator.EQUALS,
    Operator.DOUBLE_EQUALS,
    Operator.NOT_EQUALS,
    Operator.GREATER_THAN,
    Operator.LESS_THAN,
)
_INT64 = re.compile(r"[+-]?[0-9]+")
_INT64_RANGE = range(-(2**63), 2**63)
_SPELLING = {
    Operator.EQUALS: "=",
    Operator.DOUBLE_EQUALS: "==",
    Operator.NOT_EQUALS: "!=",
    Operator.IN: " in ",
    Operator.NOT_IN: " notin ",
    Operator.GREATER_THAN: ">",
    Operator.LESS_THAN: "<",
}


def parse_int64(text: str) -> int | None:
    """Go's `strconv.ParseInt(text, 10, 64)`, or None where it would fail."""
    if not _INT64.fullmatch(text):
        return None
    number = int(text)
    return number if number in _INT64_RANGE else None


@dataclass(frozen=True)
class Requirement:
    """One `key <operator> values` term; values are kept as given (the parser sorts them)."""

    key: str
    operator: Operator
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.operator in (Operator.IN, Operator.EQUALS, Operator.DOUBLE_EQUALS):
            return self.key in labels and labels[self.key] in self.values
        if self.operator in (Operator.NOT_IN, Operator.NOT_EQUALS):
            return self.key not in labels or labels[self.key] not in self.values
        if self.operator is Operator.EXISTS:
            return self.key in labels
        if self.operator is Operator.DOES_NOT_EXIST:
            return self.key not in labels
        return self._compares(labels)

    def _compares(self, labels: Mapping[str, str]) -> bool:
        if self.key not in labels or len(self.values) != 1:
            return False
        have, want = parse_int64(labels[self.key]), parse_int64(self.values[0])
        if have is None or want is None:
            return False
        return have > want if self.operator is Operator.GREATER_THAN else have < want

    def __str__(self) -> str:
        if self.operator is Operator.EXISTS:
            return self.key
        if self.operator is Operator.DOES_NOT_EXIST:
            return "!" + self.key
        values = ",".join(sorted(self.values)) if len(self.values) > 1 else "".join(self.values)
        if self.operator in (Operator.IN, Operator.NOT_IN):
            values = f"({values})"
        return f"{self.key}{_SPELLING[self.operator]}{values}"


def _requirement_causes(key: str, operator: Operator, values: list[str] | None, path: str) -> list[Cause]:
    """What upstream's `NewRequirement` rejects, with its field paths relative to `path`."""
    prefix = f"{path}." if path else ""
    causes = [field.invalid(prefix + "key", key, "; ".join(msgs)) for msgs in [is_label_key(key)] if msgs]
    given = values or []
    values_path = prefix + "values"
    if operator in (Operator.IN, Operator.NOT_IN) and not given:
        causes.append(
            field.invalid(values_path, values, "for 'in', 'notin' operators, values set can't be empty")
        )
    elif operator in (Operator.EQUALS, Operator.DOUBLE_EQUALS, Operator.NOT_EQUALS) and len(given) != 1:
        causes.append(
            field.invalid(values_path, values, "exact-match compatibility requires one single value")
        )
    elif operator in (Operator.EXISTS, Operator.DOES_NOT_EXIST) and given:
        causes.append(
            field.invalid(values_path, values, "values set must be empty for exists and does not exist")
        )
    elif operator in (Operator.GREATER_THAN, Operator.LESS_THAN):
        if len(given) != 1:
            causes.append(
                field.invalid(values_path, values, "for 'Gt', 'Lt' operators, exactly one value is required")
            )
        for index, value in enumerate(given):
            if parse_int64(value) is None:
                detail = "for 'Gt', 'Lt' operators, the value must be an integer"
                causes.append(field.invalid(f"{values_path}[{index}]", value, detail))
    for index, value in enumerate(given):
        if msgs := is_label_value(value):
            causes.append(field.invalid(f"{values_path}[{index}][{key}]", value, "; ".join(msgs)))
    return causes


def build_requirement(key: str, operator: Operator, values: list[str] | None, path: str = "") -> Requirement:
    """A validated requirement; invalid → `ValueError` carrying upstream's aggregate error text."""
    if causes := _requirement_causes(key, operator, values, path):
        raise ValueError(field.aggregate_text(causes))
    return Requirement(key, operator, tuple(values or ()))
