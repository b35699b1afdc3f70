"""The logical cluster deletion controller (kcp's `kcp-logicalcluster-deletion`): on the shard that holds a
logical cluster, a deleting LogicalCluster (deletionTimestamp set, held by the
`core.kcp.io/logicalcluster-deletion` finalizer) has its whole content removed and is then let go
(purge.py). This is how a Workspace on one shard deletes its logical cluster on another: it deletes the
LogicalCluster over HTTPS and waits until it is gone."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from shard.controllers import framework
from shard.controllers.logicalclusterdeletion.purge import purge
from shard.controllers.queue import WorkQueue
from shard.registry.registry import Registry
from shard.storage.interface import ListResult, Object, WatchEvent

PREFIX = "/registry/core.kcp.io/logicalclusters/"
log = logging.getLogger("kplane.controllers.logicalclusterdeletion")
WORKERS = 4  # each purge mostly waits on etcd; several logical clusters are emptied at once


@dataclass
class LogicalClusterDeletionController:
    registry: Registry
    queue: WorkQueue = field(default_factory=WorkQueue)

    async def run(self) -> None:
        await framework.run(self.registry.storage, PREFIX, self, self.queue, self.reconcile, log, workers=WORKERS)

    def on_list(self, listed: ListResult) -> None:
        for key, item in zip(listed.keys, listed.items, strict=True):
            self._offer(key, item)

    def on_event(self, event: WatchEvent) -> None:
        if event.type in ("ADDED", "MODIFIED"):
            self._offer(event.key, event.object)

    def _offer(self, key: str, logical_cluster: Object) -> None:
        if (logical_cluster.get("metadata") or {}).get("deletionTimestamp"):
            self.queue.add(key[len(PREFIX) :].partition("/")[0])

    async def reconcile(self, cluster_name: str) -> bool:
        """True (look again) while nested Workspaces are still going away."""
        return not await purge(self.registry, cluster_name)
