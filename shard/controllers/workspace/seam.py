"""The one place a workspace controller writes to another shard: creating (idempotently) or deleting the
LogicalCluster of a workspace, behind the `ClusterWriter` protocol. `LocalClusters` writes through this
shard's registry; remote.py has the HTTPS transport to another shard and the writer that picks one of them
by shard name.

`delete` starts the deletion and answers whether the logical cluster is gone (its holding shard removes
the content first, or with it in one transaction: shard/controllers/logicalclusterdeletion/). `available`
is False while the shard is known to be unreachable (its circuit breaker is open), so scheduling can look
elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from apimachinery import errors
from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS
from apimachinery.apis.types import Object
from shard.controllers.logicalclusterdeletion.at_once import delete_at_once
from shard.controllers.logicalclusterdeletion.purge import finish, purge
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.keys import logical_cluster_key
from shard.registry.options import DeleteRequest
from shard.registry.registry import Registry

CONTROLLER_USER = UserInfo("system:kcp:workspace-controller", ("system:masters",))


class ClusterNameTaken(Exception):
    """The chosen logical cluster name already belongs to another owner; pick a new one."""


class ClusterWriter(Protocol):
    async def ensure(self, shard_name: str, cluster_name: str, logical_cluster: Object) -> Object: ...

    async def get(self, shard_name: str, cluster_name: str) -> Object | None: ...

    async def update_status(self, shard_name: str, cluster_name: str, status: Object) -> None: ...

    async def delete(self, shard_name: str, cluster_name: str) -> bool: ...

    def available(self, shard_name: str) -> bool: ...

    def on_this_shard(self, shard_name: str) -> LocalClusters | None:
        """The writer of this shard's own logical clusters if `shard_name` is this shard, else None."""
        ...


@dataclass
class LocalClusters:
    """ClusterWriter for logical clusters on this shard, through its own registry."""

    registry: Registry
    # the deletion's last sweep, handed to logicalclusterdeletion/sweeper.py (None: purge sweeps at once)
    sweep_later: Callable[[str], None] | None = None

    def _ctx(self, cluster_name: str) -> RequestContext:
        return RequestContext(cluster_name, CONTROLLER_USER)

    async def ensure(self, shard_name: str, cluster_name: str, logical_cluster: Object) -> Object:
        """Create it; if it exists with the same owner that is success, another owner → ClusterNameTaken."""
        store = self.registry.store_of(LOGICALCLUSTERS)
        try:
            return await store.create(self._ctx(cluster_name), logical_cluster, WriteOptions())
        except errors.StatusError as err:
            if err.reason != "AlreadyExists":
                raise
        existing = await store.get(self._ctx(cluster_name), "cluster")
        if (existing.get("spec") or {}).get("owner") != (logical_cluster.get("spec") or {}).get("owner"):
            raise ClusterNameTaken(cluster_name)
        return existing

    async def planned(self, cluster_name: str, logical_cluster: Object) -> list[tuple[str, Object]]:
        """What `ensure` writes when the name is free, without writing it: (key, stored form) of the
        LogicalCluster, then of its content (registry/provisioning.py), for a caller that writes them in a
        transaction of its own (at_creation.py)."""
        ctx = self._ctx(cluster_name)
        key, stored = await self.registry.store_of(LOGICALCLUSTERS).prepared(ctx, logical_cluster, WriteOptions())
        return [(key, stored), *await self.registry.provisioning.bundle(ctx, stored)]

    async def get(self, shard_name: str, cluster_name: str) -> Object | None:
        """From the watch cache (registry.paths.read): a miss is confirmed by a linearizable read, so a
        LogicalCluster is never reported gone because the cache lags."""
        found = await self.registry.paths.read(logical_cluster_key(cluster_name))
        return None if found is None else self.registry.store_of(LOGICALCLUSTERS).output(found)

    async def update_status(self, shard_name: str, cluster_name: str, status: Object) -> None:
        async def mutate(current: Object) -> Object:
            current["status"] = {**(current.get("status") or {}), **status}
            return current

        await self.registry.store_of(LOGICALCLUSTERS).update(
            self._ctx(cluster_name), "cluster", mutate, WriteOptions(), subresource="status"
        )

    async def delete(self, shard_name: str, cluster_name: str) -> bool:
        """Remove it with its content in one transaction when nothing needs to see it deleting (at_once.py);
        otherwise mark it deleting and remove its content right away (as the deletion controller would)."""
        if await delete_at_once(self.registry, cluster_name):
            return await finish(self.registry, cluster_name, sweep_later=self.sweep_later)
        marked = None  # the deleting LogicalCluster as written: the watch cache has rarely seen it yet
        try:
            # from the watch cache (registry/deletion.py): a stale state costs a retry, not a wrong verdict
            state, gone = await self.registry.store_of(LOGICALCLUSTERS).delete(
                self._ctx(cluster_name), "cluster", DeleteRequest()
            )
            marked = None if gone else state
        except errors.StatusError as err:
            if err.code != 404:
                raise
        return await purge(self.registry, cluster_name, marked=marked, sweep_later=self.sweep_later)

    def available(self, shard_name: str) -> bool:
        return True

    def on_this_shard(self, shard_name: str) -> LocalClusters | None:
        return self
