"""The base of the function library, and CEL's standard string functions.

Owns `library_error` (an evaluation error with cel-go's text) and `describe_error` (cel-go's text for
any error cel-python reports), the `cel_function` decorator every library function wears (an error
argument is passed through, as cel-go does), `kind` (the CEL type of a runtime value), RE2 regex
compilation, the metered comprehension range `@range`, and size, contains, startsWith, endsWith and
matches. Each charges the cost meter in proportion to the data it walks.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from functools import lru_cache, wraps
from typing import Any, TypeVar, cast

import re2
from celpy import celtypes
from celpy.evaluation import CELEvalError

from apimachinery.cel.meter import charge, size_units

F = TypeVar("F", bound=Callable[..., Any])


class ErrorText(str):
    """The cel-go text of an evaluation error raised by our library."""


def library_error(text: str) -> ValueError:
    """An evaluation error with cel-go's text.

    cel-python turns only a few exact exception classes into CEL error values (a subclass breaks its
    lookup), so this is a plain ValueError whose argument marks the text as ours.
    """
    return ValueError(ErrorText(text))


def cel_function(function: F) -> F:
    """Return the first error argument instead of calling `function`, as cel-go functions do."""

    @wraps(function)
    def wrapper(*args: Any) -> Any:
        for arg in args:
            if isinstance(arg, CELEvalError):
                return arg
        return function(*args)

    return cast(F, wrapper)


def kind(value: Any) -> str:
    """The CEL type name of a runtime value, for equality and ordering decisions."""
    if value is None:
        return "null_type"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    for python_type, name in _KINDS:
        if isinstance(value, python_type):
            return name
    return type(value).__name__


_KINDS: tuple[tuple[type, str], ...] = (
    (str, "string"),
    (bytes, "bytes"),
    (list, "list"),
    (dict, "map"),
    (datetime.timedelta, "duration"),
    (datetime.datetime, "timestamp"),
)


@cel_function
def size(value: Any) -> Any:
    if isinstance(value, (str, bytes, list, dict)):
        return celtypes.IntType(len(value))
    raise TypeError("no such overload")


@cel_function
def contains(text: Any, fragment: Any) -> Any:
    _require_strings(text, fragment)
    charge(size_units(len(text)))
    return celtypes.BoolType(fragment in text)


@cel_function
def starts_with(text: Any, prefix: Any) -> Any:
    _require_strings(text, prefix)
    charge(size_units(len(prefix)))
    return celtypes.BoolType(text.startswith(prefix))


@cel_function
def ends_with(text: Any, suffix: Any) -> Any:
    _require_strings(text, suffix)
    charge(size_units(len(suffix)))
    return celtypes.BoolType(text.endswith(suffix))


@cel_function
def matches(text: Any, pattern: Any) -> Any:
    _require_strings(text, pattern)
    charge(size_units(len(text)) + size_units(len(pattern)))
    return celtypes.BoolType(compile_regex(pattern).search(text) is not None)


def compile_regex(pattern: str) -> Any:
    """An RE2 program (linear time, the syntax cel-go uses), or library_error for a bad pattern."""
    try:
        return _re2_program(pattern)
    except re2.error as error:
        detail = error.args[0].decode(errors="replace") if error.args and isinstance(error.args[0], bytes) else error
        raise library_error(f"Illegal regex: error parsing regexp: {detail}") from None


@lru_cache(maxsize=512)
def _re2_program(pattern: str) -> Any:
    options = re2.Options()
    options.log_errors = False
    return re2.compile(pattern, options)


def _require_strings(*values: Any) -> None:
    if not all(isinstance(value, str) for value in values):
        raise TypeError("no such overload")


def comprehension_range(target: Any) -> Iterator[Any]:
    """The elements (list) or keys (map) a comprehension walks, charging one unit for each."""
    if isinstance(target, CELEvalError):
        raise library_error(describe_error(target))
    if not isinstance(target, (list, dict)):
        raise TypeError("no such overload")
    for element in target:
        charge(1)
        yield element


def describe_error(error: CELEvalError) -> str:
    """cel-go's text for an evaluation error that cel-python reported as `error`."""
    message, exc_class, exc_args = (*error.args, None, None, None)[:3]
    detail = exc_args[0] if isinstance(exc_args, tuple) and exc_args else None
    if isinstance(exc_class, type):
        if isinstance(detail, ErrorText):
            return str(detail)
        if issubclass(exc_class, KeyError):
            return f"no such key: {detail}"
        if issubclass(exc_class, ZeroDivisionError):
            return "division by zero"
        if issubclass(exc_class, TypeError):
            return "no such overload"
        if issubclass(exc_class, (OverflowError, ValueError)) and "overflow" in str(detail or message):
            return "integer overflow"
        if isinstance(detail, CELEvalError):
            return describe_error(detail)
        if detail is not None:
            return str(detail)
    return str(message)
