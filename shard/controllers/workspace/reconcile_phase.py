"""Phases after scheduling: `Scheduling` → `Initializing` once spec.cluster and spec.URL are set;
`Initializing` mirrors the LogicalCluster's `status.initializers` and becomes `Ready` (and the
LogicalCluster too) when none is left. A LogicalCluster missing while the workspace initializes is waited
for (it is being created); one that disappears from a `Ready` workspace makes it `Unavailable` with kcp's
condition (`WorkspaceInitialized` False, reason `WorkspaceDisappeared`), and its return makes it `Ready`."""

from __future__ import annotations

from apimachinery.apis.tenancy_kcp_io import SHARD_ANNOTATION
from apimachinery.apis.types import Object
from shard.controllers.workspace import fallback
from shard.controllers.workspace.state import Workspaces, set_condition


async def advance(workspaces: Workspaces, parent: str, workspace: Object) -> bool:
    """Returns True when the workspace must be looked at again."""
    name = workspace["metadata"]["name"]
    phase = (workspace.get("status") or {}).get("phase", "")
    if phase == "Scheduling":
        await workspaces.set_status(parent, name, lambda status: _initializing(status, workspace))
        return True
    if phase not in ("Initializing", "Unavailable", "Ready"):
        return False
    spec = workspace.get("spec") or {}
    shard_name = (workspace["metadata"].get("annotations") or {}).get(SHARD_ANNOTATION, "")
    logical_cluster = await workspaces.writer.get(shard_name, spec.get("cluster", ""))
    if logical_cluster is None:
        if phase == "Ready":
            await workspaces.set_status(parent, name, lambda status: _disappeared(status, spec.get("cluster", "")))
        return True
    if phase == "Ready":
        return False
    remaining = list((logical_cluster.get("status") or {}).get("initializers") or [])
    if remaining:
        await workspaces.set_status(parent, name, lambda status: status.update({"initializers": remaining}))
        return True
    if (logical_cluster.get("status") or {}).get("phase") != "Ready":
        await workspaces.writer.update_status(shard_name, spec["cluster"], {"phase": "Ready", "initializers": []})
    await workspaces.set_status(parent, name, _ready)
    return False


def _initializing(status: Object, workspace: Object) -> None:
    status["phase"] = "Initializing"
    fallback.mark_scheduled(status, workspace)


def _disappeared(status: Object, cluster: str) -> None:
    status["phase"] = "Unavailable"
    message = f"LogicalCluster {cluster} of the workspace no longer exists"
    set_condition(status, "WorkspaceInitialized", "False", "WorkspaceDisappeared", message)


def _ready(status: Object) -> None:
    status["phase"] = "Ready"
    status["initializers"] = []
    set_condition(status, "WorkspaceInitialized", "True")
