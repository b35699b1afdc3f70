"""cel-go's `ext.Strings` (version 2, as Kubernetes uses it) on cel-python strings.

Owns charAt, indexOf, lastIndexOf (the string overloads; `lib_lists` dispatches the list ones here),
lowerAscii, upperAscii, replace, split, substring, trim, join and `strings.quote`, with cel-go's
indexing by code point and its error texts. Each charges the meter by the length it walks.
"""

from __future__ import annotations

from typing import Any

from celpy import celtypes

from apimachinery.cel.lib_core import cel_function, library_error
from apimachinery.cel.meter import charge, size_units

_GO_SPACE = " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
_GO_SPACE += "\u2028\u2029\u202f\u205f\u3000"


def _text(*values: Any) -> None:
    if not all(isinstance(value, str) for value in values):
        raise TypeError("no such overload")
    charge(size_units(sum(len(value) for value in values)))


def _integer(*values: Any) -> None:
    if not all(isinstance(value, int) and not isinstance(value, bool) for value in values):
        raise TypeError("no such overload")


@cel_function
def char_at(text: Any, position: Any) -> Any:
    _text(text)
    _integer(position)
    if position < 0 or position > len(text):
        raise library_error(f"index out of range: {position}")
    return celtypes.StringType(text[position : position + 1])


def string_index_of(text: str, fragment: str, offset: int = 0) -> Any:
    _text(text, fragment)
    _integer(offset)
    if offset < 0:
        raise library_error(f"index out of range: {offset}")
    if fragment == "":
        return celtypes.IntType(min(offset, len(text)))
    if offset >= len(text):
        return celtypes.IntType(-1)
    return celtypes.IntType(text.find(fragment, offset))


def string_last_index_of(text: str, fragment: str, offset: int | None = None) -> Any:
    _text(text, fragment)
    if offset is None:
        if fragment == "":
            return celtypes.IntType(len(text))
        offset = len(text) - 1
    _integer(offset)
    if offset < 0:
        raise library_error(f"index out of range: {offset}")
    if fragment == "":
        return celtypes.IntType(min(offset, len(text)))
    if offset >= len(text):
        return celtypes.IntType(-1)
    return celtypes.IntType(text.rfind(fragment, 0, offset + len(fragment)))


@cel_function
def lower_ascii(text: Any) -> Any:
    _text(text)
    return celtypes.StringType("".join(char.lower() if char.isascii() else char for char in text))


@cel_function
def upper_ascii(text: Any) -> Any:
    _text(text)
    return celtypes.StringType("".join(char.upper() if char.isascii() else char for char in text))


@cel_function
def replace(text: Any, old: Any, new: Any, count: Any = -1) -> Any:
    _text(text, old, new)
    _integer(count)
    if count < 0:
        return celtypes.StringType(_go_replace_all(text, old, new))
    return celtypes.StringType(_go_replace(text, old, new, count))


def _go_replace_all(text: str, old: str, new: str) -> str:
    if old == "":
        return new + new.join(text) + new if text else new
    return text.replace(old, new)


def _go_replace(text: str, old: str, new: str, count: int) -> str:
    if old != "":
        return text.replace(old, new, count)
    pieces = [new, *(f"{char}{new}" for char in text)][: count or 0]
    return "".join(pieces) + text[max(len(pieces) - 1, 0) :] if count else text


@cel_function
def split(text: Any, separator: Any, limit: Any = -1) -> Any:
    _text(text, separator)
    _integer(limit)
    if limit == 0:
        return celtypes.ListType([])
    if separator == "":
        parts = list(text) if limit < 0 or limit >= len(text) else [*text[: limit - 1], text[limit - 1 :]]
    else:
        parts = text.split(separator) if limit < 0 else text.split(separator, limit - 1)
    return celtypes.ListType([celtypes.StringType(part) for part in parts])


@cel_function
def substring(text: Any, start: Any, end: Any = None) -> Any:
    _text(text)
    stop = len(text) if end is None else end
    _integer(start, stop)
    if end is not None and start > end:
        raise library_error(f"invalid substring range. start: {start}, end: {end}")
    for bound in (start, stop):
        if bound < 0 or bound > len(text):
            raise library_error(f"index out of range: {bound}")
    return celtypes.StringType(text[start:stop])


@cel_function
def trim(text: Any) -> Any:
    _text(text)
    return celtypes.StringType(text.strip(_GO_SPACE))


@cel_function
def join(items: Any, separator: Any = "") -> Any:
    if not isinstance(items, list):
        raise TypeError("no such overload")
    for item in items:
        if not isinstance(item, str):
            raise library_error(f"join: invalid input: {item}")
    _text(separator, *items)
    return celtypes.StringType(separator.join(items))


@cel_function
def quote(text: Any) -> Any:
    """`strings.quote`: a double-quoted CEL string literal for `text`."""
    _text(text)
    escapes = {"\\": "\\\\", '"': '\\"', "\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r"}
    escapes |= {"\t": "\\t", "\v": "\\v"}
    return celtypes.StringType('"' + "".join(escapes.get(char, char) for char in text) + '"')
