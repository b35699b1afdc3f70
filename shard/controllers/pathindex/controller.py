"""Feeds the shard's PathIndex (apimachinery.index) from the LogicalClusters and Workspaces it holds.

LogicalCluster `cluster` of cluster C → C is on shard `core.kcp.io/shard` (this shard if unset);
Workspace `w` in cluster P with spec.cluster C → (P, w) leads to C. Scheduling workspaces (no
spec.cluster) are not indexed. Misses are resolved by the PathResolver reading storage, so a lagging
index only costs a storage read.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from apimachinery.apis.tenancy_kcp_io import SHARD_ANNOTATION
from apimachinery.index.state import PathIndex
from shard.controllers import framework
from shard.registry.metadata import CLUSTER_ANNOTATION
from shard.storage.interface import ListResult, Object, Storage, WatchEvent

LOGICAL_CLUSTERS = "/registry/core.kcp.io/logicalclusters/"
WORKSPACES = "/registry/tenancy.kcp.io/workspaces/"


@dataclass
class _Clusters:
    index: PathIndex
    shard_name: str

    def _entry(self, key: str, obj: Object) -> tuple[str, str]:
        cluster_name = key[len(LOGICAL_CLUSTERS) :].partition("/")[0]
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        return cluster_name, annotations.get(SHARD_ANNOTATION, self.shard_name)

    def on_list(self, listed: ListResult) -> None:
        self.index.replace_clusters(dict(self._entry(k, o) for k, o in zip(listed.keys, listed.items, strict=True)))

    def on_event(self, event: WatchEvent) -> None:
        if event.type == "BOOKMARK":
            return
        cluster_name, shard_name = self._entry(event.key, event.object)
        if event.type == "DELETED":
            self.index.drop_cluster(cluster_name)
        else:
            self.index.set_cluster(cluster_name, shard_name)


@dataclass
class _Workspaces:
    index: PathIndex

    @staticmethod
    def _entry(obj: Object) -> tuple[str, str, str]:
        meta = obj.get("metadata") or {}
        parent = (meta.get("annotations") or {}).get(CLUSTER_ANNOTATION, "")
        return parent, meta.get("name", ""), (obj.get("spec") or {}).get("cluster", "")

    def on_list(self, listed: ListResult) -> None:
        entries = [self._entry(item) for item in listed.items]
        self.index.replace_workspaces({(p, n): c for p, n, c in entries if p and c})

    def on_event(self, event: WatchEvent) -> None:
        if event.type == "BOOKMARK":
            return
        parent, name, child = self._entry(event.object)
        if event.type == "DELETED" or not child:
            self.index.drop_workspace(parent, name)
        else:
            self.index.set_workspace(parent, name, child)


@dataclass
class PathIndexController:
    storage: Storage
    index: PathIndex
    shard_name: str

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            group.create_task(framework.follow(self.storage, LOGICAL_CLUSTERS, _Clusters(self.index, self.shard_name)))
            group.create_task(framework.follow(self.storage, WORKSPACES, _Workspaces(self.index)))
