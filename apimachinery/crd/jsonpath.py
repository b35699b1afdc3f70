"""Evaluation of the client-go JSONPath subset printer columns use, on decoded JSON.

Fields, `['key']`, indexes and slices, unions, `*`, `..` and filters (`==`, `!=`, `<`, `<=`, `>`,
`>=`, `=~`, existence) as parsed by `jsonpath_parse`; missing keys select nothing, as for columns.
Errors (an index out of range, comparing a number with a string, ...) raise `JSONPathError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from apimachinery.crd.jsonpath_parse import JSONPathError, Node, parse

__all__ = ["JSONPathError", "Node", "compare", "find", "parse"]


def find(path: str, data: Any) -> list[Any]:
    """Every value `path` selects in `data` (missing keys select nothing)."""
    return _eval_list(parse(path), [data])


def _eval_list(nodes: tuple[Node, ...], values: list[Any]) -> list[Any]:
    for node in nodes:
        values = _EVAL[node.kind](node, values)
    return values


def _eval_field(node: Node, values: list[Any]) -> list[Any]:
    return [v[node.value] for v in values if isinstance(v, Mapping) and node.value in v]


def _eval_wildcard(node: Node, values: list[Any]) -> list[Any]:
    return [item for v in values for item in _children(v)]


def _children(value: Any) -> list[Any]:
    if isinstance(value, Mapping):
        return list(value.values())
    return list(value) if isinstance(value, list) else []


def _eval_recursive(node: Node, values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        children = _children(value)
        if children:
            out += [value, *_eval_recursive(node, children)]
    return out


def _eval_array(node: Node, values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if value is None:
            continue
        if not isinstance(value, list):
            raise JSONPathError(f"{type(value).__name__} is not array or slice")
        out += _slice(node.value, value)
    return out


def _slice(params: tuple[int | None, int | None, int | None, bool], value: list[Any]) -> list[Any]:
    start, end, step, single = params
    length = len(value)
    start = 0 if start is None else start + length if start < 0 else start
    end = length if end is None else end + length if end < 0 or (single and end == 0) else end
    if start == end:
        return []
    if not 0 <= start < length or not 0 <= end <= length:
        raise JSONPathError(f"array index out of bounds: index {start}, length {length}")
    if start > end:
        raise JSONPathError(f"starting index {start} is greater than ending index {end}")
    if step is not None and step <= 0:
        raise JSONPathError("step must be > 0")
    return value[start : end : step or 1]


def _eval_union(node: Node, values: list[Any]) -> list[Any]:
    return [item for branch in node.children for item in _eval_list(branch, values)]


def _eval_literal(node: Node, values: list[Any]) -> list[Any]:
    return [node.value for _ in values]


def _eval_filter(node: Node, values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if not isinstance(value, list):
            raise JSONPathError(f"{value} is not array or slice and cannot be filtered")
        out += [item for item in value if _keep(node, item)]
    return out


def _keep(node: Node, item: Any) -> bool:
    if node.value == "exists":
        try:
            return bool(_eval_list(node.children[0], [item]))
        except JSONPathError:
            return False
    lefts = _eval_list(node.children[0], [item])
    rights = _eval_list(node.children[1], [item])
    if not lefts or not rights:
        return False
    if len(lefts) > 1 or len(rights) > 1:
        raise JSONPathError("can only compare one element at a time")
    return compare(node.value, lefts[0], rights[0])


def _basic_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    raise JSONPathError("invalid type for comparison")


def compare(operator: str, left: Any, right: Any) -> bool:
    """Go template comparison: both sides of the same basic kind (bool only for `==`, `!=`)."""
    if operator == "=~":
        if not isinstance(left, str) or not isinstance(right, str):
            raise JSONPathError(f"regexp search only support string now but getting pattern: {right!r}, data: {left!r}")
        return re.search(right, left) is not None
    kind = _basic_kind(left)
    if kind != _basic_kind(right):
        raise JSONPathError("incompatible types for comparison")
    if operator in ("==", "!="):
        return bool(left == right) == (operator == "==")
    if kind == "bool":
        raise JSONPathError("invalid type for comparison")
    comparisons = {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}
    if operator not in comparisons:
        raise JSONPathError(f"unrecognized filter operator {operator}")
    return bool(comparisons[operator])


_EVAL = {
    "field": _eval_field,
    "wildcard": _eval_wildcard,
    "recursive": _eval_recursive,
    "array": _eval_array,
    "union": _eval_union,
    "literal": _eval_literal,
    "filter": _eval_filter,
}
