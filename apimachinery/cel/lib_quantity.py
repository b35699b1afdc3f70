"""The Kubernetes quantity library: `quantity()`, `isQuantity()` and the Quantity methods.

compareTo, isGreaterThan, isLessThan, sign, isInteger, asInteger, asApproximateFloat, and add/sub
with a quantity or an int. The arithmetic and parsing rules live in `apimachinery.cel.quantity`.
"""

from __future__ import annotations

from typing import Any

from celpy import celtypes

from apimachinery.cel.lib_core import cel_function, library_error
from apimachinery.cel.meter import charge, size_units
from apimachinery.cel.quantity import Quantity, QuantityError, from_int, parse_quantity


def _quantity(value: Any) -> Quantity:
    if not isinstance(value, Quantity):
        raise TypeError("no such overload")
    return value


def _operand(value: Any) -> Quantity:
    if isinstance(value, int) and not isinstance(value, bool):
        return from_int(int(value))
    return _quantity(value)


@cel_function
def quantity(text: Any) -> Any:
    if not isinstance(text, str):
        raise TypeError("no such overload")
    charge(size_units(len(text)))
    try:
        return parse_quantity(text)
    except QuantityError as error:
        raise library_error(str(error)) from None


@cel_function
def is_quantity(text: Any) -> Any:
    if not isinstance(text, str):
        raise TypeError("no such overload")
    charge(size_units(len(text)))
    try:
        parse_quantity(text)
    except QuantityError:
        return celtypes.BoolType(False)
    return celtypes.BoolType(True)


@cel_function
def compare_to(left: Any, right: Any) -> Any:
    return celtypes.IntType(_quantity(left).compare(_quantity(right)))


@cel_function
def is_greater_than(left: Any, right: Any) -> Any:
    return celtypes.BoolType(_quantity(left).compare(_quantity(right)) == 1)


@cel_function
def is_less_than(left: Any, right: Any) -> Any:
    return celtypes.BoolType(_quantity(left).compare(_quantity(right)) == -1)


@cel_function
def sign(value: Any) -> Any:
    return celtypes.IntType(_quantity(value).sign())


@cel_function
def is_integer(value: Any) -> Any:
    return celtypes.BoolType(_quantity(value).as_int64() is not None)


@cel_function
def as_integer(value: Any) -> Any:
    result = _quantity(value).as_int64()
    if result is None:
        raise library_error("cannot convert value to integer")
    return celtypes.IntType(result)


@cel_function
def as_approximate_float(value: Any) -> Any:
    return celtypes.DoubleType(_quantity(value).approximate_float())


@cel_function
def add(left: Any, right: Any) -> Any:
    return _quantity(left).add(_operand(right))


@cel_function
def sub(left: Any, right: Any) -> Any:
    return _quantity(left).add(_operand(right).negated())
