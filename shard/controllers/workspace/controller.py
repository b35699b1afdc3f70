"""Wiring of the workspace controller: follow Workspaces of every logical cluster of this shard, and
reconcile each through its steps in order (README.md): deletion, scheduling, phase, as many of them in one
pass as need nothing from outside. The watch events of the controller's own writes do not queue the
workspace again (own_writes.py). LogicalClusters of this shard are followed too, so that one deleted
behind its Workspace's back wakes that Workspace at once."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from shard.controllers import framework
from shard.controllers.queue import WorkQueue
from shard.controllers.workspace import at_creation, reconcile_deletion, reconcile_phase, reconcile_scheduling
from shard.controllers.workspace.seam import ClusterWriter, LocalClusters
from shard.controllers.workspace.state import ShardList, Workspaces, resource_version
from shard.registry.context import RequestContext
from shard.registry.metadata import CLUSTER_ANNOTATION
from shard.registry.registry import Registry
from shard.registry.workspacetypes import WorkspaceTypes
from shard.storage.interface import ListResult, Object, WatchEvent
from shard.topology.https import ShardUnreachable

PREFIX = "/registry/tenancy.kcp.io/workspaces/"
LOGICAL_CLUSTERS = "/registry/core.kcp.io/logicalclusters/"
# Reconciles wait on etcd and on other shards far more than they compute: several workspaces at once keep
# one slow shard or a long scheduling step from holding up every other workspace.
WORKERS = 8
log = logging.getLogger("kplane.controllers.workspace")


@dataclass(frozen=True)
class OwnerWaker:
    """Queues the owning Workspace (LogicalCluster `spec.owner`) of every LogicalCluster deleted here."""

    queue: WorkQueue

    def on_list(self, listed: ListResult) -> None:
        return None

    def on_event(self, event: WatchEvent) -> None:
        owner = (event.object.get("spec") or {}).get("owner") or {}
        if event.type == "DELETED" and owner.get("resource") == "workspaces" and owner.get("cluster"):
            self.queue.add(f"{owner['cluster']}/{owner.get('name', '')}")


@dataclass
class WorkspaceController:
    """`writer` None: every LogicalCluster is on this shard; `shard_list` None: root is on this shard."""

    registry: Registry
    writer: ClusterWriter | None = None
    shard_list: ShardList | None = None
    queue: WorkQueue = field(default_factory=WorkQueue)

    def __post_init__(self) -> None:
        writer = self.writer or LocalClusters(self.registry)
        self.workspaces = Workspaces(self.registry, writer, self.shard_list)
        self.types = WorkspaceTypes(self.registry.paths, self.registry.root_types)

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            # a LogicalCluster of this shard that goes away wakes the workspace that owns it (→ Unavailable)
            group.create_task(framework.follow(self.registry.storage, LOGICAL_CLUSTERS, OwnerWaker(self.queue)))
            group.create_task(
                framework.run(self.registry.storage, PREFIX, self, self.queue, self.reconcile, log, workers=WORKERS)
            )

    def on_list(self, listed: ListResult) -> None:
        self.workspaces.own.watched(listed.revision)
        for item in listed.items:
            key = _key_of(item)
            if key:
                self.workspaces.own.seen(key, resource_version(item))
                self.queue.add(key)

    def on_event(self, event: WatchEvent) -> None:
        self.workspaces.own.watched(event.revision)
        key = _key_of(event.object)
        if not key:
            return
        if event.type == "DELETED":
            self.workspaces.own.forget(key)
        elif not self.workspaces.own.is_echo(key, resource_version(event.object)):
            self.queue.add(key)

    async def place(self, ctx: RequestContext, workspace: Object) -> None:
        """Admission of a new Workspace (Registry.workspace_placement): its shard chosen before it is stored."""
        await reconcile_scheduling.place(self.workspaces, ctx.cluster, workspace)

    async def write_new(self, ctx: RequestContext, key: str, workspace: Object) -> Object:
        """The Workspace Store's writer (Registry.workspace_writer): a new Workspace with its LogicalCluster
        in one transaction when it can be (at_creation.py)."""
        return await at_creation.write(self.workspaces, self.types, ctx, key, workspace)

    async def reconcile(self, key: str) -> bool:
        try:
            return await self._reconcile(key)
        except ShardUnreachable as err:  # expected while a shard is down: retried, without a traceback
            log.warning("workspace %s: %s", key, err)
            return True

    async def _reconcile(self, key: str) -> bool:
        """Every step that needs nothing from outside runs in this one pass, each from what the previous one
        wrote: choice, LogicalCluster and binding, then the phase."""
        parent, _, name = key.partition("/")
        workspace = await self.workspaces.get(parent, name)
        if workspace is None:
            return False
        if workspace["metadata"].get("deletionTimestamp"):
            return await reconcile_deletion.delete(self.workspaces, parent, workspace)
        logical_cluster, bind = None, None
        if not (workspace.get("spec") or {}).get("cluster"):
            shards = await self.workspaces.shards()
            if not reconcile_scheduling.scheduled(workspace):
                chosen = await reconcile_scheduling.choose(self.workspaces, parent, workspace, shards)
                if chosen is None:
                    return True
                workspace = chosen
            bound = await reconcile_scheduling.create_cluster(self.workspaces, self.types, parent, workspace, shards)
            if bound is None:
                return True
            workspace, logical_cluster, bind = bound.workspace, bound.logical_cluster, bound.bind
        return await reconcile_phase.advance(self.workspaces, parent, workspace, logical_cluster, bind=bind)


def _key_of(workspace: Object) -> str:
    """`<parent cluster>/<name>`, the queue key of a Workspace ("" if it carries no cluster)."""
    meta = workspace.get("metadata") or {}
    cluster = (meta.get("annotations") or {}).get(CLUSTER_ANNOTATION, "")
    return f"{cluster}/{meta['name']}" if cluster else ""
