"""A set of field paths, stored as a trie: the members at this level and a child set per element.

A path is in the set when its last element is a member of the node its prefix leads to. Children never
hold empty sets. The operations are those of structured-merge-diff: union, intersection, difference
(members only) and recursive difference (a member of the other set removes the whole subtree).

A set is only inserted into while it is being built; once built it is never changed, which lets the
operations share the subtrees they leave as they are between their operands and their result instead
of copying them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from apimachinery.fieldmanager.path import Path, PathElement, path_string


@dataclass
class FieldSet:
    members: set[PathElement] = field(default_factory=set)
    children: dict[PathElement, FieldSet] = field(default_factory=dict)

    @classmethod
    def of(cls, paths: Iterable[Path]) -> FieldSet:
        out = cls()
        for path in paths:
            out.insert(path)
        return out

    # ---- building ------------------------------------------------------------------------------
    def insert(self, path: Path) -> None:
        if not path:
            return
        node = self
        for element in path[:-1]:
            child = node.children.get(element)
            if child is None:
                child = node.children[element] = FieldSet()
            node = child
        node.members.add(path[-1])

    def copy(self) -> FieldSet:
        """A deep copy, for a caller that wants to insert into it."""
        return FieldSet(set(self.members), {pe: child.copy() for pe, child in self.children.items()})

    # ---- queries -------------------------------------------------------------------------------
    def empty(self) -> bool:
        return not self.members and all(child.empty() for child in self.children.values())

    def has(self, path: Path) -> bool:
        node: FieldSet | None = self
        for element in path[:-1]:
            node = node.children.get(element) if node else None
        return bool(path) and node is not None and path[-1] in node.members

    def child(self, element: PathElement) -> FieldSet:
        return self.children.get(element) or FieldSet()

    def paths(self, prefix: Path = ()) -> Iterator[Path]:
        """Every member path, in element order."""
        for element in sorted(self.members | set(self.children)):
            if element in self.members:
                yield (*prefix, element)
            if element in self.children:
                yield from self.children[element].paths((*prefix, element))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldSet):
            return NotImplemented
        return self.members == other.members and _pruned(self.children) == _pruned(other.children)

    def __str__(self) -> str:
        return "\n".join(path_string(path) for path in self.paths())

    # ---- algebra -------------------------------------------------------------------------------
    def union(self, other: FieldSet) -> FieldSet:
        children = dict(self.children)
        for pe, child in other.children.items():
            mine = children.get(pe)
            children[pe] = child if mine is None else mine.union(child)
        return FieldSet(self.members | other.members, children)

    def intersection(self, other: FieldSet) -> FieldSet:
        children = {}
        for pe, child in self.children.items():
            if pe in other.children:
                common = child.intersection(other.children[pe])
                if not common.empty():
                    children[pe] = common
        return FieldSet(self.members & other.members, children)

    def difference(self, other: FieldSet) -> FieldSet:
        """Members of `other` leave; a member's subtree stays unless `other` lists it too."""
        children = {}
        for pe, child in self.children.items():
            theirs = other.children.get(pe)
            rest = child if theirs is None else child.difference(theirs)
            if not rest.empty():
                children[pe] = rest
        return FieldSet(self.members - other.members, children)

    def recursive_difference(self, other: FieldSet) -> FieldSet:
        """Like difference, but a member of `other` also removes everything below it."""
        children = {}
        for pe, child in self.children.items():
            if pe in other.members:
                continue
            theirs = other.children.get(pe)
            rest = child if theirs is None else child.recursive_difference(theirs)
            if not rest.empty():
                children[pe] = rest
        return FieldSet(self.members - other.members, children)


def _pruned(children: dict[PathElement, FieldSet]) -> dict[PathElement, FieldSet]:
    return {pe: child for pe, child in children.items() if not child.empty()}
