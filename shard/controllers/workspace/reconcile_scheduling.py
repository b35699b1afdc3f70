"""Scheduling, a two-phase commit through annotations (kcp's order):

1. choose a shard (placement.py) and a random logical cluster name, and persist both as annotations
   together with the `core.kcp.io/logicalcluster` finalizer, before any LogicalCluster is written;
2. create the LogicalCluster on that shard through the seam (idempotent: same owner → success; another
   owner → drop the name and choose again), then set `spec.cluster` and `spec.URL` (written by the phase
   step, with the status they lead to). The LogicalCluster carries the
   `core.kcp.io/logicalcluster-deletion` finalizer: its shard empties it before it goes. It is `Ready` from
   the start when its type chain has no initializer (`Initializing` otherwise).

Step 1 is made at admission when it can be (`place`: the Workspace is first stored with its choice), else
by the controller, which runs step 2 right after it in the same reconcile, from the Workspace step 1 wrote:
the choice is stored before the LogicalCluster is created all the same. A chosen shard that stays
unreachable in step 2, or that left root, sends the workspace back to step 1, which then prefers the next
shard in rendezvous order (fallback.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from apimachinery.apis.tenancy_kcp_io import (
    CLUSTER_CHOICE_ANNOTATION,
    LOGICALCLUSTER_FINALIZER,
    PATH_ANNOTATION,
    SHARD_ANNOTATION,
    TYPE_ANNOTATION,
)
from apimachinery.apis.types import Object
from shard.controllers.logicalclusterdeletion.purge import DELETION_FINALIZER
from shard.controllers.workspace import fallback
from shard.controllers.workspace.seam import ClusterNameTaken
from shard.controllers.workspace.state import Workspaces, set_condition
from shard.registry.keys import logical_cluster_key
from shard.registry.owners import OWNER_ANNOTATION
from shard.registry.paths import PathResolver
from shard.registry.workspacetypes import ResolvedType, WorkspaceTypes, initializers_of
from shard.topology.https import ShardUnreachable

BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
CLUSTER_NAME_LENGTH = 16


def random_cluster_name() -> str:
    return "".join(secrets.choice(BASE36) for _ in range(CLUSTER_NAME_LENGTH))


def annotations_of(obj: Object) -> dict[str, str]:
    annotations: dict[str, str] = obj.setdefault("metadata", {}).setdefault("annotations", {})
    return annotations


async def choose(workspaces: Workspaces, parent: str, workspace: Object, shards: list[Object]) -> Object | None:
    """Phase 1: the workspace with its shard and cluster name chosen; None when no shard is available (the
    workspace must be looked at again)."""
    choice = _choice(workspaces, parent, workspace, shards, fallback.unreachable_shards(workspace))
    shard = choice.shard
    if shard is None:
        await workspaces.set_status(
            parent,
            workspace,
            lambda status: set_condition(
                status, "WorkspaceScheduled", "False", "Unschedulable", "No available shards to schedule the workspace"
            ),
        )
        return None

    def record(current: Object) -> None:
        if not scheduled(current):  # else chosen meanwhile (a stale read): that choice stands
            _record(current, shard, choice.passed_over)

    return await workspaces.update(parent, workspace, record)


async def place(workspaces: Workspaces, parent: str, workspace: Object) -> None:
    """Phase 1 at admission, on the new Workspace before it is first stored: the choice is durable with the
    Workspace itself, which saves the controller a write. Nothing is chosen for a workspace without a name
    yet (generateName) or when no shard is available: the controller chooses, or says why it cannot."""
    if not workspace["metadata"].get("name"):
        return
    choice = _choice(workspaces, parent, workspace, await workspaces.shards(), unreachable=[])
    if choice.shard is not None:
        _record(workspace, choice.shard, choice.passed_over)


def _choice(
    workspaces: Workspaces, parent: str, workspace: Object, shards: list[Object], unreachable: list[str]
) -> fallback.Choice:
    selector = ((workspace.get("spec") or {}).get("location") or {}).get("selector")
    key = f"{parent}/{workspace['metadata']['name']}"
    return fallback.choose(shards, key, selector, unreachable=unreachable, available=workspaces.writer.available)


def _record(workspace: Object, shard: Object, passed_over: tuple[str, ...]) -> None:
    fallback.remember_unreachable(workspace, passed_over)
    annotations_of(workspace)[SHARD_ANNOTATION] = shard["metadata"]["name"]
    annotations_of(workspace)[CLUSTER_CHOICE_ANNOTATION] = random_cluster_name()
    finalizers = workspace["metadata"].setdefault("finalizers", [])
    if LOGICALCLUSTER_FINALIZER not in finalizers:
        finalizers.append(LOGICALCLUSTER_FINALIZER)


def scheduled(workspace: Object) -> bool:
    """Phase 1 is done: a shard and a cluster name are chosen."""
    annotations = (workspace.get("metadata") or {}).get("annotations") or {}
    return SHARD_ANNOTATION in annotations and CLUSTER_CHOICE_ANNOTATION in annotations


@dataclass(frozen=True)
class Plan:
    """What phase 2 writes for a scheduled workspace: its LogicalCluster, and the binding (spec.cluster,
    spec.URL) that points the workspace at it."""

    shard_name: str
    cluster_name: str
    logical_cluster: Object
    url: str

    def bind(self, current: Object) -> None:
        current.setdefault("spec", {}).update({"cluster": self.cluster_name, "URL": self.url})


@dataclass(frozen=True)
class Bound:
    """A workspace whose LogicalCluster exists, that LogicalCluster as the seam returned it (just created,
    or found with the same owner), and the change that sets spec.cluster and spec.URL, which the phase step
    writes together with its status change."""

    workspace: Object
    logical_cluster: Object
    bind: Callable[[Object], None]


def chosen_shard(workspace: Object, shards: list[Object]) -> Object | None:
    """The Shard object the workspace is scheduled to (None: it is not a Shard in root)."""
    shard_name = annotations_of(workspace)[SHARD_ANNOTATION]
    return next((s for s in shards if s["metadata"]["name"] == shard_name), None)


async def plan(
    types: WorkspaceTypes, paths: PathResolver, parent: str, workspace: Object, shard: Object
) -> Plan | None:
    """Phase 2's LogicalCluster and binding for a workspace scheduled to `shard`; None while its type or
    its parent's LogicalCluster cannot be read (the workspace must be looked at again)."""
    annotations = annotations_of(workspace)
    type_ref = (workspace.get("spec") or {}).get("type") or {}
    resolved = await types.resolve(type_ref.get("path") or "root", type_ref.get("name", ""))
    parent_lc = await paths.read(logical_cluster_key(parent))
    if resolved is None or parent_lc is None:
        return None
    path = f"{annotations_of(parent_lc).get(PATH_ANNOTATION) or parent}:{workspace['metadata']['name']}"
    shard_name = shard["metadata"]["name"]
    logical_cluster = _logical_cluster(parent, workspace, path=path, shard_name=shard_name, resolved=resolved)
    url = f"{(shard.get('spec') or {}).get('externalURL', '')}/clusters/{path}"
    return Plan(shard_name, annotations[CLUSTER_CHOICE_ANNOTATION], logical_cluster, url)


