"""What changed between two versions of an object, as three field sets: added, modified, removed.

As structured-merge-diff compares: a leaf (scalar, atomic list or map, or a list or map empty on both
sides) is added, removed or modified as a whole; granular maps and lists are compared item by item,
and a map or list item that appears or disappears entirely is itself added or removed too (which is why
an Update manager owns `f:data: {".": {}}` after creating `data`). List items are matched by their
names; an item name present twice on one side is compared as a whole.

A value with nothing on the left (every field of a created object) is added with every position under it:
`_added` builds that subtree of the added set directly, without a path per position.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from apimachinery.fieldmanager.fieldset import FieldSet
from apimachinery.fieldmanager.fieldsof import item_element
from apimachinery.fieldmanager.path import Path, PathElement, field_element
from apimachinery.fieldmanager.typeinfo import TypeRef
from apimachinery.fieldmanager.values import MISSING, equal

AtomKind = Literal["map", "list", "scalar"]


@dataclass
class Comparison:
    added: FieldSet = field(default_factory=FieldSet)
    modified: FieldSet = field(default_factory=FieldSet)
    removed: FieldSet = field(default_factory=FieldSet)

    def same(self) -> bool:
        return self.added.empty() and self.modified.empty() and self.removed.empty()

    def filtered(self, keep: Callable[[FieldSet], FieldSet]) -> Comparison:
        return Comparison(keep(self.added), keep(self.modified), keep(self.removed))


def atom_kind(value: Any, type_ref: TypeRef) -> AtomKind:
    """How a value is handled: by its own JSON type, or by its schema's when it is null."""
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "list"
    return type_ref.natural_kind if value is None else "scalar"


def compare(lhs: Any, rhs: Any, root: TypeRef) -> Comparison:
    result = Comparison()
    _Comparer(result).node(lhs, rhs, root, ())
    return result


@dataclass
class _Comparer:
    result: Comparison

    def node(self, lhs: Any, rhs: Any, type_ref: TypeRef, path: Path) -> None:
        if lhs is MISSING and rhs is not MISSING and path:
            self._added(_node_at(self.result.added, path[:-1]), path[-1], rhs, type_ref)
            return
        left = atom_kind(lhs, type_ref) if lhs is not MISSING else None
        right = atom_kind(rhs, type_ref) if rhs is not MISSING else None
        if rhs is MISSING:
            leaf = self.atom(left, lhs, rhs, type_ref, path)
        elif lhs is MISSING or left == right:
            leaf = self.atom(right, lhs, rhs, type_ref, path)
        else:
            self.atom(left, lhs, rhs, type_ref, path)
            leaf = self.atom(right, lhs, rhs, type_ref, path)
        if not leaf and lhs is MISSING:
            self.result.added.insert(path)
        elif not leaf and rhs is MISSING:
            self.result.removed.insert(path)

    def atom(self, kind: AtomKind | None, lhs: Any, rhs: Any, type_ref: TypeRef, path: Path) -> bool:
        """Compare as `kind`; True when the position was compared as a leaf."""
        if kind == "map":
            left, right = _as(lhs, dict), _as(rhs, dict)
            if type_ref.map_atomic() or (not left and not right):
                return self.leaf(lhs, rhs, path)
            for key in {**(left or {}), **(right or {})}:
                child_lhs = left.get(key, MISSING) if left is not None else MISSING
                child_rhs = right.get(key, MISSING) if right is not None else MISSING
                self.node(child_lhs, child_rhs, type_ref.field(key), (*path, field_element(key)))
            return False
        if kind == "list":
            left_list, right_list = _as(lhs, list), _as(rhs, list)
            if type_ref.list_type() == "atomic" or (not left_list and not right_list):
                return self.leaf(lhs, rhs, path)
            self.items(left_list or [], right_list or [], type_ref, path)
            return False
        return self.leaf(lhs, rhs, path)

    def leaf(self, lhs: Any, rhs: Any, path: Path) -> bool:
        if lhs is MISSING:
            self.result.added.insert(path)
        elif rhs is MISSING:
            self.result.removed.insert(path)
        elif not equal(lhs, rhs):
            self.result.modified.insert(path)
        return True

    def items(self, lhs: list[Any], rhs: list[Any], type_ref: TypeRef, path: Path) -> None:
        left, right = _group(lhs, type_ref), _group(rhs, type_ref)
        for pe in [*left, *(pe for pe in right if pe not in left)]:
            lefts, rights = left.get(pe, []), right.get(pe, [])
            item_path = (*path, pe)
            if len(lefts) <= 1 and len(rights) <= 1:
                self.node(lefts[0] if lefts else MISSING, rights[0] if rights else MISSING, type_ref.items(), item_path)
            elif len(lefts) >= 2 and len(rights) >= 2:
                if not equal(lefts, rights):
                    self.result.modified.insert(item_path)
            elif len(lefts) >= 2:
                if rights:
                    self.node(MISSING, rights[0], type_ref.items(), item_path)
                self.result.removed.insert(item_path)
            else:
                if lefts:
                    self.node(lefts[0], MISSING, type_ref.items(), item_path)
                self.result.added.insert(item_path)

    def _added(self, node: FieldSet, element: PathElement, value: Any, type_ref: TypeRef) -> None:
        """`value` is new at `element` of `node`: as `node` would find it, position by position."""
        node.members.add(element)
        kind = atom_kind(value, type_ref)
        if kind == "map":
            if type_ref.map_atomic() or not isinstance(value, dict) or not value:
                return
            below = _node_at(node, (element,))
            for key, item in value.items():
                self._added(below, field_element(key), item, type_ref.field(key))
        elif kind == "list":
            if type_ref.list_type() == "atomic" or not isinstance(value, list) or not value:
                return
            below, items = _node_at(node, (element,)), type_ref.items()
            for name, group in _group(value, type_ref).items():
                if len(group) == 1:
                    self._added(below, name, group[0], items)
                else:  # a name given twice is added as a whole
                    below.members.add(name)


def _node_at(root: FieldSet, path: Path) -> FieldSet:
    """The node `path` leads to in a set being built, created if needed."""
    node = root
    for element in path:
        child = node.children.get(element)
        if child is None:
            child = node.children[element] = FieldSet()
        node = child
    return node


def _as(value: Any, kind: type) -> Any:
    return value if isinstance(value, kind) else None


def _group(items: list[Any], type_ref: TypeRef) -> dict[PathElement, list[Any]]:
    grouped: dict[PathElement, list[Any]] = {}
    for item in items:
        grouped.setdefault(item_element(item, type_ref), []).append(item)
    return grouped
