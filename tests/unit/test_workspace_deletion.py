"""A workspace's deletion by its controller: a LogicalCluster that can go at once goes with its content in
one transaction (no deleting phase written); then the Workspace is deleted in one write guarded by the
state the pass holds when our finalizer is its last; with another finalizer only ours goes and the
Workspace stays, deleting, for it. A LogicalCluster another finalizer holds keeps its Workspace `Deleting`
until it is gone (kcp's order). A pass on a cache that still shows the deleted Workspace reads nothing."""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable

from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS
from apimachinery.apis.tenancy_kcp_io import LOGICALCLUSTER_FINALIZER, WORKSPACES
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.keys import logical_cluster_key
from shard.registry.options import DeleteRequest
from shard.storage.interface import WatchEvent
from tests.unit.workspace_harness import (
    ADMIN,
    LC_PREFIX,
    ROOT,
    WORKSPACE_PREFIX,
    Object,
    create_workspace,
    get_workspace,
    started,
)


async def test_another_finalizer_keeps_the_workspace_once_ours_is_gone() -> None:
    registry, storage, controller = await started()
    await create_workspace(registry, "w")
    await controller.reconcile("root/w")

    async def add_finalizer(current: Object) -> Object:
        current["metadata"]["finalizers"] = [*current["metadata"]["finalizers"], "example.com/keep"]
        return current

    await registry.store_of(WORKSPACES).update(ROOT, "w", add_finalizer, WriteOptions())
    await registry.store_of(WORKSPACES).delete(ROOT, "w", DeleteRequest())
    storage.writes.clear()
    assert await controller.reconcile("root/w") is False
    workspace = await get_workspace(registry, "w")
    assert workspace["metadata"]["finalizers"] == ["example.com/keep"]
    assert LOGICALCLUSTER_FINALIZER not in workspace["metadata"]["finalizers"]
    assert storage.writes[-1] == ("update", f"{WORKSPACE_PREFIX}w")  # the delete was refused: ours dropped
    assert not controller.workspaces.own.deleted_since("root/w", 0)


async def test_a_logical_cluster_held_by_another_finalizer_keeps_its_workspace_deleting_until_it_goes() -> None:
    registry, storage, controller = await started()
    await create_workspace(registry, "w")
    cluster = (await get_workspace(registry, "w"))["spec"]["cluster"]
    lc_ctx = RequestContext(cluster, ADMIN)
    lc_store = registry.store_of(LOGICALCLUSTERS)

    def finalizers(change: Callable[[list[str]], list[str]]) -> Callable[[Object], Awaitable[Object]]:
        async def mutate(current: Object) -> Object:
            current["metadata"]["finalizers"] = change(current["metadata"]["finalizers"])
            return current

        return mutate

    await lc_store.update(lc_ctx, "cluster", finalizers(lambda held: [*held, "example.com/keep"]), WriteOptions())
    await registry.store_of(WORKSPACES).delete(ROOT, "w", DeleteRequest())
    assert await controller.reconcile("root/w") is True  # its LogicalCluster is not gone: look again
    assert (await get_workspace(registry, "w"))["status"]["phase"] == "Deleting"
    held = storage.objects[logical_cluster_key(cluster)]
    assert held["metadata"]["finalizers"] == ["example.com/keep"]
    assert not [key for key in storage.objects if f"/{cluster}/" in key and key != logical_cluster_key(cluster)]
    assert await controller.reconcile("root/w") is True  # still held

    await lc_store.update(lc_ctx, "cluster", finalizers(lambda held: []), WriteOptions())  # deletes it
    assert logical_cluster_key(cluster) not in storage.objects
    assert await controller.reconcile("root/w") is False
    assert f"{WORKSPACE_PREFIX}w" not in storage.objects


async def test_deleting_a_workspace_whose_cluster_goes_at_once_writes_no_deleting_phase() -> None:
    registry, storage, controller = await started()
    await create_workspace(registry, "w")
    await controller.reconcile("root/w")
    cluster = (await get_workspace(registry, "w"))["spec"]["cluster"]
    await registry.store_of(WORKSPACES).delete(ROOT, "w", DeleteRequest())
    deleting = copy.deepcopy(storage.objects[f"{WORKSPACE_PREFIX}w"])
    storage.writes.clear()
    storage.consistent_reads.clear()
    assert await controller.reconcile("root/w") is False
    assert f"{WORKSPACE_PREFIX}w" not in storage.objects
    assert logical_cluster_key(cluster) not in storage.objects
    assert not [key for key in storage.objects if f"/{cluster}/" in key], "nothing of the logical cluster is left"
    # the LogicalCluster and its content in one transaction, never marked deleting (nobody would see it);
    # (then the last sweep, right away without a Sweeper); the Workspace deleted in one write: no status
    # write, no finalizer update before the delete
    ops = [op for op, _ in storage.writes]
    assert ops == ["delete_prefixes", "delete_prefixes", "delete"], storage.writes
    assert f"{LC_PREFIX}{cluster}/" in storage.writes[0][1].split()
    assert storage.writes[2] == ("delete", f"{WORKSPACE_PREFIX}w")
    assert storage.consistent_reads == []
    # the deletion is remembered until the watch shows it
    assert len(controller.workspaces.own) == 1
    controller.on_event(WatchEvent("DELETED", deleting, int(deleting["metadata"]["resourceVersion"]) + 1))
    assert len(controller.workspaces.own) == 0


async def test_a_pass_on_a_cache_that_still_shows_the_deleted_workspace_does_nothing() -> None:
    registry, storage, controller = await started()
    await create_workspace(registry, "w")
    await controller.reconcile("root/w")
    await registry.store_of(WORKSPACES).delete(ROOT, "w", DeleteRequest())
    deleting = copy.deepcopy(storage.objects[f"{WORKSPACE_PREFIX}w"])
    assert await controller.reconcile("root/w") is False
    read_current = storage.get

    async def lagging(key: str, *, revision: int = 0, consistent: bool = True) -> Object:
        if not consistent and key == f"{WORKSPACE_PREFIX}w":
            return copy.deepcopy(deleting)  # the watch cache has not seen the deletion yet
        return await read_current(key, revision=revision, consistent=consistent)

    storage.get = lagging  # type: ignore[method-assign]
    storage.writes.clear()
    storage.consistent_reads.clear()
    assert await controller.reconcile("root/w") is False, "a second pass queued meanwhile finds it gone"
    assert storage.writes == []
    assert storage.consistent_reads == [], "the pass knows the deletion it made: no read of etcd"
