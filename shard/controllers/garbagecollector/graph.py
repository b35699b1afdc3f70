"""The ownership graph: every object by uid, with its owners and dependents. Pure state, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Object = dict[str, Any]


@dataclass(frozen=True)
class Node:
    uid: str
    key: str
    cluster: str
    namespace: str
    name: str
    owners: tuple[dict[str, Any], ...]
    finalizers: tuple[str, ...]
    deleting: bool

    @classmethod
    def of(cls, key: str, obj: Object, cluster: str) -> Node:
        meta = obj.get("metadata") or {}
        return cls(
            meta.get("uid", ""),
            key,
            cluster,
            meta.get("namespace", ""),
            meta.get("name", ""),
            tuple(meta.get("ownerReferences") or ()),
            tuple(meta.get("finalizers") or ()),
            bool(meta.get("deletionTimestamp")),
        )

    def owner_uids(self) -> set[str]:
        return {ref.get("uid", "") for ref in self.owners}


@dataclass
class Graph:
    nodes: dict[str, Node] = field(default_factory=dict)
    dependents: dict[str, set[str]] = field(default_factory=dict)

    def upsert(self, node: Node) -> None:
        self.remove(node.uid)
        self.nodes[node.uid] = node
        for owner in node.owner_uids():
            self.dependents.setdefault(owner, set()).add(node.uid)

    def remove(self, uid: str) -> Node | None:
        node = self.nodes.pop(uid, None)
        if node is not None:
            for owner in node.owner_uids():
                self.dependents.get(owner, set()).discard(node.uid)
        return node

    def dependents_of(self, uid: str) -> list[Node]:
        return [self.nodes[d] for d in sorted(self.dependents.get(uid, ())) if d in self.nodes]
