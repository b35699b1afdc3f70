"""Deletion of a workspace (deletionTimestamp set): phase `Deleting`, then its logical cluster's nested
workspaces (each deleted the same way, waited for), then every stored object of the logical cluster
(custom resources first, then built-ins, CRDs included), then its LogicalCluster, a last sweep for
writes that raced the deletion, and finally the `core.kcp.io/logicalcluster` finalizer, which lets the
Store delete the Workspace. Nothing of the logical cluster remains in storage.
"""

from __future__ import annotations

from apimachinery.apis.apiextensions_v1 import CUSTOMRESOURCEDEFINITIONS as CRDS
from apimachinery.apis.customresource import CUSTOM_RESOURCES_INFIX
from apimachinery.apis.tenancy_kcp_io import LOGICALCLUSTER_FINALIZER, SHARD_ANNOTATION, WORKSPACES
from apimachinery.apis.types import Object
from shard.controllers.workspace.state import Workspaces, set_condition
from shard.registry import keys
from shard.registry.options import DeleteRequest
from shard.storage import errors as storage_errors
from shard.storage.interface import ListOptions


async def delete(workspaces: Workspaces, parent: str, workspace: Object) -> bool:
    """Returns True when the workspace must be looked at again."""
    name = workspace["metadata"]["name"]
    cluster_name = (workspace.get("spec") or {}).get("cluster", "")
    if (workspace.get("status") or {}).get("phase") != "Deleting":
        await workspaces.set_status(parent, name, _deleting)
    if cluster_name:
        if await _delete_nested(workspaces, cluster_name):
            return True
        await delete_content(workspaces, cluster_name)
        shard_name = (workspace["metadata"].get("annotations") or {}).get(SHARD_ANNOTATION, "")
        await workspaces.writer.delete(shard_name, cluster_name)
        workspaces.registry.paths.clusters.forget(cluster_name)
        await delete_content(workspaces, cluster_name)
    await workspaces.update(parent, name, _drop_finalizer)
    return False


async def _delete_nested(workspaces: Workspaces, cluster_name: str) -> int:
    """Ask every child workspace to go; the number still there."""
    prefix = keys.collection_prefix(WORKSPACES, cluster_name)
    children = (await workspaces.registry.storage.list(prefix, ListOptions())).items
    store = workspaces.registry.store_of(WORKSPACES)
    for child in children:
        if not child["metadata"].get("deletionTimestamp"):
            await store.delete(workspaces.ctx(cluster_name), child["metadata"]["name"], DeleteRequest())
    return len(children)


async def delete_content(workspaces: Workspaces, cluster_name: str) -> None:
    """Remove every stored object of the logical cluster except its LogicalCluster, bypassing finalizers:
    the whole cluster goes, so nothing inside it is left to finalize."""
    registry = workspaces.registry
    for prefix in [
        *await _custom_resource_prefixes(workspaces, cluster_name),
        *_builtin_prefixes(workspaces, cluster_name),
    ]:
        listed = await registry.storage.list(prefix, ListOptions())
        for key in listed.keys:
            try:
                await registry.storage.delete(key)
            except storage_errors.KeyNotFoundError:
                continue


async def _custom_resource_prefixes(workspaces: Workspaces, cluster_name: str) -> list[str]:
    """Where the instances of every CRD of the cluster are stored (read from the CRDs themselves, so
    instances go even if the CRD is not served yet)."""
    listed = await workspaces.registry.storage.list(keys.collection_prefix(CRDS, cluster_name), ListOptions())
    prefixes = []
    for crd in listed.items:
        spec = crd.get("spec") or {}
        plural = (spec.get("names") or {}).get("plural", "")
        prefixes.append(f"/registry/{spec.get('group', '')}/{plural}/{CUSTOM_RESOURCES_INFIX}{cluster_name}/")
    return prefixes


def _builtin_prefixes(workspaces: Workspaces, cluster_name: str) -> list[str]:
    stores = workspaces.registry.stores_in(cluster_name)
    return [
        keys.collection_prefix(store.resource, cluster_name)
        for store in stores
        if not store.resource.storage_infix and store.resource.kind != "LogicalCluster"
    ]


def _deleting(status: Object) -> None:
    status["phase"] = "Deleting"
    set_condition(status, "WorkspaceContentDeleted", "False", "WorkspaceContentDeleting")


def _drop_finalizer(current: Object) -> None:
    meta = current["metadata"]
    meta["finalizers"] = [f for f in meta.get("finalizers") or [] if f != LOGICALCLUSTER_FINALIZER]
