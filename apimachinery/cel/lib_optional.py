"""CEL optional values, as far as rules with `optionalOldSelf: true` need them.

With optionalOldSelf, `oldSelf` is `optional.none()` on create and `optional.of(old)` on update.
Owns `Optional` and hasValue, value, orValue, `optional.of`, `optional.none`, `optional.ofNonZeroValue`.
The `.?field` and `[?key]` syntax is not supported: cel-python's grammar cannot parse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from celpy import celtypes

from apimachinery.cel.lib_core import cel_function, library_error
from apimachinery.cel.lib_operators import cel_equal

_ABSENT = object()


@dataclass(frozen=True, eq=False)
class Optional:
    """`optional.of(value)`, or `optional.none()` when `value` is absent."""

    value: Any = _ABSENT

    def present(self) -> bool:
        return self.value is not _ABSENT

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Optional):
            return False
        if self.present() and other.present():
            return cel_equal(self.value, other.value)
        return self.present() == other.present()

    def __hash__(self) -> int:
        return 0


NONE = Optional()


def _optional(value: Any) -> Optional:
    if not isinstance(value, Optional):
        raise TypeError("no such overload")
    return value


@cel_function
def has_value(value: Any) -> Any:
    return celtypes.BoolType(_optional(value).present())


@cel_function
def value(optional: Any) -> Any:
    held = _optional(optional)
    if not held.present():
        raise library_error("optional.none() dereference")
    return held.value


@cel_function
def or_value(optional: Any, default: Any) -> Any:
    held = _optional(optional)
    return held.value if held.present() else default


@cel_function
def of(value: Any) -> Any:
    return Optional(value)


@cel_function
def none() -> Any:
    return NONE


@cel_function
def of_non_zero_value(value: Any) -> Any:
    empty = isinstance(value, (bool, int, float, str, bytes, list, dict)) and not value
    return NONE if value is None or empty else Optional(value)
