"""Parsing of the client-go JSONPath subset printer columns use (evaluation is in `jsonpath`).

Supports fields (`.spec.replicas`, escaped dots `.a\\.b`), `['key']`, indexes and slices (`[0]`,
`[-1]`, `[1:3]`, `[*]`), unions (`[0,1]`), `*`, recursive descent (`..name`) and filters
(`[?(@.type=="Ready")]`, `[?(@.ready)]`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `=~`). A path that does not
parse raises `JSONPathError`; upstream then drops the CRD's columns. `range`/`end` and text outside `{}`
are not supported; upstream never uses them for columns.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass
from typing import Any

_TERMINATORS = frozenset(" \t\r\n.,[]$@{}")
_SLICE = re.compile(r"^(-?\d*)(:-?\d*)?(:-?\d*)?$")
_FILTER = re.compile(r"^([^!<>=]+)([!<>=~]+)(.+?)$", re.DOTALL)
_DICT_KEY = re.compile(r"^'([^']*)'$")


class JSONPathError(Exception):
    """A JSONPath that does not parse, or cannot be evaluated on a value."""


@dataclass(frozen=True)
class Node:
    kind: str  # field | wildcard | recursive | array | filter | union | literal
    value: Any = None
    children: tuple[tuple[Node, ...], ...] = ()


def _literal(value: Any) -> Node:
    return Node("literal", value)


@functools.lru_cache(maxsize=1024)
def parse(path: str) -> tuple[Node, ...]:
    """The nodes of one JSONPath action such as `.status.conditions[0].status` (without braces)."""
    nodes: list[Node] = []
    _parse_into(path, nodes)
    return tuple(nodes)


def _parse_into(text: str, nodes: list[Node]) -> None:
    pos = 0
    while pos < len(text):
        if text.startswith("[?(", pos):
            pos = _parse_filter(text, pos + 3, nodes)
        elif text.startswith("..", pos):
            if nodes and nodes[-1].kind == "recursive":
                raise JSONPathError("invalid multiple recursive descent")
            nodes.append(Node("recursive"))
            pos += 2
            if pos < len(text) and (text[pos].isalnum() or text[pos] == "_"):
                pos = _parse_field(text, pos, nodes)
        else:
            pos = _parse_token(text, pos, nodes)


def _parse_token(text: str, pos: int, nodes: list[Node]) -> int:
    char = text[pos]
    if char in " @$":
        return pos + 1
    if char == "[":
        return _parse_array(text, pos + 1, nodes)
    if char in "\"'":
        return _parse_quote(text, pos, nodes)
    if char == ".":
        return _parse_field(text, pos + 1, nodes)
    if char in "+-" or char.isdigit():
        return _parse_number(text, pos, nodes)
    if char.isalnum() or char == "_":
        end = _scan(text, pos)
        word = text[pos:end]
        if word not in ("true", "false"):
            raise JSONPathError(f"unrecognized identifier {word}")
        nodes.append(_literal(word == "true"))
        return end
    raise JSONPathError(f"unrecognized character in action: {char!r}")


def _scan(text: str, pos: int) -> int:
    while pos < len(text):
        if text[pos] == "\\":
            pos += 2
            continue
        if text[pos] in _TERMINATORS:
            break
        pos += 1
    return min(pos, len(text))


def _parse_field(text: str, pos: int, nodes: list[Node]) -> int:
    end = _scan(text, pos)
    name = text[pos:end]
    nodes.append(Node("wildcard") if name == "*" else Node("field", name.replace("\\", "")))
    return end


def _parse_number(text: str, pos: int, nodes: list[Node]) -> int:
    end = pos + 1 if text[pos] in "+-" else pos
    while end < len(text) and (text[end].isdigit() or text[end] == "."):
        end += 1
    token = text[pos:end]
    try:
        nodes.append(_literal(int(token)))
    except ValueError:
        try:
            nodes.append(_literal(float(token)))
        except ValueError as error:
            raise JSONPathError(f"cannot parse number {token}") from error
    return end


def _parse_quote(text: str, pos: int, nodes: list[Node]) -> int:
    quote, end = text[pos], pos + 1
    while end < len(text) and not (text[end] == quote and text[end - 1] != "\\"):
        end += 1
    if end >= len(text):
        raise JSONPathError("unterminated quoted string")
    literal = text[pos : end + 1]
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError) as error:
        raise JSONPathError(f"unquote string {literal} error {error}") from error
    nodes.append(_literal(str(value)))
    return end + 1


def _parse_array(text: str, pos: int, nodes: list[Node]) -> int:
    end = text.find("]", pos)
    if end < 0:
        raise JSONPathError("unterminated array")
    inside = text[pos:end].strip()
    inside = ":" if inside == "*" else inside
    if "," in inside:
        nodes.append(Node("union", children=tuple(parse(f"[{part.strip()}]") for part in inside.split(","))))
    elif match := _DICT_KEY.match(inside):
        _parse_into("." + match.group(1), nodes)
    else:
        nodes.append(Node("array", _slice_params(inside)))
    return end + 1


def _slice_params(inside: str) -> tuple[int | None, int | None, int | None, bool]:
    match = _SLICE.match(inside)
    if match is None:
        raise JSONPathError(f"invalid array index {inside}")
    start_text, end_text, step_text = match.group(1), match.group(2), match.group(3)
    start = int(start_text) if start_text else None
    if end_text is None:
        return start, (start or 0) + 1, None, True  # a single index
    end = int(end_text[1:]) if end_text[1:] else None
    step = int(step_text[1:]) if step_text and step_text[1:] else None
    return start, end, step, False


def _parse_filter(text: str, pos: int, nodes: list[Node]) -> int:
    end, quote = pos, ""
    while end < len(text):
        char = text[end]
        if char in "\"'" and (not quote or (char == quote and text[end - 1] != "\\")):
            quote = "" if quote else char
        elif char == ")" and not quote:
            break
        end += 1
    if end + 1 >= len(text) or text[end + 1] != "]":
        raise JSONPathError("unclosed array expect ]")
    body = text[pos:end]
    match = _FILTER.match(body)
    if match is None:
        nodes.append(Node("filter", "exists", (parse(body),)))
    else:
        nodes.append(Node("filter", match.group(2), (parse(match.group(1)), parse(match.group(3)))))
    return end + 2
