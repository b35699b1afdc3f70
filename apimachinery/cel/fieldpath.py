"""Field paths: the `fieldPath` of a rule (upstream `ValidFieldPath`) and the rendering of error paths.

A rule's fieldPath is a JSON path relative to the rule's node, made of `.name` and `['key']` steps
through properties and additionalProperties (`.spec.ports['http']`). `normalize_field_path` checks it
against the schema and returns it as a field path string (`spec.ports[http]`), as upstream's
`field.Path.String()` prints it. `child`, `key` and `index` build error paths the same way.
"""

from __future__ import annotations

import re

from apimachinery.cel.structural import SchemaNode

_TOKEN = re.compile(r"'(?:[^'\\]|\\.)*'|[.\[\]]|[^.\[\]']+|'")
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "'": "'", "\\": "\\"}


class FieldPathError(ValueError):
    """The fieldPath is not a valid path into the schema."""


def child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def key(path: str, name: str) -> str:
    return f"{path}[{name}]"


def index(path: str, position: int) -> str:
    return f"{path}[{position}]"


def normalize_field_path(json_path: str, schema: SchemaNode) -> str:
    """The field path `json_path` names below `schema`, or FieldPathError."""
    tokens = _TOKEN.findall(json_path)
    path, node, at = "", schema, 0
    while at < len(tokens):
        token = tokens[at]
        if token == "[":
            if at + 2 >= len(tokens):
                raise FieldPathError("unexpected end of JSON path")
            name, closing = _quoted(tokens[at + 1]), tokens[at + 2]
            if closing != "]":
                raise FieldPathError(f"expected ] but got {closing}")
            at += 3
        elif token == ".":
            if at + 1 >= len(tokens):
                raise FieldPathError("unexpected end of JSON path")
            name, at = tokens[at + 1], at + 2
        else:
            raise FieldPathError(f"expected [ or . but got: {token}")
        path, node = _step(path, node, name)
    return path


def _quoted(token: str) -> str:
    if len(token) < 2 or token[0] != "'" or token[-1] != "'":
        raise FieldPathError(f"expected single quoted string but got {token}")
    body, out, i = token[1:-1], [], 0
    while i < len(body):
        if body[i] == "\\":
            escaped = body[i + 1 : i + 2]
            if escaped not in _ESCAPES:
                raise FieldPathError(f"invalid string literal: invalid escape char \\{escaped}")
            out.append(_ESCAPES[escaped])
            i += 2
        else:
            out.append(body[i])
            i += 1
    return "".join(out)


def _step(path: str, node: SchemaNode, name: str) -> tuple[str, SchemaNode]:
    if node.properties:
        if name not in node.properties:
            raise FieldPathError("does not refer to a valid field")
        return child(path, name), node.properties[name]
    if node.additional_properties is not None:
        return key(path, name), node.additional_properties
    raise FieldPathError("does not refer to a valid field")
