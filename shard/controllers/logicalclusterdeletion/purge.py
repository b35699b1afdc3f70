"""Removing a logical cluster from the shard that holds it: its nested Workspaces (each deleted the same
way, waited for), then every stored object of the cluster (custom resources first, then built-ins, CRDs
included), then its LogicalCluster (by dropping the `core.kcp.io/logicalcluster-deletion` finalizer of the
deleting LogicalCluster, kcp's finalizer for this step), and a last sweep for writes that raced it.

Called on the holding shard only: inline by `LocalClusters.delete` when the Workspace is on the same
shard, and by the logical cluster deletion controller when another shard asked for the deletion.
"""

from __future__ import annotations

from apimachinery import errors
from apimachinery.apis.apiextensions_v1 import CUSTOMRESOURCEDEFINITIONS as CRDS
from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS
from apimachinery.apis.customresource import CUSTOM_RESOURCES_INFIX
from apimachinery.apis.tenancy_kcp_io import WORKSPACES
from apimachinery.apis.types import Object
from shard.registry import keys
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.options import DeleteRequest
from shard.registry.registry import Registry
from shard.storage import errors as storage_errors
from shard.storage.interface import ListOptions

DELETION_FINALIZER = "core.kcp.io/logicalcluster-deletion"
PURGE_USER = UserInfo("system:kcp:logicalcluster-deletion", ("system:masters",))


def _ctx(cluster_name: str) -> RequestContext:
    return RequestContext(cluster_name, PURGE_USER)


async def purge(registry: Registry, cluster_name: str) -> bool:
    """Delete what remains of a logical cluster whose LogicalCluster is deleting (or already gone).
    Returns True once nothing of it is left; False while nested Workspaces are still going away."""
    logical_cluster = await _read(registry, keys.logical_cluster_key(cluster_name))
    if logical_cluster is not None and not logical_cluster["metadata"].get("deletionTimestamp"):
        return False  # not being deleted: nothing to do here
    if await delete_nested(registry, cluster_name):
        return False
    await delete_content(registry, cluster_name)
    if logical_cluster is not None:
        await _drop_finalizer(registry, cluster_name)
    registry.paths.clusters.forget(cluster_name)
    await delete_content(registry, cluster_name)
    return True


async def delete_nested(registry: Registry, cluster_name: str) -> int:
    """Ask every Workspace of the cluster to go; the number still there."""
    prefix = keys.collection_prefix(WORKSPACES, cluster_name)
    children = (await registry.storage.list(prefix, ListOptions())).items
    store = registry.store_of(WORKSPACES)
    for child in children:
        if not child["metadata"].get("deletionTimestamp"):
            try:
                await store.delete(_ctx(cluster_name), child["metadata"]["name"], DeleteRequest())
            except errors.StatusError as err:
                if err.code != 404:
                    raise
    return len(children)


async def delete_content(registry: Registry, cluster_name: str) -> None:
    """Remove every stored object of the logical cluster except its LogicalCluster, bypassing finalizers:
    the whole cluster goes, so nothing inside it is left to finalize."""
    prefixes = [*await _custom_resource_prefixes(registry, cluster_name), *_builtin_prefixes(registry, cluster_name)]
    for prefix in prefixes:
        listed = await registry.storage.list(prefix, ListOptions())
        for key in listed.keys:
            try:
                await registry.storage.delete(key)
            except storage_errors.KeyNotFoundError:
                continue


async def _custom_resource_prefixes(registry: Registry, cluster_name: str) -> list[str]:
    """Where the instances of every CRD of the cluster are stored (read from the CRDs themselves, so
    instances go even if the CRD is not served yet)."""
    listed = await registry.storage.list(keys.collection_prefix(CRDS, cluster_name), ListOptions())
    prefixes = []
    for crd in listed.items:
        spec = crd.get("spec") or {}
        plural = (spec.get("names") or {}).get("plural", "")
        prefixes.append(f"/registry/{spec.get('group', '')}/{plural}/{CUSTOM_RESOURCES_INFIX}{cluster_name}/")
    return prefixes


def _builtin_prefixes(registry: Registry, cluster_name: str) -> list[str]:
    return [
        keys.collection_prefix(store.resource, cluster_name)
        for store in registry.stores_in(cluster_name)
        if not store.resource.storage_infix and store.resource.kind != "LogicalCluster"
    ]


async def _drop_finalizer(registry: Registry, cluster_name: str) -> None:
    """The Store deletes a deleting object whose last finalizer goes; a LogicalCluster with other
    finalizers (none are set today) would stay until they go too."""

    async def mutate(current: Object) -> Object:
        meta = current["metadata"]
        meta["finalizers"] = [f for f in meta.get("finalizers") or [] if f != DELETION_FINALIZER]
        return current

    try:
        await registry.store_of(LOGICALCLUSTERS).update(_ctx(cluster_name), "cluster", mutate, WriteOptions())
    except errors.StatusError as err:
        if err.code != 404:
            raise


async def _read(registry: Registry, key: str) -> Object | None:
    try:
        return await registry.storage.get(key)
    except storage_errors.KeyNotFoundError:
        return None
