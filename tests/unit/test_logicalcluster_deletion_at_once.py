"""Deleting a logical cluster of this shard at once: its LogicalCluster goes with the whole content in one
transaction guarded by the revision the content was planned at, never marked deleting; every case that
needs the deleting state (another finalizer, already deleting, nested Workspaces) is left to the marked
path, and `LocalClusters.delete` takes that path for them."""

from __future__ import annotations

from collections.abc import Sequence

from apimachinery.apis.catalog import builtin_catalog
from shard.controllers.logicalclusterdeletion.at_once import delete_at_once
from shard.controllers.logicalclusterdeletion.purge import DELETION_FINALIZER
from shard.controllers.workspace.seam import LocalClusters
from shard.registry.registry import Registry
from tests.unit.test_logicalcluster_purge import (
    CONFIGMAP_KEY,
    CRD_PREFIX,
    DELETING,
    LC_KEY,
    WORKSPACES_PREFIX,
    RecordingStorage,
    crd,
    keys_of,
)

Object = dict[str, object]


async def live_cluster(
    finalizers: Sequence[str] = (DELETION_FINALIZER,), *, deleting: bool = False
) -> tuple[Registry, RecordingStorage]:
    """Logical cluster `abc` owned by a Workspace, with a ConfigMap and a CRD with an instance."""
    storage = RecordingStorage()
    meta: dict[str, object] = {"name": "cluster", "finalizers": list(finalizers)}
    if deleting:
        meta["deletionTimestamp"] = DELETING
    owner = {"resource": "workspaces", "name": "w", "cluster": "root", "uid": "u1"}
    await storage.create(LC_KEY, {"metadata": meta, "spec": {"owner": owner}})
    await storage.create(CONFIGMAP_KEY, {"metadata": {"name": "data", "namespace": "default"}})
    await storage.create(f"{CRD_PREFIX}widgets.example.com", crd("widgets"))
    await storage.create("/registry/example.com/widgets/customresources/abc/default/one", {"metadata": {}})
    storage.calls.clear()
    return Registry(builtin_catalog(), storage), storage


async def test_the_logical_cluster_goes_with_its_content_in_one_transaction() -> None:
    registry, storage = await live_cluster()
    assert await delete_at_once(registry, "abc")
    assert keys_of(storage) == []
    assert storage.transactions() == ["delete_prefixes done"]
    assert not [call for call in storage.calls if call.startswith("get current")]


async def test_another_finalizer_an_earlier_deletion_or_nested_workspaces_take_the_marked_path() -> None:
    for finalizers, deleting, nested in (
        ((DELETION_FINALIZER, "example.com/keep"), False, False),
        ((DELETION_FINALIZER,), True, False),
        ((DELETION_FINALIZER,), False, True),
    ):
        registry, storage = await live_cluster(finalizers, deleting=deleting)
        if nested:
            await storage.create(f"{WORKSPACES_PREFIX}child", {"metadata": {"name": "child"}})
        assert not await delete_at_once(registry, "abc")
        assert storage.transactions() == []
        assert LC_KEY in storage.objects and CONFIGMAP_KEY in storage.objects


async def test_a_missing_logical_cluster_takes_the_marked_path() -> None:
    registry, storage = await live_cluster()
    del storage.objects[LC_KEY]
    assert not await delete_at_once(registry, "abc")
    assert storage.transactions() == []


async def test_a_write_after_the_plan_fails_the_transaction_and_the_second_plan_reads_etcd() -> None:
    registry, storage = await live_cluster()

    async def racing_write() -> None:
        storage.after_list.pop(CRD_PREFIX)
        await storage.create("/registry/core/configmaps/abc/default/racer", {"metadata": {}})

    storage.after_list[CRD_PREFIX] = racing_write
    assert await delete_at_once(registry, "abc")
    assert storage.transactions() == ["delete_prefixes refused", "delete_prefixes done"]
    assert f"get current {LC_KEY}" in storage.calls
    assert keys_of(storage) == []


async def test_a_logical_cluster_written_after_the_plan_is_not_deleted_on_that_plan() -> None:
    registry, storage = await live_cluster()

    async def annotate() -> None:
        storage.after_list.pop(WORKSPACES_PREFIX)
        lc = await storage.get(LC_KEY)
        lc["metadata"]["annotations"] = {"late": "write"}
        storage.objects[LC_KEY] = storage._stamp(lc)

    storage.after_list[WORKSPACES_PREFIX] = annotate
    assert await delete_at_once(registry, "abc")
    assert storage.transactions() == ["delete_prefixes done"]  # the stale plan was not even tried
    assert keys_of(storage) == []


async def test_more_prefixes_than_one_transaction_holds_take_the_marked_path() -> None:
    registry, storage = await live_cluster()
    for index in range(130):
        await storage.create(f"{CRD_PREFIX}k{index}.example.com", crd(f"k{index}"))
    assert not await delete_at_once(registry, "abc")
    assert storage.transactions() == []


async def test_local_clusters_marks_a_logical_cluster_with_another_finalizer_and_purges_it() -> None:
    """The marked path: the content goes, our finalizer goes, the other one keeps the LogicalCluster."""
    registry, storage = await live_cluster((DELETION_FINALIZER, "example.com/keep"))
    swept: list[str] = []
    await LocalClusters(registry, swept.append).delete("", "abc")
    logical_cluster = storage.objects[LC_KEY]
    assert logical_cluster["metadata"]["deletionTimestamp"]
    assert logical_cluster["metadata"]["finalizers"] == ["example.com/keep"]
    assert keys_of(storage) == [LC_KEY]


async def test_local_clusters_deletes_at_once_and_hands_the_last_sweep_on() -> None:
    registry, storage = await live_cluster()
    swept: list[str] = []
    assert await LocalClusters(registry, swept.append).delete("", "abc")
    assert keys_of(storage) == [] and swept == ["abc"]
    assert storage.transactions() == ["delete_prefixes done"]
