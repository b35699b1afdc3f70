"""Creation in one transaction: a new Workspace placed at admission on this very shard
(`reconcile_scheduling.place`) is stored together with its LogicalCluster and that LogicalCluster's
content, already bound (spec.cluster, spec.URL) and in the phase its LogicalCluster gives it: `Ready`, or
`Initializing` when its type chain has initializers. This is the Workspace Store's writer
(`Registry.workspace_writer`).

Each piece is exactly what the steps of the controller would have written (reconcile_scheduling.py,
reconcile_phase.py), and the binding and the status are field-tracked as the controller's own updates.
kcp's order (choice, then LogicalCluster, then binding) holds trivially: all of it becomes durable at one
etcd revision, so no state in between is ever seen, and nothing is left for the controller to write.

Everything else is stored as the Workspace alone (`Scheduling`), and the controller takes it from there
step by step: a workspace placed on another shard or not placed yet (generateName, no shard available), a
type or parent that cannot be read yet, and a chosen cluster name taken by another LogicalCluster or content
left behind under it (the controller picks a new name, or writes around what exists).
"""

from __future__ import annotations

from dataclasses import dataclass

from apimachinery.apis.tenancy_kcp_io import CLUSTER_CHOICE_ANNOTATION, SHARD_ANNOTATION, WORKSPACES
from apimachinery.apis.types import Object
from apimachinery.jsoncopy import json_copy
from shard.controllers.workspace import reconcile_phase, reconcile_scheduling
from shard.controllers.workspace.state import Workspaces, resource_version, status_step
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.workspacetypes import WorkspaceTypes
from shard.storage import errors as storage_errors

Entries = list[tuple[str, Object]]


@dataclass(frozen=True)
class _Together:
    """The bound Workspace (stored form), and the LogicalCluster and its content that go with it."""

    workspace: Object
    cluster_entries: Entries
    settled: bool  # nothing left for the controller to do (no initializer to wait for)


async def write(
    workspaces: Workspaces, types: WorkspaceTypes, ctx: RequestContext, key: str, workspace: Object
) -> Object:
    """Store the new `workspace` (stored form) under `key`, with its LogicalCluster when it is placed here;
    KeyExistsError iff the Workspace exists, and then nothing is written."""
    storage = workspaces.registry.storage
    together = await _together(workspaces, types, ctx.cluster, workspace)
    if together is None:
        return await storage.create(key, workspace)
    try:
        created = (await storage.create_many([(key, together.workspace), *together.cluster_entries]))[0]
    except storage_errors.KeyExistsError as err:
        if err.key == key:
            raise
        return await storage.create(key, workspace)  # the cluster name is taken: the controller's way
    if together.settled:  # its watch event need not wake the controller
        workspaces.own.wrote(f"{ctx.cluster}/{workspace['metadata']['name']}", resource_version(created), echo=True)
    return created


async def _together(workspaces: Workspaces, types: WorkspaceTypes, parent: str, workspace: Object) -> _Together | None:
    annotations = (workspace.get("metadata") or {}).get("annotations") or {}
    if CLUSTER_CHOICE_ANNOTATION not in annotations or SHARD_ANNOTATION not in annotations:
        return None
    local = workspaces.writer.on_this_shard(annotations[SHARD_ANNOTATION])
    shard = reconcile_scheduling.chosen_shard(workspace, await workspaces.shards())
    if local is None or shard is None:
        return None
    planned = await reconcile_scheduling.plan(types, workspaces.registry.paths, parent, workspace, shard)
    if planned is None:
        return None
    cluster_entries = await local.planned(planned.cluster_name, planned.logical_cluster)
    bound = await _bound(workspaces, parent, workspace, planned, logical_cluster=cluster_entries[0][1])
    if bound is None:
        return None
    return _Together(bound[0], cluster_entries, settled=not bound[1])


async def _bound(
    workspaces: Workspaces,
    parent: str,
    workspace: Object,
    planned: reconcile_scheduling.Plan,
    *,
    logical_cluster: Object,
) -> tuple[Object, bool] | None:
    """The workspace after the controller's binding and phase step (as `reconcile_phase.advance` writes
    them), and whether the controller must look at it again; None if the phase step has nothing to write."""
    store = workspaces.registry.store_of(WORKSPACES)
    wire = store.output(json_copy(workspace))
    preview = json_copy(wire)
    planned.bind(preview)
    status_change, again = await reconcile_phase.next_status(workspaces, preview, logical_cluster)
    if status_change is None:
        return None

    async def bind(current: Object) -> Object:
        planned.bind(current)
        return current

    steps = ((bind, ""), status_step(status_change))
    bound = await store.as_updated(workspaces.ctx(parent), wire, steps, WriteOptions())
    return store.stored(bound), again
