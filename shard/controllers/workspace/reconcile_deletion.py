"""Deletion of a workspace (deletionTimestamp set): phase `Deleting`, then its LogicalCluster is deleted
through the seam, on whichever shard holds it, and waited for: that shard removes the nested workspaces
and every stored object of the logical cluster before letting the LogicalCluster go
(shard/controllers/logicalclusterdeletion/). Finally the `core.kcp.io/logicalcluster` finalizer goes,
which lets the Store delete the Workspace. Nothing of the logical cluster remains in any shard's storage.
"""

from __future__ import annotations

from apimachinery.apis.tenancy_kcp_io import LOGICALCLUSTER_FINALIZER, SHARD_ANNOTATION
from apimachinery.apis.types import Object
from shard.controllers.workspace.state import Workspaces, set_condition


async def delete(workspaces: Workspaces, parent: str, workspace: Object) -> bool:
    """Returns True when the workspace must be looked at again."""
    name = workspace["metadata"]["name"]
    cluster_name = (workspace.get("spec") or {}).get("cluster", "")
    if (workspace.get("status") or {}).get("phase") != "Deleting":
        await workspaces.set_status(parent, name, _deleting)
    if cluster_name:
        shard_name = (workspace["metadata"].get("annotations") or {}).get(SHARD_ANNOTATION, "")
        if not await workspaces.writer.delete(shard_name, cluster_name):
            return True
        workspaces.registry.paths.clusters.forget(cluster_name)
    await workspaces.update(parent, name, _drop_finalizer)
    return False


def _deleting(status: Object) -> None:
    status["phase"] = "Deleting"
    set_condition(status, "WorkspaceContentDeleted", "False", "WorkspaceContentDeleting")


def _drop_finalizer(current: Object) -> None:
    meta = current["metadata"]
    meta["finalizers"] = [f for f in meta.get("finalizers") or [] if f != LOGICALCLUSTER_FINALIZER]
