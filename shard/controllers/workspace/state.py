"""What every reconcile step of a workspace shares: the registry, the cluster writer, where the Shards
come from (root's, possibly through the root shard), and small read/write helpers over Workspaces.

Workspaces are read from the watch cache, without fetching a revision from etcd: a key is reconciled
because a watch event (or a timer after one) queued it, so the cache is at least as fresh as that event;
it is read from etcd only when the cache is older than this controller's own latest write of it
(own_writes.py). Writes are guarded by the resourceVersion, and every step hands the object it wrote to
the next one, so one reconcile can run several steps in a row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from apimachinery.apis.core_kcp_io import SHARDS
from apimachinery.apis.tenancy_kcp_io import WORKSPACES
from apimachinery.apis.types import Object
from shard.controllers.workspace.own_writes import OwnWrites
from shard.controllers.workspace.seam import CONTROLLER_USER, ClusterWriter
from shard.registry import keys
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.metadata import now_rfc3339
from shard.registry.registry import Registry
from shard.registry.store import Step
from shard.storage import errors as storage_errors
from shard.storage.interface import ListOptions

ShardList = Callable[[], Awaitable[list[Object]]]


def resource_version(obj: Object) -> int:
    return int((obj.get("metadata") or {}).get("resourceVersion") or 0)


@dataclass
class Workspaces:
    """`shard_list` gives root's Shard objects (None: read them from this shard's storage, which holds
    root)."""

    registry: Registry
    writer: ClusterWriter
    shard_list: ShardList | None = None
    own: OwnWrites = field(default_factory=OwnWrites)

    def ctx(self, cluster_name: str) -> RequestContext:
        return RequestContext(cluster_name, CONTROLLER_USER)

    async def get(self, cluster_name: str, name: str) -> Object | None:
        """The Workspace from the watch cache, or from etcd if the cache has not seen our latest write yet."""
        store = self.registry.store_of(WORKSPACES)
        key, queue_key = store.key(self.ctx(cluster_name), name), f"{cluster_name}/{name}"
        try:
            stored = await self.registry.storage.get(key, consistent=False)
            if resource_version(stored) < self.own.newest(queue_key):
                stored = await self.registry.storage.get(key)
        except storage_errors.KeyNotFoundError:
            # the cache is at least as fresh as the event that queued the key (it was created before)
            self.own.forget(queue_key)
            return None
        self.own.seen(queue_key, resource_version(stored))
        return store.output(stored)

    async def update(self, cluster_name: str, workspace: Object, change: Callable[[Object], None]) -> Object:
        """`change` applied to the current state of `workspace`; the Workspace as written."""

        def mutate(current: Object) -> Object:
            change(current)
            return current

        return await self._write(cluster_name, workspace, mutate, "")

    async def set_status(self, cluster_name: str, workspace: Object, change: Callable[[Object], None]) -> Object:
        def mutate(current: Object) -> Object:
            change(current.setdefault("status", {}))
            return current

        return await self._write(cluster_name, workspace, mutate, "status")

    async def update_with_status(
        self, cluster_name: str, workspace: Object, change: Callable[[Object], None], status: Callable[[Object], None]
    ) -> Object:
        """`change`, then `status` on the status, in one write (managedFields as if they were two)."""

        def mutate(current: Object) -> Object:
            change(current)
            return current

        return await self._write(cluster_name, workspace, mutate, "", then=(status_step(status),))

    async def _write(
        self,
        cluster_name: str,
        workspace: Object,
        mutate: Callable[[Object], Object],
        subresource: str,
        then: tuple[Step, ...] = (),
    ) -> Object:
        """One guarded write; remembered (own_writes.py) when it stored something."""
        name = workspace["metadata"]["name"]
        started_from: list[int] = []

        async def tracked(current: Object) -> Object:
            started_from.append(resource_version(current))
            return mutate(current)

        store = self.registry.store_of(WORKSPACES)
        # from the state this reconcile holds (its own last write), which the watch cache may not show yet
        written = await store.update(
            self.ctx(cluster_name), name, tracked, WriteOptions(), subresource=subresource, cached=workspace, then=then
        )
        revision = resource_version(written)
        if started_from and revision != started_from[-1]:
            echo = started_from[-1] == resource_version(workspace)
            self.own.wrote(f"{cluster_name}/{name}", revision, echo=echo)
        return written

    async def shards(self) -> list[Object]:
        if self.shard_list is not None:
            return await self.shard_list()
        prefix = keys.collection_prefix(SHARDS, "root")
        return (await self.registry.storage.list(prefix, ListOptions(consistent=False))).items


def status_step(status: Callable[[Object], None]) -> Step:
    """`status` applied to the status, as a write through `/status` (a step of `Store.update(then=...)`)."""

    async def mutate_status(current: Object) -> Object:
        status(current.setdefault("status", {}))
        return current

    return (mutate_status, "status")


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
