"""Deletion of a workspace (deletionTimestamp set): its LogicalCluster is deleted through the seam, on
whichever shard holds it, and waited for: that shard removes the nested workspaces and every stored object
of the logical cluster before letting the LogicalCluster go (shard/controllers/logicalclusterdeletion/).
While it is not gone yet the workspace shows phase `Deleting`; once it is, the `core.kcp.io/logicalcluster`
finalizer goes, which lets the Store delete the Workspace. A LogicalCluster gone at once (on this shard,
with nothing nested) skips the `Deleting` status write: the Workspace goes right away. Nothing of the
logical cluster remains in any shard's storage.
"""

from __future__ import annotations

from apimachinery import errors
from apimachinery.apis.tenancy_kcp_io import LOGICALCLUSTER_FINALIZER, SHARD_ANNOTATION, WORKSPACES
from apimachinery.apis.types import Object
from shard.controllers.workspace.state import Workspaces, set_condition


async def delete(workspaces: Workspaces, parent: str, workspace: Object) -> bool:
    """Returns True when the workspace must be looked at again."""
    cluster_name = (workspace.get("spec") or {}).get("cluster", "")
    if cluster_name:
        shard_name = (workspace["metadata"].get("annotations") or {}).get(SHARD_ANNOTATION, "")
        if not await workspaces.writer.delete(shard_name, cluster_name):
            if (workspace.get("status") or {}).get("phase") != "Deleting":
                await workspaces.set_status(parent, workspace, _deleting)
            return True
        workspaces.registry.paths.clusters.forget(cluster_name)

    def drop_finalizer(current: Object) -> None:
        # the LogicalCluster checked above is the workspace's (a stale read would name none, or another)
        if (current.get("spec") or {}).get("cluster", "") != cluster_name:
            name = current["metadata"]["name"]
            raise errors.conflict(WORKSPACES.plural, name, "spec.cluster changed", group=WORKSPACES.group)
        meta = current["metadata"]
        meta["finalizers"] = [f for f in meta.get("finalizers") or [] if f != LOGICALCLUSTER_FINALIZER]

    try:
        # remembered as our write until the watch shows the Workspace gone: a pass queued meanwhile (the
        # LogicalCluster's deletion wakes its owner) reads etcd instead of the cache's deleting Workspace
        await workspaces.update(parent, workspace, drop_finalizer)
    except errors.StatusError as err:
        if err.code != 404:
            raise  # 404: gone already, which is what this step is for
    return False


def _deleting(status: Object) -> None:
    status["phase"] = "Deleting"
    set_condition(status, "WorkspaceContentDeleted", "False", "WorkspaceContentDeleting")
