"""Removing a logical cluster from the shard that holds it: its nested Workspaces (each deleted the same
way, waited for), then every stored object of the cluster in one etcd transaction (`delete_prefixes`),
then its LogicalCluster (by dropping the `core.kcp.io/logicalcluster-deletion` finalizer of the deleting
LogicalCluster, kcp's finalizer for this step), and a last sweep, one more transaction, for writes that
raced it. A LogicalCluster that other finalizers still hold is not gone: the purge reports that until it
is (its Workspace stays `Deleting`, as in kcp), without redoing anything meanwhile.

Called on the holding shard only: inline by `LocalClusters.delete` when the Workspace is on the same
shard, and by the logical cluster deletion controller when another shard asked for the deletion.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

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
from shard.storage.interface import ListOptions, ListResult

DELETION_FINALIZER = "core.kcp.io/logicalcluster-deletion"
PURGE_USER = UserInfo("system:kcp:logicalcluster-deletion", ("system:masters",))
CONTENT_ATTEMPTS = 4  # reads + transaction; then the caller looks again later (the controller requeues)
CONTENT_PAUSE_SECONDS = 0.05  # times the attempt number: room for the racing writer to finish
CACHED = ListOptions(consistent=False)
CURRENT = ListOptions()


def _ctx(cluster_name: str) -> RequestContext:
    return RequestContext(cluster_name, PURGE_USER)


async def purge(
    registry: Registry,
    cluster_name: str,
    *,
    marked: Object | None = None,
    sweep_later: Callable[[str], None] | None = None,
) -> bool:
    """Delete what remains of a logical cluster whose LogicalCluster is deleting (or already gone).
    Returns True once nothing of it is left; False while nested Workspaces are still going away, or while
    its content keeps changing under the deletion (look again later).

    `marked`: the LogicalCluster as the caller has just marked it deleting (what the Store's delete
    returned), which spares reading it: the watch cache has rarely seen that write yet, so the read
    would be a linearizable one. `sweep_later`: hands the last sweep to the Sweeper (sweeper.py) instead
    of sweeping right away."""
    if marked is not None and marked["metadata"].get("deletionTimestamp"):
        logical_cluster: Object | None = marked
    else:
        logical_cluster = await _read_logical_cluster(registry, cluster_name)
    if logical_cluster is not None and not logical_cluster["metadata"].get("deletionTimestamp"):
        return False  # not being deleted: nothing to do here
    if logical_cluster is not None and DELETION_FINALIZER not in (logical_cluster["metadata"].get("finalizers") or []):
        return False  # purged already, held by other finalizers: its last sweep comes once it is gone
    if await delete_nested(registry, cluster_name):
        return False
    if not await delete_content(registry, cluster_name):
        return False
    if logical_cluster is None:
        # it was let go after a content deletion before this purge: this one was the sweep
        registry.paths.clusters.forget(cluster_name)
        return True
    if not await _let_go(registry, cluster_name, logical_cluster):
        return False  # other finalizers hold it: its Workspace waits until it is gone, as kcp's does
    return await finish(registry, cluster_name, sweep_later=sweep_later)


async def finish(registry: Registry, cluster_name: str, *, sweep_later: Callable[[str], None] | None) -> bool:
    """After the LogicalCluster went with (or after) the content: forget it, and sweep once more (now, or
    through `sweep_later`) for writes admitted while it existed that land after the content deletion."""
    registry.paths.clusters.forget(cluster_name)
    if sweep_later is not None:
        sweep_later(cluster_name)
        return True
    return await delete_content(registry, cluster_name)


async def delete_nested(registry: Registry, cluster_name: str) -> int:
    """Ask every Workspace of the cluster to go; the number still there.

    Read from the watch cache: a Workspace it does not show yet is caught by `delete_content`, whose
    transaction fails if a Workspace was written after the revision it read them at."""
    children = (await registry.storage.list(_workspaces_prefix(cluster_name), CACHED)).items
    store = registry.store_of(WORKSPACES)
    for child in children:
        if not child["metadata"].get("deletionTimestamp"):
            try:
                await store.delete(_ctx(cluster_name), child["metadata"]["name"], DeleteRequest())
            except errors.StatusError as err:
                if err.code != 404:
                    raise
    return len(children)


async def delete_content(registry: Registry, cluster_name: str) -> bool:
    """Remove every stored object of the logical cluster except its LogicalCluster in one transaction,
    bypassing finalizers: the whole cluster goes, so nothing inside it is left to finalize.

    False, with nothing more deleted, if the cluster has nested Workspaces (they go first, each with its
    own logical cluster) or if its content kept changing through every attempt."""
    for attempt in range(CONTENT_ATTEMPTS):
        if attempt:
            await asyncio.sleep(CONTENT_PAUSE_SECONDS * attempt)
        plan = await plan_content(registry, cluster_name, CURRENT if attempt else CACHED)
        if plan is None:
            return False
        if await registry.storage.delete_prefixes(plan.prefixes, unchanged_since=plan.revision) is not None:
            return True
    return False


@dataclass(frozen=True)
class ContentPlan:
    """What one transaction deletes, valid as long as no key under `prefixes` changed after `revision`."""

    prefixes: list[str]
    revision: int


async def plan_content(registry: Registry, cluster_name: str, options: ListOptions) -> ContentPlan | None:
    """The prefixes of the cluster's content as of one revision R; None if it has Workspaces at R.

    Everything the prefixes depend on is read at or before R and lies under them: the CRDs (whose
    instances' prefixes they name) and the Workspaces (which must go first). So a CRD or Workspace
    written after R, which these reads may have missed, fails the transaction; a stale read (the watch
    cache's, `options` CACHED) costs a retry and never a missed key. R is the older of the two reads'
    revisions: each listing is exact at its own revision."""
    crds = await registry.storage.list(keys.collection_prefix(CRDS, cluster_name), options)
    workspaces = await registry.storage.list(_workspaces_prefix(cluster_name), options)
    if workspaces.items:
        return None
    prefixes = [*_custom_resource_prefixes(crds, cluster_name), *_builtin_prefixes(registry, cluster_name)]
    return ContentPlan(prefixes, min(crds.revision, workspaces.revision))


async def content_prefixes(registry: Registry, cluster_name: str, options: ListOptions) -> list[str]:
    """Every prefix under which the cluster's content is stored (its CRDs' instances read with `options`)."""
    crds = await registry.storage.list(keys.collection_prefix(CRDS, cluster_name), options)
    return [*_custom_resource_prefixes(crds, cluster_name), *_builtin_prefixes(registry, cluster_name)]


def _custom_resource_prefixes(crds: ListResult, cluster_name: str) -> list[str]:
    """Where the instances of every CRD of the cluster are stored (read from the CRDs themselves, so
    instances go even if the CRD is not served yet)."""
    prefixes = []
    for crd in crds.items:
        spec = crd.get("spec") or {}
        plural = (spec.get("names") or {}).get("plural", "")
        prefixes.append(f"/registry/{spec.get('group', '')}/{plural}/{CUSTOM_RESOURCES_INFIX}{cluster_name}/")
    return prefixes


def _builtin_prefixes(registry: Registry, cluster_name: str) -> list[str]:
    """Every built-in collection of the cluster but its LogicalCluster, the CRDs last: `delete_prefixes`
    splits many prefixes into several transactions, and if a later one fails the retry must still find
    the CRDs whose instances an earlier one did not delete."""
    crds = keys.collection_prefix(CRDS, cluster_name)
    prefixes = [
        keys.collection_prefix(store.resource, cluster_name)
        for store in registry.stores_in(cluster_name)
        if not store.resource.storage_infix and store.resource.kind != "LogicalCluster"
    ]
    return [*(prefix for prefix in prefixes if prefix != crds), crds]


def _workspaces_prefix(cluster_name: str) -> str:
    return keys.collection_prefix(WORKSPACES, cluster_name)


class _OtherFinalizers(Exception):
    """The deleting LogicalCluster has finalizers besides ours: it is not ours alone to delete."""


async def _let_go(registry: Registry, cluster_name: str, last_seen: Object) -> bool:
    """Delete the LogicalCluster if our finalizer is its last: what the Store does when the last finalizer
    of a deleting object is dropped, in one guarded write (the Store's update would first confirm its
    verdict with a read). With other finalizers (none are set by kplane) only ours goes, and the
    LogicalCluster stays until they go too. Returns whether it is gone.

    The write is guarded by `last_seen`, the deleting state purge started from (a state the watch cache
    may not have yet, which would cost a failed write)."""

    async def ours_alone(current: Object) -> None:
        if set(current["metadata"].get("finalizers") or []) - {DELETION_FINALIZER}:
            raise _OtherFinalizers

    try:
        await registry.storage.delete(keys.logical_cluster_key(cluster_name), validate=ours_alone, cached=last_seen)
    except storage_errors.KeyNotFoundError:
        pass
    except _OtherFinalizers:
        await _drop_finalizer(registry, cluster_name)
        return False
    return True


async def _drop_finalizer(registry: Registry, cluster_name: str) -> None:
    async def mutate(current: Object) -> Object:
        meta = current["metadata"]
        meta["finalizers"] = [f for f in meta.get("finalizers") or [] if f != DELETION_FINALIZER]
        return current

    try:
        await registry.store_of(LOGICALCLUSTERS).update(_ctx(cluster_name), "cluster", mutate, WriteOptions())
    except errors.StatusError as err:
        if err.code != 404:
            raise


async def _read_logical_cluster(registry: Registry, cluster_name: str) -> Object | None:
    """The LogicalCluster, or None if it is gone.

    The watch cache answers first: a copy that shows a deletionTimestamp is right even if stale, since
    the mark is never taken back (the object is deleting, or gone since, and dropping the finalizer of a
    gone one is a 404). Any other answer may be stale (a deletion not seen yet, a LogicalCluster created a
    moment ago) and is confirmed by a linearizable read."""
    key = keys.logical_cluster_key(cluster_name)
    try:
        cached = await registry.storage.get(key, consistent=False)
        if cached["metadata"].get("deletionTimestamp"):
            return cached
    except storage_errors.KeyNotFoundError:
        pass
    try:
        return await registry.storage.get(key)
    except storage_errors.KeyNotFoundError:
        return None


async def gone(registry: Registry, cluster_name: str) -> bool:
    """Whether the LogicalCluster of a logical cluster seen deleting is gone, from the watch cache: it saw
    the LogicalCluster deleting, and a stale answer is only a late "still there"."""
    try:
        await registry.storage.get(keys.logical_cluster_key(cluster_name), consistent=False)
    except storage_errors.KeyNotFoundError:
        return True
    return False


async def purged_inline(registry: Registry, cluster_name: str) -> bool:
    """Whether the Workspace owning the logical cluster is on this shard (its parent logical cluster is
    here), so that this shard's workspace controller purges it inline (`LocalClusters.delete`)."""
    try:
        logical_cluster = await registry.storage.get(keys.logical_cluster_key(cluster_name), consistent=False)
    except storage_errors.KeyNotFoundError:
        return False
    owner = (logical_cluster.get("spec") or {}).get("owner") or {}
    if owner.get("resource") != WORKSPACES.plural or not owner.get("cluster"):
        return False
    return await registry.paths.clusters.exists(owner["cluster"])
