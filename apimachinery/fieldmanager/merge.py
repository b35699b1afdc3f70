"""Merging an applied configuration into an object, and removing fields from an object.

`merge` follows structured-merge-diff's apply merge: leaves (scalars, atomic lists and maps, lists or
maps empty on both sides) take the configuration's value; granular maps merge key by key; `set` and
`map` lists merge item by item, matched by name, keeping live-only items where they were and taking the
configuration's order for the items it names. `remove_items` drops the members of a field set (a map
key or a list item, with everything below it); a map or list emptied by removals disappears.
"""

from __future__ import annotations

from typing import Any

from apimachinery.fieldmanager.compare import atom_kind
from apimachinery.fieldmanager.fieldset import FieldSet
from apimachinery.fieldmanager.fieldsof import SchemaError, item_element
from apimachinery.fieldmanager.path import PathElement, field_element
from apimachinery.fieldmanager.typeinfo import TypeRef
from apimachinery.fieldmanager.values import MISSING


def merge(lhs: Any, rhs: Any, type_ref: TypeRef) -> Any:
    """`rhs` (the configuration) merged onto `lhs` (the live object); either may be MISSING."""
    if rhs is MISSING:
        return lhs
    if lhs is MISSING:
        return rhs
    kind = atom_kind(rhs, type_ref)
    if kind == "map" and not type_ref.map_atomic():
        left, right = _as_dict(lhs), _as_dict(rhs)
        if left or right:
            return _merge_maps(left, right, type_ref)
    elif kind == "list" and type_ref.list_type() != "atomic":
        left_list, right_list = _as_list(lhs), _as_list(rhs)
        if left_list or right_list:
            return _merge_lists(left_list, right_list, type_ref)
    return rhs


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _merge_maps(lhs: dict[str, Any], rhs: dict[str, Any], type_ref: TypeRef) -> dict[str, Any]:
    out = {key: merge(value, rhs.get(key, MISSING), type_ref.field(key)) for key, value in lhs.items()}
    out.update({key: value for key, value in rhs.items() if key not in lhs})
    return out


def _merge_lists(lhs: list[Any], rhs: list[Any], type_ref: TypeRef) -> list[Any]:
    """Live-only items stay in place; items the configuration names follow its order."""
    items = type_ref.items()
    lhs_names = [item_element(item, type_ref) for item in lhs]
    rhs_names = [item_element(item, type_ref) for item in rhs]
    rhs_by_name: dict[PathElement, Any] = {}
    for name, item in zip(rhs_names, rhs, strict=True):
        if name in rhs_by_name:
            raise SchemaError(f"duplicate entries for key {name}")
        rhs_by_name[name] = item
    lhs_by_name: dict[PathElement, Any] = {}
    for name, item in zip(lhs_names, lhs, strict=True):
        lhs_by_name.setdefault(name, item)
    shared = [name for name in rhs_names if name in lhs_by_name]
    return _ListMerge(lhs, lhs_names, rhs_names, lhs_by_name, rhs_by_name, shared, items).run()


class _ListMerge:
    """Walks both item sequences at once, as upstream does, to decide the merged order."""

    def __init__(
        self,
        lhs: list[Any],
        lhs_names: list[PathElement],
        rhs_names: list[PathElement],
        lhs_by_name: dict[PathElement, Any],
        rhs_by_name: dict[PathElement, Any],
        shared: list[PathElement],
        items: TypeRef,
    ) -> None:
        self.lhs, self.lhs_names, self.rhs_names = lhs, lhs_names, rhs_names
        self.lhs_by_name, self.rhs_by_name, self.items = lhs_by_name, rhs_by_name, items
        self.shared = iter(shared)
        self.next_shared: PathElement | None = next(self.shared, None)
        self.done: set[PathElement] = set()
        self.out: list[Any] = []

    def emit(self, name: PathElement, lhs: Any, rhs: Any) -> None:
        self.done.add(name)
        self.out.append(merge(lhs, rhs, self.items))
        if self.next_shared == name:
            self.next_shared = next(self.shared, None)

    def run(self) -> list[Any]:
        left = right = 0
        while left < len(self.lhs_names) or right < len(self.rhs_names):
            if left < len(self.lhs_names) and right < len(self.rhs_names):
                name = self.lhs_names[left]
                if name == self.rhs_names[right]:
                    self.emit(name, self.lhs_by_name[name], self.rhs_by_name[name])
                    left, right = left + 1, right + 1
                    continue
                if name in self.rhs_by_name and self.next_shared is not None and self.next_shared != name:
                    left += 1
                    continue
            if left < len(self.lhs_names):
                name = self.lhs_names[left]
                if name not in self.rhs_by_name:
                    self.out.append(self.lhs[left])
                    left += 1
                    continue
                if name in self.done:
                    left += 1
            if right < len(self.rhs_names):
                name = self.rhs_names[right]
                self.emit(name, self.lhs_by_name.get(name, MISSING), self.rhs_by_name[name])
                right += 1
        return self.out


def remove_items(value: Any, fields: FieldSet, type_ref: TypeRef) -> Any:
    """`value` without the members of `fields`; MISSING when nothing is left of a map or list."""
    if isinstance(value, dict):
        if not value or type_ref.map_atomic():
            return value
        out = {}
        for key, item in value.items():
            element = field_element(key)
            if element in fields.members:
                continue
            if element in fields.children:
                item = remove_items(item, fields.children[element], type_ref.field(key))
                if item is MISSING:
                    continue
            out[key] = item
        return out if out else MISSING
    if isinstance(value, list):
        if not value or type_ref.list_type() == "atomic":
            return value
        kept = []
        for item in value:
            element = item_element(item, type_ref)
            if element in fields.members:
                continue
            if element in fields.children:
                item = remove_items(item, fields.children[element], type_ref.items())
                if item is MISSING:
                    continue
            kept.append(item)
        return kept if kept else MISSING
    return value
