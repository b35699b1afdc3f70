"""Wiring of the garbage collector: one watch over the shard's objects feeds the graph and the queue."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from shard.controllers import framework
from shard.controllers.garbagecollector.access import split_key
from shard.controllers.garbagecollector.graph import Graph, Node
from shard.controllers.garbagecollector.reconcile_dependents import FOREGROUND, verify_dependent
from shard.controllers.garbagecollector.reconcile_owners import ORPHAN, finish_owner
from shard.controllers.queue import WorkQueue
from shard.registry.registry import Registry
from shard.storage.interface import ListResult, WatchEvent

PREFIX = "/registry/"
log = logging.getLogger("kplane.controllers.garbagecollector")


@dataclass
class GarbageCollector:
    registry: Registry
    graph: Graph = field(default_factory=Graph)
    queue: WorkQueue = field(default_factory=WorkQueue)

    async def run(self) -> None:
        await framework.run(self.registry.storage, PREFIX, self, self.queue, self.reconcile, log)

    def on_list(self, listed: ListResult) -> None:
        self.graph = Graph()
        for key, item in zip(listed.keys, listed.items, strict=True):
            self._observe(key, item, initial=True)

    def on_event(self, event: WatchEvent) -> None:
        self._on_event(event)

    def _on_event(self, event: WatchEvent) -> None:
        if event.type in ("ADDED", "MODIFIED"):
            self._observe(event.key, event.object, initial=False)
        elif event.type == "DELETED":
            self._forget((event.object.get("metadata") or {}).get("uid", ""))

    def _observe(self, key: str, obj: dict[str, object], *, initial: bool) -> None:
        node = Node.of(key, obj, split_key(key)[2])
        if not node.uid:
            return
        self.graph.upsert(node)
        if node.deleting and (ORPHAN in node.finalizers or FOREGROUND in node.finalizers):
            self.queue.add(f"owner/{node.uid}")
        if node.owners and (initial or any(uid not in self.graph.nodes for uid in node.owner_uids())):
            self.queue.add(f"dependent/{node.uid}")

    def _forget(self, uid: str) -> None:
        node = self.graph.remove(uid)
        if node is None:
            return
        for dependent in self.graph.dependents_of(uid):
            self.queue.add(f"dependent/{dependent.uid}")
        for owner_uid in node.owner_uids():
            owner = self.graph.nodes.get(owner_uid)
            if owner is not None and owner.deleting:
                self.queue.add(f"owner/{owner_uid}")

    async def reconcile(self, item: str) -> bool:
        kind, _, uid = item.partition("/")
        if kind == "owner":
            return await finish_owner(self.registry, self.graph, uid)
        await verify_dependent(self.registry, self.graph, uid)
        return False
