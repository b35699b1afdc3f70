"""The logical cluster deletion controller (kcp's `kcp-logicalcluster-deletion`): on the shard that holds a
logical cluster, a deleting LogicalCluster (deletionTimestamp set, held by the
`core.kcp.io/logicalcluster-deletion` finalizer) has its whole content removed and is then let go
(purge.py). This is how a Workspace on one shard deletes its logical cluster on another: it deletes the
LogicalCluster over HTTPS and waits until it is gone.

When the Workspace is on this shard, its workspace controller runs the same purge inline (and retries it
until it is done), so this controller only looks again one requeue delay later, as a backstop: two purges
of one logical cluster at once would double its deletion's etcd writes. Most often it deletes the logical
cluster at once (at_once.py) without marking it, and this controller hears nothing."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from shard.controllers import framework
from shard.controllers.logicalclusterdeletion.purge import gone, purge, purged_inline
from shard.controllers.logicalclusterdeletion.sweeper import Sweeper
from shard.controllers.queue import WorkQueue
from shard.registry.registry import Registry
from shard.storage.interface import ListResult, Object, WatchEvent

PREFIX = "/registry/core.kcp.io/logicalclusters/"
log = logging.getLogger("kplane.controllers.logicalclusterdeletion")
WORKERS = 4  # each purge mostly waits on etcd; several logical clusters are emptied at once


@dataclass
class LogicalClusterDeletionController:
    registry: Registry
    sweeper: Sweeper | None = None  # None: each purge sweeps right away
    queue: WorkQueue = field(default_factory=WorkQueue)
    # deleting logical clusters whose Workspace is on this shard, left to the workspace controller's inline
    # purge for one requeue delay; this controller purges them only if they are still there after it
    _handed_off: set[str] = field(default_factory=set)

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            if self.sweeper is not None:
                group.create_task(self.sweeper.run())
            group.create_task(
                framework.run(self.registry.storage, PREFIX, self, self.queue, self.reconcile, log, workers=WORKERS)
            )

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
        """True (look again) while nested Workspaces are still going away, while the content keeps changing
        under the deletion, or for a first look at a logical cluster the workspace controller purges."""
        if cluster_name in self._handed_off:
            self._handed_off.discard(cluster_name)
            if await gone(self.registry, cluster_name):
                return False  # the inline purge let it go; it also owns the last sweep and its retries
        elif await purged_inline(self.registry, cluster_name):
            self._handed_off.add(cluster_name)
            return True
        sweep_later = self.sweeper.schedule if self.sweeper is not None else None
        return not await purge(self.registry, cluster_name, sweep_later=sweep_later)
