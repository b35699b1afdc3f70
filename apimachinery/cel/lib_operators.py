"""CEL's operators, replaced where cel-python differs from cel-go or does not charge the cost meter.

Owns heterogeneous equality (`dyn(1) == 1.0` is true, `1 == 'a'` is false; set and map lists compare
regardless of order), ordering (numbers across int, uint and double), fast int64 arithmetic with
cel-go's overflow error, division and modulus by zero, list/map indexing with cel-go's error texts,
and `in`. Each charges the meter in proportion to the data it walks.
"""

from __future__ import annotations

import math
import operator
from typing import Any

from celpy import celtypes

from apimachinery.cel.lib_core import cel_function, kind, library_error
from apimachinery.cel.meter import charge, size_units


def cel_equal(left: Any, right: Any) -> bool:
    """cel-go's heterogeneous equality: values of different types are unequal, numbers compare by value."""
    left_kind, right_kind = kind(left), kind(right)
    if left_kind != right_kind:
        return False
    if left_kind == "list":
        return _lists_equal(left, right)
    if left_kind == "map":
        return _maps_equal(left, right)
    if left_kind == "number":
        return _plain(left) == _plain(right)
    if left_kind == "string" or left_kind == "bytes":
        charge(size_units(min(len(left), len(right))))
    try:
        return bool(left == right)
    except TypeError:
        return False


def _lists_equal(left: list[Any], right: list[Any]) -> bool:
    if len(left) != len(right):
        return False
    if isinstance(left, UnorderedList) or isinstance(right, UnorderedList):
        return _same_elements(left, right)
    charge(len(left))
    return all(cel_equal(a, b) for a, b in zip(left, right, strict=True))


def _same_elements(left: list[Any], right: list[Any]) -> bool:
    charge(len(left) * len(right))
    remaining = list(right)
    for item in left:
        match = next((i for i, candidate in enumerate(remaining) if cel_equal(item, candidate)), None)
        if match is None:
            return False
        del remaining[match]
    return True


class UnorderedList(celtypes.ListType):
    """A set or map list (`x-kubernetes-list-type`): equal to a list of the same elements in any order."""

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, list) and _lists_equal(self, other)

    def __ne__(self, other: Any) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]


def _maps_equal(left: dict[Any, Any], right: dict[Any, Any]) -> bool:
    if len(left) != len(right):
        return False
    charge(len(left))
    return all(key in right and cel_equal(value, right[key]) for key, value in left.items())


@cel_function
def equals(left: Any, right: Any) -> Any:
    return celtypes.BoolType(cel_equal(left, right))


@cel_function
def not_equals(left: Any, right: Any) -> Any:
    return celtypes.BoolType(not cel_equal(left, right))


def _plain(number: Any) -> int | float:
    return float(number) if isinstance(number, float) else int(number)


def _compare(left: Any, right: Any) -> int:
    """-1, 0 or 1; numbers compare across int, uint and double; other types only with their own."""
    left_kind, right_kind = kind(left), kind(right)
    if left_kind != right_kind or left_kind in ("null_type", "list", "map"):
        raise TypeError("no such overload")
    if left_kind == "number":
        left, right = _plain(left), _plain(right)
    elif left_kind in ("string", "bytes"):
        charge(size_units(min(len(left), len(right))))
    return int(left > right) - int(left < right)


@cel_function
def less(left: Any, right: Any) -> Any:
    return celtypes.BoolType(_compare(left, right) < 0)


@cel_function
def less_equal(left: Any, right: Any) -> Any:
    return celtypes.BoolType(_compare(left, right) <= 0)


@cel_function
def greater(left: Any, right: Any) -> Any:
    return celtypes.BoolType(_compare(left, right) > 0)


@cel_function
def greater_equal(left: Any, right: Any) -> Any:
    return celtypes.BoolType(_compare(left, right) >= 0)


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _int64(value: int) -> Any:
    """An IntType without cel-python's slow constructor; overflow is cel-go's error."""
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise ValueError("overflow")
    return int.__new__(celtypes.IntType, value)


def _both_ints(left: Any, right: Any) -> bool:
    return type(left) is celtypes.IntType and type(right) is celtypes.IntType


def _double(value: Any) -> Any:
    """cel-python returns a plain float from double arithmetic; CEL code needs a DoubleType."""
    return celtypes.DoubleType(value) if type(value) is float else value


@cel_function
def add(left: Any, right: Any) -> Any:
    """`+`, charging concatenations by their length."""
    if _both_ints(left, right):
        return _int64(int(left) + int(right))
    if isinstance(left, list) and isinstance(right, list):
        charge(len(left) + len(right))
        return celtypes.ListType([*left, *right])
    if isinstance(left, str) and isinstance(right, str):
        charge(size_units(len(left) + len(right)))
        return celtypes.StringType(left + right)
    if isinstance(left, bytes) and isinstance(right, bytes):
        charge(size_units(len(left) + len(right)))
        return celtypes.BytesType(left + right)
    return _double(operator.add(left, right))


@cel_function
def subtract(left: Any, right: Any) -> Any:
    if _both_ints(left, right):
        return _int64(int(left) - int(right))
    return _double(operator.sub(left, right))


@cel_function
def multiply(left: Any, right: Any) -> Any:
    if _both_ints(left, right):
        return _int64(int(left) * int(right))
    return _double(operator.mul(left, right))


@cel_function
def divide(left: Any, right: Any) -> Any:
    if isinstance(left, float) and isinstance(right, float):
        return celtypes.DoubleType(_ieee_divide(float(left), float(right)))
    if isinstance(right, int) and not isinstance(right, bool) and right == 0:
        raise library_error("division by zero")
    return _double(operator.truediv(left, right))


def _ieee_divide(left: float, right: float) -> float:
    if right != 0:
        return left / right
    if left == 0 or math.isnan(left):
        return math.nan
    return math.copysign(math.inf, left) * math.copysign(1, right)


@cel_function
def modulo(left: Any, right: Any) -> Any:
    if isinstance(right, int) and not isinstance(right, bool) and right == 0:
        raise library_error("modulus by zero")
    return operator.mod(left, right)


@cel_function
def index(container: Any, key: Any) -> Any:
    """`container[key]` with cel-go's errors for a missing key or an index out of range."""
    if isinstance(container, list):
        if isinstance(key, float) and key.is_integer():
            key = int(key)
        if isinstance(key, bool) or not isinstance(key, int):
            raise TypeError("no such overload")
        if not 0 <= key < len(container):
            raise library_error(f"index '{key}' out of range in list size '{len(container)}'")
        return container[key]
    if isinstance(container, dict):
        if key in container:
            return container[key]
        raise library_error(f"no such key: {key}")
    raise TypeError("no such overload")


@cel_function
def contained_in(item: Any, container: Any) -> Any:
    """`item in container`: list membership by CEL equality, map membership by key."""
    if isinstance(container, dict):
        return celtypes.BoolType(item in container)
    if isinstance(container, list):
        charge(len(container))
        return celtypes.BoolType(any(cel_equal(item, element) for element in container))
    raise TypeError("no such overload")