async def create_cluster(
    workspaces: Workspaces, types: WorkspaceTypes, parent: str, workspace: Object, shards: list[Object]
) -> Bound | None:
    """Phase 2. None when the workspace must be looked at again."""
    shard = chosen_shard(workspace, shards)
    if shard is None:
        shard_name = annotations_of(workspace)[SHARD_ANNOTATION]
        await _reschedule(workspaces, parent, workspace, shard_name, "it is no longer a Shard in root")
        return None
    planned = await plan(types, workspaces.registry.paths, parent, workspace, shard)
    if planned is None:
        return None
    try:
        created = await workspaces.writer.ensure(planned.shard_name, planned.cluster_name, planned.logical_cluster)
    except ClusterNameTaken:
        await workspaces.update(parent, workspace, _forget_cluster_name)
        return None
    except ShardUnreachable as err:
        await _reschedule(workspaces, parent, workspace, planned.shard_name, err.detail)
        return None
    return Bound(workspace, created, planned.bind)


def _logical_cluster(parent: str, workspace: Object, *, path: str, shard_name: str, resolved: ResolvedType) -> Object:
    """The LogicalCluster a workspace gets: its path, shard, type and owner, its type chain's initializers."""
    annotations = annotations_of(workspace)
    owner = {OWNER_ANNOTATION: annotations[OWNER_ANNOTATION]} if OWNER_ANNOTATION in annotations else {}
    initializers = initializers_of(resolved)
    return {
        "apiVersion": "core.kcp.io/v1alpha1",
        "kind": "LogicalCluster",
        "metadata": {
            "name": "cluster",
            "finalizers": [DELETION_FINALIZER],
            "annotations": {
                PATH_ANNOTATION: path,
                SHARD_ANNOTATION: shard_name,
                TYPE_ANNOTATION: resolved.qualified,
                **owner,
            },
        },
        "spec": {"owner": _owner(parent, workspace), "initializers": initializers},
        # nothing to wait for: Ready from the start, which saves a status write of the LogicalCluster
        "status": {"phase": "Initializing" if initializers else "Ready", "initializers": initializers},
    }


async def _reschedule(workspaces: Workspaces, parent: str, workspace: Object, shard_name: str, detail: str) -> None:
    """The condition first, then the annotations: the choice that follows sees why it is made."""
    marked = await workspaces.set_status(
        parent, workspace, lambda status: fallback.mark_unreachable(status, shard_name, detail)
    )
    await workspaces.update(parent, marked, lambda current: fallback.forget_shard(current, shard_name))


def _forget_cluster_name(current: Object) -> None:
    annotations_of(current).pop(CLUSTER_CHOICE_ANNOTATION, None)


def _owner(parent: str, workspace: Object) -> Object:
    meta = workspace["metadata"]
    return {
        "apiVersion": "tenancy.kcp.io/v1alpha1",
        "resource": "workspaces",
        "name": meta["name"],
        "cluster": parent,
        "uid": meta.get("uid", ""),
    }
