"""Ratcheting of CEL rule failures on update (upstream `CorrelatedObject` and `ratchetingOptions`).

A value correlates with its old counterpart through object properties, map keys and map-list keys
(not through items of atomic or set lists). A failure of a rule that does not use `oldSelf` is only a
warning when the failing value, or, if it has no counterpart, its nearest correlated ancestor, is
unchanged, so objects stored before a rule was added can still be updated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apimachinery.cel.structural import SchemaNode


class Correlated:
    """A new value and its old counterpart at one schema level; deep equality is computed once."""

    def __init__(self, new: Any, old: Any, schema: SchemaNode) -> None:
        self.new, self.old, self.schema = new, old, schema
        self._equal: bool | None = None
        self._old_by_key: dict[tuple[Any, ...], Any] | None = None

    def key(self, name: str) -> Correlated | None:
        if not isinstance(self.new, dict) or not isinstance(self.old, dict):
            return None
        if name not in self.new or name not in self.old:
            return None
        schema = self.schema.properties.get(name) or self.schema.additional_properties
        return None if schema is None else Correlated(self.new[name], self.old[name], schema)

    def index(self, position: int) -> Correlated | None:
        items = self.schema.items
        if self.schema.list_type != "map" or items is None or not isinstance(self.new, list):
            return None
        if not isinstance(self.old, list) or position >= len(self.new):
            return None
        old = self._old_item(self.new[position])
        return None if old is None else Correlated(self.new[position], old, items)

    def _old_item(self, item: Any) -> Any:
        if self._old_by_key is None:
            self._old_by_key = {}
            for old_item in self.old:
                old_key = map_list_key(old_item, self.schema.list_map_keys)
                if old_key is not None:
                    self._old_by_key.setdefault(old_key, old_item)
        item_key = map_list_key(item, self.schema.list_map_keys)
        return None if item_key is None else self._old_by_key.get(item_key)

    def deep_equal(self) -> bool:
        if self._equal is None:
            self._equal = self._compare()
        return self._equal

    def _compare(self) -> bool:
        new, old = self.new, self.old
        if isinstance(new, list) and isinstance(old, list):
            if len(new) != len(old):
                return False
            if self.schema.list_type != "map":
                return new == old
            return all((item := self.index(i)) is not None and item.deep_equal() for i in range(len(new)))
        if isinstance(new, dict) and isinstance(old, dict):
            return len(new) == len(old) and all(
                (item := self.key(name)) is not None and item.deep_equal() for name in new
            )
        return type(new) is type(old) and new == old


def map_list_key(item: Any, keys: tuple[str, ...]) -> tuple[Any, ...] | None:
    """The identity of a map-list item: its key values, or None when one is missing or not a scalar."""
    if not keys or not isinstance(item, dict) or any(name not in item for name in keys):
        return None
    parts = [item[name] for name in keys]
    if not all(isinstance(part, (bool, int, float, str)) for part in parts):
        return None
    return tuple((type(part).__name__, part) for part in parts)


@dataclass(frozen=True)
class Correlation:
    """The correlated value at the current node (if any) and at its nearest correlated ancestor."""

    current: Correlated | None = None
    parent: Correlated | None = None

    @classmethod
    def root(cls, new: Any, old: Any, schema: SchemaNode) -> Correlation:
        return cls(Correlated(new, old, schema))

    def key(self, name: str) -> Correlation:
        if self.current is None:
            return self
        if self.parent is None and name in ("apiVersion", "kind"):
            return Correlation()
        return Correlation(self.current.key(name), self.current)

    def index(self, position: int) -> Correlation:
        if self.current is None:
            return self
        return Correlation(self.current.index(position), self.current)

    def without_current(self) -> Correlation:
        return Correlation(None, self.parent)

    def should_ratchet(self) -> bool:
        if self.current is not None:
            return self.current.deep_equal()
        return self.parent is not None and self.parent.deep_equal()
