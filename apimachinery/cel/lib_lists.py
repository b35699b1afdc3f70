"""The Kubernetes list library, cel-go's `ext.Lists` and `ext.Sets`, on cel-python lists.

Owns isSorted, sum, min, max, indexOf, lastIndexOf, includes (Kubernetes `library.Lists`), slice,
flatten, distinct, reverse, sort and `lists.range` (ext.Lists), and `sets.contains`, `sets.equivalent`,
`sets.intersects` (ext.Sets). indexOf and lastIndexOf dispatch on the receiver: strings go to
`lib_strings`. Each charges the meter by the number of elements it walks.
"""

from __future__ import annotations

from typing import Any

from celpy import celtypes

from apimachinery.cel import lib_strings
from apimachinery.cel.lib_core import cel_function, kind, library_error
from apimachinery.cel.lib_operators import cel_equal
from apimachinery.cel.meter import charge


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("no such overload")
    charge(len(value) + 1)
    return value


def _comparable(items: list[Any]) -> None:
    kinds = {kind(item) for item in items}
    if len(kinds) > 1 or kinds & {"null_type", "list", "map"} or kinds - _ORDERED_KINDS:
        raise TypeError("no such overload")


_ORDERED_KINDS = {"bool", "number", "string", "bytes", "duration", "timestamp"}


@cel_function
def is_sorted(items: Any) -> Any:
    values = _list(items)
    _comparable(values)
    return celtypes.BoolType(all(a <= b for a, b in zip(values, values[1:], strict=False)))


@cel_function
def list_sum(items: Any) -> Any:
    values = _list(items)
    if not values:
        return celtypes.IntType(0)
    total = values[0]
    for value in values[1:]:
        if kind(value) != kind(total) or isinstance(value, bool):
            raise TypeError("no such overload")
        total = total + value
    return _retype(total, values[0])


def _retype(value: Any, like: Any) -> Any:
    """cel-python drops to plain `float` when adding doubles; give the sum its element's CEL type."""
    return celtypes.DoubleType(value) if isinstance(like, float) else value


@cel_function
def list_min(items: Any) -> Any:
    return _extreme(items, "min")


@cel_function
def list_max(items: Any) -> Any:
    return _extreme(items, "max")


def _extreme(items: Any, name: str) -> Any:
    values = _list(items)
    if not values:
        raise library_error(f"{name} called on empty list")
    _comparable(values)
    return min(values) if name == "min" else max(values)


@cel_function
def index_of(receiver: Any, item: Any, *offset: Any) -> Any:
    if isinstance(receiver, str):
        return lib_strings.string_index_of(receiver, item, *offset)
    values = _list(receiver)
    if offset:
        raise TypeError("no such overload")
    return celtypes.IntType(next((i for i, value in enumerate(values) if cel_equal(value, item)), -1))


@cel_function
def last_index_of(receiver: Any, item: Any, *offset: Any) -> Any:
    if isinstance(receiver, str):
        return lib_strings.string_last_index_of(receiver, item, *offset)
    values = _list(receiver)
    if offset:
        raise TypeError("no such overload")
    found = (i for i in range(len(values) - 1, -1, -1) if cel_equal(values[i], item))
    return celtypes.IntType(next(found, -1))


@cel_function
def includes(target: Any, item: Any) -> Any:
    if isinstance(target, list):
        return celtypes.BoolType(any(cel_equal(value, item) for value in _list(target)))
    return celtypes.BoolType(cel_equal(target, item))


@cel_function
def slice_list(items: Any, start: Any, end: Any) -> Any:
    values = _list(items)
    if not all(isinstance(bound, int) and not isinstance(bound, bool) for bound in (start, end)):
        raise TypeError("no such overload")
    if start < 0 or end < 0:
        raise library_error(f"cannot slice({start}, {end}), negative indexes not supported")
    if start > end:
        raise library_error(f"cannot slice({start}, {end}), start index must be less than or equal to end index")
    if end > len(values):
        raise library_error(f"cannot slice({start}, {end}), list is length {len(values)}")
    return celtypes.ListType(values[start:end])


@cel_function
def flatten(items: Any, depth: Any = 1) -> Any:
    if isinstance(depth, bool) or not isinstance(depth, int):
        raise TypeError("no such overload")
    if depth < 0:
        raise library_error("level must be non-negative")
    return celtypes.ListType(_flatten(_list(items), depth))


def _flatten(values: list[Any], depth: int) -> list[Any]:
    flat: list[Any] = []
    for value in values:
        if isinstance(value, list) and depth > 0:
            flat.extend(_flatten(_list(value), depth - 1))
        else:
            flat.append(value)
    return flat


@cel_function
def distinct(items: Any) -> Any:
    values = _list(items)
    charge(len(values) * len(values))
    unique: list[Any] = []
    for value in values:
        if not any(cel_equal(value, seen) for seen in unique):
            unique.append(value)
    return celtypes.ListType(unique)


@cel_function
def reverse(items: Any) -> Any:
    return celtypes.ListType(list(reversed(_list(items))))


@cel_function
def sort(items: Any) -> Any:
    values = _list(items)
    _comparable(values)
    return celtypes.ListType(sorted(values))


@cel_function
def lists_range(count: Any) -> Any:
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError("no such overload")
    charge(max(count, 0))
    return celtypes.ListType([celtypes.IntType(i) for i in range(max(count, 0))])


@cel_function
def sets_contains(items: Any, subset: Any) -> Any:
    values, wanted = _list(items), _list(subset)
    charge(len(values) * len(wanted))
    return celtypes.BoolType(all(any(cel_equal(w, v) for v in values) for w in wanted))


@cel_function
def sets_equivalent(left: Any, right: Any) -> Any:
    return celtypes.BoolType(bool(sets_contains(left, right)) and bool(sets_contains(right, left)))


@cel_function
def sets_intersects(left: Any, right: Any) -> Any:
    values, others = _list(left), _list(right)
    charge(len(values) * len(others))
    return celtypes.BoolType(any(any(cel_equal(a, b) for b in others) for a in values))
