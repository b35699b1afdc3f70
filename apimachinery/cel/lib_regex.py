"""The Kubernetes regex library: `find` and `findAll`, on RE2 (the regex engine and syntax of cel-go)."""

from __future__ import annotations

from typing import Any

from celpy import celtypes

from apimachinery.cel.lib_core import cel_function, compile_regex
from apimachinery.cel.meter import charge, size_units


def _strings(*values: Any) -> None:
    if not all(isinstance(value, str) for value in values):
        raise TypeError("no such overload")
    charge(size_units(sum(len(value) for value in values)))


@cel_function
def find(text: Any, pattern: Any) -> Any:
    """The first match of `pattern` in `text`, or the empty string."""
    _strings(text, pattern)
    match = compile_regex(pattern).search(text)
    return celtypes.StringType(match.group(0) if match else "")


@cel_function
def find_all(text: Any, pattern: Any, limit: Any = -1) -> Any:
    """Up to `limit` (all when negative) non-overlapping matches of `pattern` in `text`."""
    _strings(text, pattern)
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise TypeError("no such overload")
    if limit == 0:
        return celtypes.ListType([])
    found: list[Any] = []
    previous_end = -1
    for match in compile_regex(pattern).finditer(text):
        if match.start() == match.end() == previous_end:
            continue  # Go drops an empty match that abuts the previous match
        previous_end = match.end()
        found.append(celtypes.StringType(match.group(0)))
        if 0 < limit <= len(found):
            break
    return celtypes.ListType(found)
