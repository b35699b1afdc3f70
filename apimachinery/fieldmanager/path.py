"""Path elements: a field name, a map-list key, a set-list value or a list index.

A `PathElement` is hashable and ordered (fields first, then keys, values and indexes, each by its own
order), and has two spellings: the fieldsV1 key (`f:data`, `k:{"name":"a"}`, `v:"x"`, `i:0`) and the
path form used in conflict messages (`.data`, `[name="a"]`, `[="x"]`, `[0]`).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from apimachinery.fieldmanager.values import go_json, order_key, to_string


class Kind(IntEnum):
    FIELD = 0
    KEY = 1
    VALUE = 2
    INDEX = 3


PREFIXES = {Kind.FIELD: "f", Kind.KEY: "k", Kind.VALUE: "v", Kind.INDEX: "i"}


@dataclass(frozen=True, order=False)
class PathElement:
    """`token` is the canonical text after the `x:` prefix; equality and hashing use (kind, token)."""

    kind: Kind
    token: str
    _order: tuple[Any, ...] = field(default=(), compare=False, hash=False, repr=False)

    @property
    def name(self) -> str:
        return self.token

    @property
    def value(self) -> Any:
        """The decoded value of a VALUE element, or the key object of a KEY element."""
        return json.loads(self.token)

    @property
    def index(self) -> int:
        return int(self.token)

    def sort_key(self) -> tuple[Any, ...]:
        return (int(self.kind), self._order)

    def __lt__(self, other: PathElement) -> bool:
        return self.sort_key() < other.sort_key()

    def encoded(self) -> str:
        """The fieldsV1 key of this element."""
        return f"{PREFIXES[self.kind]}:{self.token}"

    def __str__(self) -> str:
        if self.kind is Kind.FIELD:
            return "." + self.token
        if self.kind is Kind.KEY:
            key = self.value
            return "[" + ",".join(f"{name}={to_string(key[name])}" for name in key) + "]"
        if self.kind is Kind.VALUE:
            return f"[={to_string(self.value)}]"
        return f"[{self.token}]"


@functools.lru_cache(maxsize=4096)
def field_element(name: str) -> PathElement:
    """Elements are immutable, so one per name is shared (every write compares every field by name)."""
    return PathElement(Kind.FIELD, name, (name,))


def key_element(key: dict[str, Any]) -> PathElement:
    """A map-list key; fields are ordered by name, as upstream sorts them."""
    names = sorted(key)
    token = "{" + ",".join(f"{go_json(name)}:{go_json(key[name])}" for name in names) + "}"
    return PathElement(Kind.KEY, token, tuple((name, order_key(key[name])) for name in names))


def value_element(value: Any) -> PathElement:
    return PathElement(Kind.VALUE, go_json(value), (order_key(value),))


def index_element(index: int) -> PathElement:
    return PathElement(Kind.INDEX, str(index), (index,))


def decode_element(text: str) -> PathElement | None:
    """A fieldsV1 key → element; None for an unknown prefix (skipped, as upstream); ValueError if bad."""
    if len(text) < 2 or text[1] != ":":
        raise ValueError(f"invalid path element {text!r}")
    prefix, rest = text[0], text[2:]
    if prefix == "f":
        return field_element(rest)
    if prefix == "k":
        key = json.loads(rest)
        if not isinstance(key, dict):
            raise ValueError(f"key element must be an object: {text!r}")
        return key_element(key)
    if prefix == "v":
        return value_element(json.loads(rest))
    if prefix == "i":
        return index_element(int(rest))
    return None


Path = tuple[PathElement, ...]


def path_string(path: Path) -> str:
    return "".join(str(element) for element in path)


def path_of(*names: str) -> Path:
    """A path of field names only, for fixed paths such as `metadata.name`."""
    return tuple(field_element(name) for name in names)
