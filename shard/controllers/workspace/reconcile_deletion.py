"""Deletion of a workspace (deletionTimestamp set): its LogicalCluster is deleted through the seam, on
whichever shard holds it, and waited for: that shard removes the nested workspaces and every stored object
of the logical cluster before letting the LogicalCluster go (shard/controllers/logicalclusterdeletion/).
While it is not gone yet the workspace shows phase `Deleting`; once it is, the `core.kcp.io/logicalcluster`
finalizer goes, which deletes the Workspace. A LogicalCluster gone at once (on this shard, with nothing
nested) skips the `Deleting` status write: the Workspace goes right away. Nothing of the logical cluster
remains in any shard's storage.
"""

from __future__ import annotations

from apimachinery import errors
from apimachinery.apis.tenancy_kcp_io import LOGICALCLUSTER_FINALIZER, SHARD_ANNOTATION, WORKSPACES
from apimachinery.apis.types import Object
from shard.controllers.workspace.state import Workspaces, resource_version, set_condition
from shard.storage import errors as storage_errors


async def delete(workspaces: Workspaces, parent: str, workspace: Object) -> bool:
    """Returns True when the workspace must be looked at again."""
    queue_key = f"{parent}/{workspace['metadata']['name']}"
    if workspaces.own.deleted_since(queue_key, resource_version(workspace)):
        return False  # an earlier pass deleted it; the watch cache does not show that yet
    cluster_name = (workspace.get("spec") or {}).get("cluster", "")
    if cluster_name:
        shard_name = (workspace["metadata"].get("annotations") or {}).get(SHARD_ANNOTATION, "")
        if not await workspaces.writer.delete(shard_name, cluster_name):
            if (workspace.get("status") or {}).get("phase") != "Deleting":
                await workspaces.set_status(parent, workspace, _deleting)
            return True
        workspaces.registry.paths.clusters.forget(cluster_name)
    await _let_go(workspaces, parent, workspace, cluster_name)
    return False


class _OtherFinalizers(Exception):
    """The deleting Workspace has finalizers besides ours: it stays for them once ours goes."""


async def _let_go(workspaces: Workspaces, parent: str, workspace: Object, cluster_name: str) -> None:
    """Delete the Workspace if our finalizer is its last, as the Store does when the last finalizer of a
    deleting object goes, in one write guarded by the state this pass holds (the Store's update would
    first confirm its verdict against etcd with a read). With other finalizers only ours goes.

    The deletion is remembered (own_writes.py): a pass queued meanwhile (the LogicalCluster's deletion
    wakes its owner) that finds the Workspace in the watch cache, which has not seen the deletion yet,
    knows it is gone without asking etcd."""

    async def ours_alone(current: Object) -> None:
        _check_cluster(current, cluster_name)
        if set(current["metadata"].get("finalizers") or []) - {LOGICALCLUSTER_FINALIZER}:
            raise _OtherFinalizers

    store = workspaces.registry.store_of(WORKSPACES)
    name = workspace["metadata"]["name"]
    key = store.key(workspaces.ctx(parent), name)
    try:
        deleted = await workspaces.registry.storage.delete(key, validate=ours_alone, cached=store.stored(workspace))
    except storage_errors.KeyNotFoundError:
        return  # gone already, which is what this step is for
    except _OtherFinalizers:
        await _drop_finalizer(workspaces, parent, workspace, cluster_name)
        return
    workspaces.own.deleted(f"{parent}/{name}", resource_version(deleted))


async def _drop_finalizer(workspaces: Workspaces, parent: str, workspace: Object, cluster_name: str) -> None:
    def drop(current: Object) -> None:
        _check_cluster(current, cluster_name)
        meta = current["metadata"]
        meta["finalizers"] = [f for f in meta.get("finalizers") or [] if f != LOGICALCLUSTER_FINALIZER]

    try:
        await workspaces.update(parent, workspace, drop)
    except errors.StatusError as err:
        if err.code != 404:
            raise  # 404: gone already


def _check_cluster(current: Object, cluster_name: str) -> None:
    """The LogicalCluster found gone is the workspace's (a stale read would name none, or another)."""
    if (current.get("spec") or {}).get("cluster", "") != cluster_name:
        name = current["metadata"]["name"]
        raise errors.conflict(WORKSPACES.plural, name, "spec.cluster changed", group=WORKSPACES.group)


def _deleting(status: Object) -> None:
    status["phase"] = "Deleting"
    set_condition(status, "WorkspaceContentDeleted", "False", "WorkspaceContentDeleting")
