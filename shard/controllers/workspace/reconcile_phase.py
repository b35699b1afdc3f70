"""Phases after scheduling. Once spec.cluster and spec.URL are set, a `Scheduling` workspace becomes
`Initializing` (`WorkspaceScheduled=True`) while its LogicalCluster's `status.initializers` is not empty,
and `Ready` (`WorkspaceInitialized=True`, the LogicalCluster `Ready` too) when it is: a workspace whose
type chain has no initializer goes from `Scheduling` to `Ready` in one write, which also sets spec.cluster
and spec.URL when the scheduling step of the same pass just created its LogicalCluster. `Initializing` mirrors
the LogicalCluster's initializers. A LogicalCluster missing while the workspace initializes is waited for
(it is being created); one that disappears from a `Ready` workspace makes it `Unavailable` with kcp's
condition (`WorkspaceInitialized` False, reason `WorkspaceDisappeared`), and its return makes it `Ready`."""

from __future__ import annotations

from collections.abc import Callable

from apimachinery.apis.tenancy_kcp_io import SHARD_ANNOTATION
from apimachinery.apis.types import Object
from apimachinery.jsoncopy import json_copy
from shard.controllers.workspace import fallback
from shard.controllers.workspace.state import Workspaces, set_condition

PHASES = ("Scheduling", "Initializing", "Unavailable", "Ready")
Change = Callable[[Object], None]


async def advance(
    workspaces: Workspaces,
    parent: str,
    workspace: Object,
    logical_cluster: Object | None = None,
    *,
    bind: Change | None = None,
) -> bool:
    """Returns True when the workspace must be looked at again. `logical_cluster`: as just created or
    found by the scheduling step of this reconcile (None: read it through the seam). `bind`: the scheduling
    step's spec change, not written yet: it is written together with this step's status change (one write
    takes a new workspace to `Ready`), or alone if there is none."""
    seen = workspace if bind is None else _bound(workspace, bind)
    status_change, again = await next_status(workspaces, seen, logical_cluster)
    if bind is not None and status_change is not None:
        await workspaces.update_with_status(parent, workspace, bind, status_change)
    elif bind is not None:
        await workspaces.update(parent, workspace, bind)
    elif status_change is not None:
        await workspaces.set_status(parent, workspace, status_change)
    return again


def _bound(workspace: Object, bind: Change) -> Object:
    preview = json_copy(workspace)
    bind(preview)
    return preview


async def next_status(
    workspaces: Workspaces, workspace: Object, logical_cluster: Object | None
) -> tuple[Change | None, bool]:
    """The status change the workspace needs now (None: none), and whether to look at it again."""
    phase = (workspace.get("status") or {}).get("phase", "")
    if phase not in PHASES:
        return None, False
    spec = workspace.get("spec") or {}
    if logical_cluster is None:
        shard_name = (workspace["metadata"].get("annotations") or {}).get(SHARD_ANNOTATION, "")
        logical_cluster = await workspaces.writer.get(shard_name, spec.get("cluster", ""))
    if logical_cluster is None:
        if phase == "Scheduling":
            return (lambda status: _initializing(status, workspace, None)), True
        if phase == "Ready":
            return (lambda status: _disappeared(status, spec.get("cluster", ""))), True
        return None, True
    if phase == "Ready":
        return None, False
    remaining = list((logical_cluster.get("status") or {}).get("initializers") or [])
    if remaining:
        if phase == "Scheduling" or (workspace.get("status") or {}).get("initializers") != remaining:
            return (lambda status: _initializing(status, workspace, remaining)), True
        return None, True
    if (logical_cluster.get("status") or {}).get("phase") != "Ready":
        shard_name = (workspace["metadata"].get("annotations") or {}).get(SHARD_ANNOTATION, "")
        await workspaces.writer.update_status(shard_name, spec["cluster"], {"phase": "Ready", "initializers": []})
    return (lambda status: _ready(status, workspace)), False


def _initializing(status: Object, workspace: Object, initializers: list[str] | None) -> None:
    """`initializers` None: not known yet (the LogicalCluster is not there yet)."""
    if status.get("phase") in (None, "", "Scheduling"):
        fallback.mark_scheduled(status, workspace)
        status["phase"] = "Initializing"
    if initializers is not None:
        status["initializers"] = initializers


def _disappeared(status: Object, cluster: str) -> None:
    status["phase"] = "Unavailable"
    message = f"LogicalCluster {cluster} of the workspace no longer exists"
    set_condition(status, "WorkspaceInitialized", "False", "WorkspaceDisappeared", message)


def _ready(status: Object, workspace: Object) -> None:
    if status.get("phase") in (None, "", "Scheduling"):
        fallback.mark_scheduled(status, workspace)
    status["phase"] = "Ready"
    status["initializers"] = []
    set_condition(status, "WorkspaceInitialized", "True")
