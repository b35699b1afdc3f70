"""Purging a deleting logical cluster: nested Workspaces first, then its whole content in one
`delete_prefixes` transaction guarded by the revision its CRDs and Workspaces were read at (retried when a
write raced it), the LogicalCluster let go, a last sweep; and the deletion controller leaving a logical
cluster whose Workspace is on this shard to the workspace controller's inline purge."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from apimachinery.apis.catalog import builtin_catalog
from shard.controllers.logicalclusterdeletion import purge as purge_module
from shard.controllers.logicalclusterdeletion.controller import LogicalClusterDeletionController
from shard.controllers.logicalclusterdeletion.purge import DELETION_FINALIZER, delete_content, purge
from shard.registry.registry import Registry
from shard.storage import errors as storage_errors
from shard.storage.interface import ListOptions, ListResult
from tests.unit.memory_storage import MemoryStorage

Object = dict[str, Any]
LC_KEY = "/registry/core.kcp.io/logicalclusters/abc/cluster"
CRD_PREFIX = "/registry/apiextensions.k8s.io/customresourcedefinitions/abc/"
WORKSPACES_PREFIX = "/registry/tenancy.kcp.io/workspaces/abc/"
CONFIGMAP_KEY = "/registry/core/configmaps/abc/default/data"
DELETING = "2026-01-01T00:00:00Z"


@dataclass
class RecordingStorage(MemoryStorage):
    """MemoryStorage that records the calls the purge makes and runs a hook after chosen listings."""

    calls: list[str] = field(default_factory=list)
    after_list: dict[str, Any] = field(default_factory=dict)  # prefix → async hook, run after that listing
    stale: dict[str, Object] = field(default_factory=dict)  # key → what a non-consistent get returns

    async def get(self, key: str, *, revision: int = 0, consistent: bool = True) -> Object:
        self.calls.append(f"get {'current' if consistent else 'cached'} {key}")
        if not consistent and key in self.stale:
            return self.stale[key]
        return await super().get(key)

    async def list(self, prefix: str, options: ListOptions) -> ListResult:
        listed = await super().list(prefix, options)
        hook = self.after_list.get(prefix)
        if hook is not None:
            await hook()
        return listed

    async def delete(self, key: str, *, preconditions: Any = None, validate: Any = None, cached: Any = None) -> Object:
        self.calls.append(f"delete {key}")
        if key not in self.objects:
            raise storage_errors.KeyNotFoundError(key)
        if validate is not None:
            await validate(copy.deepcopy(self.objects[key]))
        del self.objects[key]
        self.revision += 1
        return {}

    async def delete_prefixes(self, prefixes: Sequence[str], *, unchanged_since: int | None) -> int | None:
        outcome = await super().delete_prefixes(prefixes, unchanged_since=unchanged_since)
        self.calls.append(f"delete_prefixes {'done' if outcome is not None else 'refused'}")
        return outcome

    def transactions(self) -> Sequence[str]:
        return [call for call in self.calls if call.startswith("delete")]


def crd(plural: str) -> Object:
    spec = {"group": "example.com", "names": {"plural": plural}}
    return {"metadata": {"name": f"{plural}.example.com"}, "spec": spec}


async def deleting_cluster(finalizers: Sequence[str] = (DELETION_FINALIZER,)) -> tuple[Registry, RecordingStorage]:
    """Logical cluster `abc`, deleting, owned by a Workspace in `root` (not on this shard: no `root` here),
    with a ConfigMap and a CRD with two instances."""
    storage = RecordingStorage()
    lc = {
        "metadata": {"name": "cluster", "finalizers": list(finalizers), "deletionTimestamp": DELETING},
        "spec": {"owner": {"resource": "workspaces", "name": "w", "cluster": "root", "uid": "u1"}},
    }
    await storage.create(LC_KEY, lc)
    await storage.create(CONFIGMAP_KEY, {"metadata": {"name": "data", "namespace": "default"}})
    await storage.create(f"{CRD_PREFIX}widgets.example.com", crd("widgets"))
    for name in ("one", "two"):
        await storage.create(f"/registry/example.com/widgets/customresources/abc/default/{name}", {"metadata": {}})
    return Registry(builtin_catalog(), storage), storage


def keys_of(storage: MemoryStorage, cluster_name: str = "abc") -> list[str]:
    return sorted(key for key in storage.objects if f"/{cluster_name}/" in key)


async def test_the_content_goes_in_one_transaction_custom_resources_included() -> None:
    registry, storage = await deleting_cluster()
    assert await purge(registry, "abc")
    assert keys_of(storage) == []
    # content, the LogicalCluster, the last sweep: nothing deleted key by key
    assert storage.transactions() == ["delete_prefixes done", f"delete {LC_KEY}", "delete_prefixes done"]


async def test_what_a_gone_logical_cluster_left_goes_in_one_transaction() -> None:
    registry, storage = await deleting_cluster()
    del storage.objects[LC_KEY]  # let go by an earlier purge whose last sweep did not happen
    assert await purge(registry, "abc")
    assert storage.transactions() == ["delete_prefixes done"]
    assert keys_of(storage) == []


async def test_a_crd_created_after_the_crds_were_read_fails_the_transaction_and_its_instances_go() -> None:
    registry, storage = await deleting_cluster()

    async def create_gadgets() -> None:
        storage.after_list.pop(CRD_PREFIX)
        await storage.create(f"{CRD_PREFIX}gadgets.example.com", crd("gadgets"))
        await storage.create("/registry/example.com/gadgets/customresources/abc/default/g", {"metadata": {}})

    storage.after_list[CRD_PREFIX] = create_gadgets
    assert await delete_content(registry, "abc")
    assert storage.transactions() == ["delete_prefixes refused", "delete_prefixes done"]
    assert keys_of(storage) == [LC_KEY]


async def test_content_that_keeps_changing_is_left_for_a_later_look(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(purge_module, "CONTENT_PAUSE_SECONDS", 0.0)
    registry, storage = await deleting_cluster()
    writes = 0

    async def write_configmap() -> None:
        nonlocal writes
        writes += 1
        await storage.create(f"/registry/core/configmaps/abc/default/racer-{writes}", {"metadata": {}})

    storage.after_list[CRD_PREFIX] = write_configmap
    assert not await purge(registry, "abc")
    assert storage.transactions() == ["delete_prefixes refused"] * purge_module.CONTENT_ATTEMPTS
    assert DELETION_FINALIZER in storage.objects[LC_KEY]["metadata"]["finalizers"]  # not let go
    storage.after_list.clear()
    assert await purge(registry, "abc")
    assert keys_of(storage) == []


async def test_nested_workspaces_go_first() -> None:
    registry, storage = await deleting_cluster()
    child = {
        "apiVersion": "tenancy.kcp.io/v1alpha1",
        "kind": "Workspace",
        "metadata": {"name": "child", "finalizers": ["core.kcp.io/logicalcluster"]},
        "spec": {"cluster": "def"},
    }
    await storage.create(f"{WORKSPACES_PREFIX}child", child)
    assert not await purge(registry, "abc")
    assert storage.objects[f"{WORKSPACES_PREFIX}child"]["metadata"].get("deletionTimestamp")
    assert storage.transactions() == []
    assert CONFIGMAP_KEY in storage.objects


async def test_a_workspace_created_after_the_read_is_not_deleted_with_the_content() -> None:
    """The Workspace, which would leave its logical cluster behind if its key went with the content,
    fails the transaction; the purge then waits for it like any nested Workspace."""
    registry, storage = await deleting_cluster()
    listings = 0

    async def create_child() -> None:
        nonlocal listings
        listings += 1
        if listings == 2:  # after delete_nested found none, right after the content's read of them
            await storage.create(f"{WORKSPACES_PREFIX}child", {"metadata": {"name": "child"}})

    storage.after_list[WORKSPACES_PREFIX] = create_child
    assert not await purge(registry, "abc")
    assert storage.transactions() == ["delete_prefixes refused"]
    assert f"{WORKSPACES_PREFIX}child" in storage.objects and CONFIGMAP_KEY in storage.objects


async def test_a_cached_logical_cluster_that_shows_the_deletion_is_not_read_again() -> None:
    registry, storage = await deleting_cluster()
    assert await purge(registry, "abc")
    before_the_content_went = storage.calls[: storage.calls.index("delete_prefixes done")]
    assert f"get current {LC_KEY}" not in before_the_content_went


async def test_a_cached_logical_cluster_that_does_not_show_the_deletion_is_confirmed() -> None:
    registry, storage = await deleting_cluster()
    storage.stale[LC_KEY] = {"metadata": {"name": "cluster", "finalizers": [DELETION_FINALIZER]}}
    assert await purge(registry, "abc")
    before_the_content_went = storage.calls[: storage.calls.index("delete_prefixes done")]
    assert f"get current {LC_KEY}" in before_the_content_went
    assert keys_of(storage) == []


async def test_a_logical_cluster_the_caller_just_marked_is_not_read() -> None:
    registry, storage = await deleting_cluster()
    marked = await storage.get(LC_KEY)
    storage.calls.clear()
    assert await purge(registry, "abc", marked=marked)
    assert not [call for call in storage.calls if call.startswith("get")]
    assert keys_of(storage) == []


async def test_a_logical_cluster_with_other_finalizers_stays_without_ours_and_is_waited_for() -> None:
    registry, storage = await deleting_cluster(finalizers=(DELETION_FINALIZER, "example.com/other"))
    assert not await purge(registry, "abc")  # not gone: its Workspace waits (kcp's behaviour)
    assert keys_of(storage) == [LC_KEY]
    assert storage.objects[LC_KEY]["metadata"]["finalizers"] == ["example.com/other"]
    storage.calls.clear()
    assert not await purge(registry, "abc")  # looked at again: still held, and nothing is written
    assert keys_of(storage) == [LC_KEY]
    assert not [call for call in storage.calls if not call.startswith("get")]

    await storage.delete(LC_KEY)  # the other finalizer went, and the Store deleted it with that
    assert await purge(registry, "abc")


async def local_owner(registry: Registry, storage: MemoryStorage) -> None:
    """Make the owning Workspace's logical cluster (`root`) one of this shard's."""
    await storage.create("/registry/core.kcp.io/logicalclusters/root/cluster", {"metadata": {"name": "cluster"}})


async def test_the_controller_leaves_a_locally_owned_cluster_to_the_inline_purge() -> None:
    registry, storage = await deleting_cluster()
    await local_owner(registry, storage)
    controller = LogicalClusterDeletionController(registry)
    assert await controller.reconcile("abc")  # look again later
    assert storage.transactions() == [] and CONFIGMAP_KEY in storage.objects
    assert await purge(registry, "abc")  # what LocalClusters.delete runs meanwhile
    done = len(storage.transactions())
    assert not await controller.reconcile("abc")
    assert len(storage.transactions()) == done  # nothing of the purge done twice


async def test_the_controller_purges_a_locally_owned_cluster_still_there_on_its_second_look() -> None:
    registry, storage = await deleting_cluster()
    await local_owner(registry, storage)
    controller = LogicalClusterDeletionController(registry)
    assert await controller.reconcile("abc")
    assert not await controller.reconcile("abc")
    assert keys_of(storage) == []


async def test_the_controller_purges_a_remotely_owned_cluster_at_once() -> None:
    registry, storage = await deleting_cluster()
    assert not await LogicalClusterDeletionController(registry).reconcile("abc")
    assert keys_of(storage) == []
