"""What every reconcile step of a workspace shares: the registry, the cluster writer, where the Shards
come from (root's, possibly through the root shard), and small read/write helpers over Workspaces."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from apimachinery import errors
from apimachinery.apis.core_kcp_io import SHARDS
from apimachinery.apis.tenancy_kcp_io import WORKSPACES
from apimachinery.apis.types import Object
from shard.controllers.workspace.seam import CONTROLLER_USER, ClusterWriter
from shard.registry import keys
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.metadata import now_rfc3339
from shard.registry.registry import Registry
from shard.storage.interface import ListOptions

ShardList = Callable[[], Awaitable[list[Object]]]


@dataclass
class Workspaces:
    """`shard_list` gives root's Shard objects (None: read them from this shard's storage, which holds
    root)."""

    registry: Registry
    writer: ClusterWriter
    shard_list: ShardList | None = None

    def ctx(self, cluster_name: str) -> RequestContext:
        return RequestContext(cluster_name, CONTROLLER_USER)

    async def get(self, cluster_name: str, name: str) -> Object | None:
        try:
            return await self.registry.store_of(WORKSPACES).get(self.ctx(cluster_name), name)
        except errors.StatusError as err:
            if err.code == 404:
                return None
            raise

    async def update(self, cluster_name: str, name: str, change: Callable[[Object], None]) -> Object:
        async def mutate(current: Object) -> Object:
            change(current)
            return current

        return await self.registry.store_of(WORKSPACES).update(self.ctx(cluster_name), name, mutate, WriteOptions())

    async def set_status(self, cluster_name: str, name: str, change: Callable[[Object], None]) -> Object:
        async def mutate(current: Object) -> Object:
            change(current.setdefault("status", {}))
            return current

        store = self.registry.store_of(WORKSPACES)
        return await store.update(self.ctx(cluster_name), name, mutate, WriteOptions(), subresource="status")

    async def shards(self) -> list[Object]:
        if self.shard_list is not None:
            return await self.shard_list()
        prefix = keys.collection_prefix(SHARDS, "root")
        return (await self.registry.storage.list(prefix, ListOptions(consistent=False))).items


def set_condition(status: Object, kind: str, value: str, reason: str = "", message: str = "") -> None:
    conditions = [c for c in status.get("conditions") or [] if c.get("type") != kind]
    condition: Object = {"type": kind, "status": value, "lastTransitionTime": now_rfc3339()}
    if reason:
        condition["reason"] = reason
    if message:
        condition["message"] = message
    previous = next((c for c in status.get("conditions") or [] if c.get("type") == kind), None)
    if previous and previous.get("status") == value:
        condition["lastTransitionTime"] = previous.get("lastTransitionTime", condition["lastTransitionTime"])
    status["conditions"] = [*conditions, condition]
