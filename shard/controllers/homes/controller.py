"""A home workspace has no Workspace object whose controller could move it on (kcp's homes are bare
LogicalClusters, see shard/registry/homes.py), so this controller does it: a home LogicalCluster of this
shard that is `Initializing` with no initializer left becomes `Ready`, without waiting for its user's next
`workspaces/~` request."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from apimachinery import errors
from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS
from apimachinery.apis.tenancy_kcp_io import TYPE_ANNOTATION
from apimachinery.apis.types import Object
from shard.controllers import framework
from shard.controllers.queue import WorkQueue
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.homes import HOME_CREATOR, HOME_TYPE
from shard.registry.registry import Registry
from shard.storage.interface import ListResult, WatchEvent

PREFIX = "/registry/core.kcp.io/logicalclusters/"
HOME = ":".join(HOME_TYPE)
log = logging.getLogger("kplane.controllers.homes")


def initialized_home(logical_cluster: Object) -> bool:
    """A home whose initializers are all done while it still says `Initializing`."""
    annotations = (logical_cluster.get("metadata") or {}).get("annotations") or {}
    status = logical_cluster.get("status") or {}
    return (
        annotations.get(TYPE_ANNOTATION) == HOME
        and status.get("phase") == "Initializing"
        and not status.get("initializers")
        and not (logical_cluster.get("metadata") or {}).get("deletionTimestamp")
    )


@dataclass
class HomeReadiness:
    registry: Registry
    queue: WorkQueue = field(default_factory=WorkQueue)

    async def run(self) -> None:
        await framework.run(self.registry.storage, PREFIX, self, self.queue, self.reconcile, log)

    def on_list(self, listed: ListResult) -> None:
        for key, item in zip(listed.keys, listed.items, strict=True):
            self._offer(key, item)

    def on_event(self, event: WatchEvent) -> None:
        if event.type in ("ADDED", "MODIFIED"):
            self._offer(event.key, event.object)

    def _offer(self, key: str, logical_cluster: Object) -> None:
        if initialized_home(logical_cluster):
            self.queue.add(key.removeprefix(PREFIX).rpartition("/")[0])

    async def reconcile(self, cluster: str) -> bool:
        async def ready(current: Object) -> Object:
            if initialized_home(current):
                current["status"]["phase"] = "Ready"
            return current

        ctx = RequestContext(cluster, HOME_CREATOR)
        try:
            await self.registry.store_of(LOGICALCLUSTERS).update(
                ctx, "cluster", ready, WriteOptions(), subresource="status"
            )
        except errors.StatusError as err:
            if err.code != 404:  # gone meanwhile: nothing to do
                raise
        return False
