"""Wiring of the namespace controller: watch namespaces of every logical cluster, queue terminating ones."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from shard.controllers import framework
from shard.controllers.namespace.reconcile_content import delete_content, finalize
from shard.controllers.queue import WorkQueue
from shard.registry.metadata import CLUSTER_ANNOTATION
from shard.registry.registry import Registry
from shard.storage.interface import ListResult, Object, WatchEvent

PREFIX = "/registry/core/namespaces/"
log = logging.getLogger("kplane.controllers.namespace")


@dataclass
class NamespaceController:
    registry: Registry
    queue: WorkQueue = field(default_factory=WorkQueue)

    async def run(self) -> None:
        await framework.run(self.registry.storage, PREFIX, self, self.queue, self.reconcile, log)

    def on_list(self, listed: ListResult) -> None:
        for item in listed.items:
            self._offer(item)

    def on_event(self, event: WatchEvent) -> None:
        if event.type in ("ADDED", "MODIFIED"):
            self._offer(event.object)

    def _offer(self, namespace: Object) -> None:
        meta = namespace.get("metadata") or {}
        if meta.get("deletionTimestamp"):
            cluster = (meta.get("annotations") or {}).get(CLUSTER_ANNOTATION, "")
            if cluster:
                self.queue.add(f"{cluster}/{meta['name']}")

    async def reconcile(self, key: str) -> bool:
        cluster, _, name = key.partition("/")
        if await delete_content(self.registry, cluster, name):
            return True
        await finalize(self.registry, cluster, name)
        return False
