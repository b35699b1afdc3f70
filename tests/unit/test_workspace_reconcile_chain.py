"""The workspace controller runs every step of a workspace that waits on nothing in one reconcile pass:
choice (made at admission, so stored with the user's create) → LogicalCluster (Ready at once without
initializers) → binding and phase in one Workspace write, reads from the watch cache only. The watch
events of its own writes do not queue the workspace again; someone else's change does. With initializers
the workspace waits in Initializing."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from apimachinery.apis.catalog import builtin_catalog
from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS
from apimachinery.apis.tenancy_kcp_io import (
    CLUSTER_CHOICE_ANNOTATION,
    LOGICALCLUSTER_FINALIZER,
    SHARD_ANNOTATION,
    WORKSPACES,
    WORKSPACETYPES,
)
from apimachinery.apis.tenancy_kcp_io import (
    UNREACHABLE_ANNOTATION as UNREACHABLE,
)
from shard.controllers.workspace.controller import WorkspaceController
from shard.registry.bootstrap import bootstrap_root
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.keys import logical_cluster_key
from shard.registry.options import DeleteRequest
from shard.registry.registry import Registry
from shard.storage.interface import WatchEvent
from tests.unit.memory_storage import MemoryStorage

Object = dict[str, Any]
ADMIN = UserInfo("admin", ("system:masters",))
ROOT = RequestContext("root", ADMIN)
SHARD = {"metadata": {"name": "root", "labels": {"name": "root"}}, "spec": {"externalURL": "https://kplane"}}
WORKSPACE_PREFIX = "/registry/tenancy.kcp.io/workspaces/root/"
LC_PREFIX = "/registry/core.kcp.io/logicalclusters/"


@dataclass
class CountingStorage(MemoryStorage):
    """MemoryStorage that records every write (op, key) and every read that would fetch a revision."""

    writes: list[tuple[str, str]] = field(default_factory=list)
    consistent_reads: list[str] = field(default_factory=list)
    _writing: bool = False
    cache: dict[str, Object] = field(default_factory=dict)  # a watch cache that lags: set by freeze_cache()
    conflicts: list[str] = field(default_factory=list)

    def freeze_cache(self) -> None:
        """From now on the "watch cache" the Cacher would start writes from stays as it is now."""
        self.cache = copy.deepcopy(self.objects)

    async def create(self, key: str, obj: Object) -> Object:
        self.writes.append(("create", key))
        return await super().create(key, obj)

    async def create_many(self, entries: Any) -> list[Object]:
        self.writes.extend(("create", key) for key, _ in entries)
        return await super().create_many(entries)

    async def guaranteed_update(
        self, key: str, update: Any, *, preconditions: Any = None, cached: Any = None
    ) -> Object:
        self.writes.append(("update", key))
        start = cached if cached is not None else self.cache.get(key)
        if (
            start is not None
            and start["metadata"]["resourceVersion"] != self.objects[key]["metadata"]["resourceVersion"]
        ):
            self.conflicts.append(key)  # a guarded write from this state would fail once, then retry
        self._writing = True  # MemoryStorage's own read of the current state is no reader's
        try:
            return await super().guaranteed_update(key, update, preconditions=preconditions, cached=cached)
        finally:
            self._writing = False

    async def get(self, key: str, *, revision: int = 0, consistent: bool = True) -> Object:
        if consistent and not revision and not self._writing:
            self.consistent_reads.append(key)
        return await super().get(key, revision=revision, consistent=consistent)

    async def delete(self, key: str, *, preconditions: Any = None, validate: Any = None, cached: Any = None) -> Object:
        self.writes.append(("delete", key))
        self._writing = True
        try:
            return await super().delete(key, preconditions=preconditions, validate=validate, cached=cached)
        finally:
            self._writing = False

    async def delete_prefixes(self, prefixes: Any, *, unchanged_since: int | None) -> int | None:
        self.writes.append(("delete_prefixes", " ".join(prefixes)))
        return await super().delete_prefixes(prefixes, unchanged_since=unchanged_since)

    def under(self, prefix: str) -> list[tuple[str, str]]:
        return [(op, key) for op, key in self.writes if key.startswith(prefix)]


async def started(*, placement: bool = True) -> tuple[Registry, CountingStorage, WorkspaceController]:
    """`placement`: the shard is chosen at admission, as shard/server.py wires it."""
    storage = CountingStorage()
    registry = Registry(builtin_catalog(), storage)
    await bootstrap_root(registry, user=ADMIN)

    async def shard_list() -> list[Object]:
        return [SHARD]

    controller = WorkspaceController(registry, shard_list=shard_list)
    if placement:
        registry.workspace_placement = controller.place
    return registry, storage, controller


async def create_workspace(registry: Registry, name: str, type_name: str = "universal") -> None:
    workspace = {"metadata": {"name": name}, "spec": {"type": {"name": type_name, "path": "root"}}}
    await registry.store_of(WORKSPACES).create(ROOT, workspace, WriteOptions())


async def get_workspace(registry: Registry, name: str) -> Object:
    return await registry.store_of(WORKSPACES).get(ROOT, name)


def conditions_of(workspace: Object) -> dict[str, str]:
    return {c["type"]: c["status"] for c in workspace["status"].get("conditions") or []}


async def test_a_workspace_without_initializers_is_ready_after_one_pass_and_one_write() -> None:
    registry, storage, controller = await started()
    await create_workspace(registry, "w")
    storage.writes.clear()
    storage.consistent_reads.clear()

    assert await controller.reconcile("root/w") is False
    assert storage.consistent_reads == []  # every read of the pass came from the watch cache

    workspace = await get_workspace(registry, "w")
    assert workspace["status"]["phase"] == "Ready"
    assert conditions_of(workspace) == {"WorkspaceScheduled": "True", "WorkspaceInitialized": "True"}
    annotations = workspace["metadata"]["annotations"]
    cluster = annotations[CLUSTER_CHOICE_ANNOTATION]
    assert annotations[SHARD_ANNOTATION] == "root"
    assert workspace["metadata"]["finalizers"] == [LOGICALCLUSTER_FINALIZER]
    assert workspace["spec"]["cluster"] == cluster
    assert workspace["spec"]["URL"] == "https://kplane/clusters/root:w"
    # the choice came with the create; spec (cluster + URL) and status (Ready) in one write: nothing else
    assert storage.under(WORKSPACE_PREFIX) == [("update", f"{WORKSPACE_PREFIX}w")]
    # managedFields as if spec and status had been two writes: one entry each
    entries = {(e["operation"], e.get("subresource", "")) for e in workspace["metadata"]["managedFields"]}
    assert {("Update", ""), ("Update", "status")} <= entries
    # the LogicalCluster is written once, already Ready: no status update of it
    assert storage.under(LC_PREFIX) == [("create", logical_cluster_key(cluster))]
    logical_cluster = await storage.get(logical_cluster_key(cluster), consistent=False)
    assert logical_cluster["status"] == {"phase": "Ready", "initializers": []}


async def test_each_write_starts_from_the_previous_one_not_from_a_lagging_watch_cache() -> None:
    registry, storage, controller = await started()
    await create_workspace(registry, "w")
    storage.writes.clear()
    storage.freeze_cache()  # the watch cache never sees the writes of the pass
    assert await controller.reconcile("root/w") is False
    assert len(storage.under(WORKSPACE_PREFIX)) == 1
    assert storage.conflicts == []


async def test_the_choice_is_stored_with_the_create_when_admission_can_make_it() -> None:
    registry, storage, controller = await started()
    await create_workspace(registry, "w")
    created = await storage.get(f"{WORKSPACE_PREFIX}w")
    assert created["metadata"]["annotations"][SHARD_ANNOTATION] == "root"
    assert CLUSTER_CHOICE_ANNOTATION in created["metadata"]["annotations"]
    assert created["metadata"]["finalizers"] == [LOGICALCLUSTER_FINALIZER]
    assert created["status"]["phase"] == "Scheduling"


async def test_without_placement_at_admission_the_choice_is_written_before_the_logical_cluster_exists() -> None:
    registry, storage, controller = await started(placement=False)
    await create_workspace(registry, "w")
    storage.writes.clear()
    assert await controller.reconcile("root/w") is False
    first_lc = next(i for i, (_, key) in enumerate(storage.writes) if key.startswith(LC_PREFIX))
    assert storage.writes.index(("update", f"{WORKSPACE_PREFIX}w")) < first_lc
    assert len(storage.under(WORKSPACE_PREFIX)) == 2  # the choice; then binding and phase together
    assert (await get_workspace(registry, "w"))["status"]["phase"] == "Ready"


async def test_a_generated_name_is_placed_by_the_controller() -> None:
    registry, storage, controller = await started()
    workspace = {"metadata": {"generateName": "w-"}, "spec": {"type": {"name": "universal", "path": "root"}}}
    created = await registry.store_of(WORKSPACES).create(ROOT, workspace, WriteOptions())
    assert SHARD_ANNOTATION not in (created["metadata"].get("annotations") or {})
    name = created["metadata"]["name"]
    assert await controller.reconcile(f"root/{name}") is False
    assert (await get_workspace(registry, name))["status"]["phase"] == "Ready"


async def test_scheduling_annotations_a_client_sends_are_dropped() -> None:
    registry, storage, controller = await started(placement=False)
    forged = {SHARD_ANNOTATION: "elsewhere", CLUSTER_CHOICE_ANNOTATION: "someonescluster", UNREACHABLE: "root"}
    workspace = {"metadata": {"name": "w", "annotations": {**forged, "keep": "me"}}}
    created = await registry.store_of(WORKSPACES).create(ROOT, workspace, WriteOptions())
    assert not set(forged) & set(created["metadata"]["annotations"])
    assert created["metadata"]["annotations"]["keep"] == "me"
    registry.workspace_placement = controller.place
    workspace = {"metadata": {"name": "v", "annotations": dict(forged)}}
    created = await registry.store_of(WORKSPACES).create(ROOT, workspace, WriteOptions())
    annotations = created["metadata"]["annotations"]
    assert annotations[SHARD_ANNOTATION] == "root"
    assert annotations[CLUSTER_CHOICE_ANNOTATION] != "someonescluster"
    assert UNREACHABLE not in annotations


@contextlib.asynccontextmanager
async def running(controller: WorkspaceController) -> AsyncIterator[list[str]]:
    """The controller running (watch + workers); yields the keys of every reconcile pass, in order."""
    passes: list[str] = []
    reconcile = controller.reconcile

    async def counted(key: str) -> bool:
        passes.append(key)
        return await reconcile(key)

    controller.reconcile = counted  # type: ignore[method-assign]
    task = asyncio.create_task(controller.run())
    try:
        await settle()
        yield passes
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    for _ in range(200):
        if await check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


async def test_the_events_of_its_own_writes_do_not_queue_the_workspace_again() -> None:
    registry, _, controller = await started()
    async with running(controller) as passes:
        await create_workspace(registry, "w")

        async def ready() -> bool:
            return bool((await get_workspace(registry, "w"))["status"]["phase"] == "Ready")

        await eventually(ready)
        await settle()
        assert passes == ["root/w"]
        assert len(controller.workspaces.own) == 0  # every echo came back: nothing left remembered

        # someone else's change is reconciled
        async def label(current: Object) -> Object:
            current["metadata"].setdefault("labels", {})["team"] = "a"
            return current

        await registry.store_of(WORKSPACES).update(ROOT, "w", label, WriteOptions())
        await eventually(lambda: _true_if(len(passes) == 2))


async def _true_if(value: bool) -> bool:
    return value


async def test_a_cache_older_than_its_own_write_is_not_trusted() -> None:
    registry, storage, controller = await started()
    await create_workspace(registry, "w")
    stale = await storage.get(f"{WORKSPACE_PREFIX}w", consistent=False)
    await controller.reconcile("root/w")
    real_get = storage.get

    async def lagging_cache(key: str, *, revision: int = 0, consistent: bool = True) -> Object:
        if key == f"{WORKSPACE_PREFIX}w" and not consistent:
            return stale
        return await real_get(key, revision=revision, consistent=consistent)

    storage.get = lagging_cache  # type: ignore[method-assign]
    storage.consistent_reads.clear()
    storage.writes.clear()
    assert await controller.reconcile("root/w") is False
    assert storage.consistent_reads == [f"{WORKSPACE_PREFIX}w"]
    assert storage.under(WORKSPACE_PREFIX) == []  # the fresh state is Ready: nothing to redo


async def test_with_initializers_the_workspace_waits_in_initializing() -> None:
    registry, storage, controller = await started()
    gated = {"metadata": {"name": "gated"}, "spec": {"initializer": True}}
    await registry.store_of(WORKSPACETYPES).create(ROOT, gated, WriteOptions())
    await create_workspace(registry, "w", "gated")
    storage.writes.clear()

    assert await controller.reconcile("root/w") is True
    workspace = await get_workspace(registry, "w")
    assert workspace["status"]["phase"] == "Initializing"
    assert workspace["status"]["initializers"] == ["root:gated"]
    assert conditions_of(workspace) == {"WorkspaceScheduled": "True"}
    cluster = workspace["spec"]["cluster"]
    lc_key = logical_cluster_key(cluster)
    assert (await storage.get(lc_key))["status"] == {"phase": "Initializing", "initializers": ["root:gated"]}
    assert storage.under(WORKSPACE_PREFIX) == [("update", f"{WORKSPACE_PREFIX}w")]

    storage.writes.clear()
    assert await controller.reconcile("root/w") is True  # still waiting: nothing written
    assert storage.writes == []

    async def initialized(current: Object) -> Object:
        current["status"]["initializers"] = []
        return current

    ctx = RequestContext(cluster, ADMIN)
    await registry.store_of(LOGICALCLUSTERS).update(ctx, "cluster", initialized, WriteOptions(), subresource="status")
    assert await controller.reconcile("root/w") is False
    workspace = await get_workspace(registry, "w")
    assert workspace["status"]["phase"] == "Ready"
    assert conditions_of(workspace) == {"WorkspaceScheduled": "True", "WorkspaceInitialized": "True"}
    assert (await storage.get(lc_key))["status"]["phase"] == "Ready"


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
