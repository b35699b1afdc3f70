"""YAML request bodies read as upstream's YAML-to-JSON step reads them, with its duplicate-key errors.

One parse: the document is composed into nodes, the nodes are walked for repeated mapping keys, then
constructed into JSON data. The errors read as go-yaml's strict decoder writes them (`line 5: key "name"
already set in map`, the line of the repeated key's value), in its order: a mapping's entries in turn,
the errors inside an entry's value before the entry's own. Timestamps stay strings and non-string keys
become strings, as in the JSON that upstream decodes afterwards; the last of repeated keys wins.
"""

from __future__ import annotations

from typing import Any

import yaml

from apimachinery.serializers.duplicates import plain
from apimachinery.validation.field import go_float, go_quote

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MERGE_TAG = "tag:yaml.org,2002:merge"


class StrictLoader(_BaseLoader):  # type: ignore[misc]
    """A safe loader (no arbitrary objects) whose timestamps stay strings, as in go-yaml's JSON output."""


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_tracking(body: bytes) -> tuple[Any, list[str]]:
    """(JSON data of the single document, duplicate-key errors); raises yaml.YAMLError if unreadable."""
    loader = StrictLoader(body)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, []
        walk = _KeyWalk(loader)
        walk.node(root, 0)
        data = loader.construct_document(root)
    finally:
        loader.dispose()
    if walk.shared:
        data = plain(data)  # aliases are decoded again where they are used, not shared
    return _jsonable(data), walk.errors


def duplicate_key_errors(body: bytes) -> list[str]:
    """Only the duplicate-key errors of a YAML (or JSON) body; empty if it cannot be read."""
    try:
        return load_tracking(body)[1]
    except yaml.YAMLError:
        return []


class _KeyWalk:
    MAX_DEPTH = 1000

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.errors: list[str] = []
        self.shared = False
        self._seen: set[int] = set()

    def node(self, node: yaml.Node, depth: int) -> None:
        if depth > self.MAX_DEPTH:
            raise yaml.YAMLError("yaml: exceeded max depth")
        if id(node) in self._seen:
            self.shared = True
        self._seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            self._mapping(node, depth)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                self.node(item, depth + 1)

    def _mapping(self, node: yaml.MappingNode, depth: int) -> None:
        keys: set[tuple[type, Any]] = set()
        for key_node, value_node in node.value:
            self.node(value_node, depth + 1)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == MERGE_TAG:
                continue
            key = self.loader.construct_object(key_node)
            identity = (type(key), key)
            if identity in keys:
                self.errors.append(f"line {value_node.start_mark.line + 1}: key {_go_value(key)} already set in map")
            keys.add(identity)


def _go_value(key: Any) -> str:
    """A decoded YAML key as Go's `%#v` prints it."""
    if isinstance(key, str):
        return go_quote(key)
    return _key_string(key)


def _key_string(key: Any) -> str:
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, float):
        return go_float(key)
    return str(key)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key if isinstance(key, str) else _key_string(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value
