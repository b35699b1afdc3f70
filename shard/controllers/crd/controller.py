"""Wiring of the CRD controller: watch CRDs of every logical cluster, reconcile each by cluster/name."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from apimachinery.apis.apiextensions_v1 import CLEANUP_FINALIZER
from apimachinery.apis.types import Object
from shard.controllers import framework
from shard.controllers.crd.reconcile_cleanup import clean_up
from shard.controllers.crd.reconcile_names import name_conflicts, record_status, serve
from shard.controllers.queue import WorkQueue
from shard.registry.metadata import CLUSTER_ANNOTATION
from shard.registry.registry import Registry
from shard.storage.interface import ListResult, WatchEvent

PREFIX = "/registry/apiextensions.k8s.io/customresourcedefinitions/"
log = logging.getLogger("kplane.controllers.crd")


@dataclass
class CRDController:
    registry: Registry
    queue: WorkQueue = field(default_factory=WorkQueue)
    crds: dict[str, Object] = field(default_factory=dict)
    served_generation: dict[str, int] = field(default_factory=dict)

    async def run(self) -> None:
        await framework.run(self.registry.storage, PREFIX, self, self.queue, self._reconcile, log)

    def on_list(self, listed: ListResult) -> None:
        self.crds = {}
        for item in listed.items:
            self._observe(item)

    def on_event(self, event: WatchEvent) -> None:
        self._on_event(event)

    def _on_event(self, event: WatchEvent) -> None:
        if event.type == "DELETED":
            key = _key(event.object)
            self.crds.pop(key, None)
            self.served_generation.pop(key, None)
            cluster, _, name = key.partition("/")
            self.registry.custom.withdraw(cluster, name)
            for other in self._in_cluster(cluster):
                self.queue.add(_key(other))
        elif event.type in ("ADDED", "MODIFIED"):
            self._observe(event.object)

    def _observe(self, crd: Object) -> None:
        key = _key(crd)
        self.crds[key] = crd
        self.queue.add(key)

    def _in_cluster(self, cluster: str) -> list[Object]:
        return [crd for key, crd in self.crds.items() if key.startswith(f"{cluster}/")]

    async def _reconcile(self, key: str) -> bool:
        crd = self.crds.get(key)
        if crd is None:
            return False
        cluster, _, _ = key.partition("/")
        meta = crd["metadata"]
        if meta.get("deletionTimestamp"):
            return CLEANUP_FINALIZER in (meta.get("finalizers") or []) and await clean_up(self.registry, cluster, crd)
        others = [c for c in self._in_cluster(cluster) if not c["metadata"].get("deletionTimestamp")]
        conflict = name_conflicts(crd, others)
        generation = int(meta.get("generation") or 0)
        if not conflict and self.served_generation.get(key) != generation:
            serve(self.registry, cluster, crd)
            self.served_generation[key] = generation
        if _needs_status(crd, conflict):
            await record_status(self.registry, cluster, crd, conflict)
        return False


def _key(crd: Object) -> str:
    meta = crd.get("metadata") or {}
    return f"{(meta.get('annotations') or {}).get(CLUSTER_ANNOTATION, '')}/{meta.get('name', '')}"


def _needs_status(crd: Object, conflict: str) -> bool:
    status = crd.get("status") or {}
    conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
    wanted = "False" if conflict else "True"
    if conditions.get("NamesAccepted") != wanted:
        return True
    if conflict:
        return False
    return (
        conditions.get("Established") != "True"
        or status.get("acceptedNames", {}).get("plural") != crd["spec"]["names"]["plural"]
    )
