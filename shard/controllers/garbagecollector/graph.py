"""The ownership graph: every object by uid, with its owners and dependents. Pure state, no I/O.

The graph holds a node for every object of the shard, so a node is kept small: slots, and its cluster,
namespace and name interned (the same few names, `default`, `kube-system`, ..., recur in every logical
cluster, and every object of a cluster repeats its cluster's name).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

Object = dict[str, Any]


@dataclass(frozen=True, slots=True)
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
            _interned(cluster),
            _interned(meta.get("namespace")),
            _interned(meta.get("name")),
            tuple(meta.get("ownerReferences") or ()),
            tuple(meta.get("finalizers") or ()),
            bool(meta.get("deletionTimestamp")),
        )

    def owner_uids(self) -> set[str]:
        return {ref.get("uid", "") for ref in self.owners}


def _interned(value: Any) -> str:
    return sys.intern(value) if isinstance(value, str) else ""


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
