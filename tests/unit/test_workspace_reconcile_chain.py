"""The workspace controller runs every step of a workspace that waits on nothing in one reconcile pass:
choice (made at admission, so stored with the user's create) → LogicalCluster (Ready at once without
initializers) → binding and phase in one Workspace write, reads from the watch cache only. The watch
events of its own writes do not queue the workspace again; someone else's change does. With initializers
the workspace waits in Initializing.

These are the steps of a workspace not stored with its LogicalCluster at creation (`together=False`: as one
placed on another shard, or whose cluster name was taken); test_workspace_at_creation.py has the creation in
one transaction."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS
from apimachinery.apis.tenancy_kcp_io import (
    CLUSTER_CHOICE_ANNOTATION,
    LOGICALCLUSTER_FINALIZER,
    SHARD_ANNOTATION,
    WORKSPACES,
)
from apimachinery.apis.tenancy_kcp_io import (
    UNREACHABLE_ANNOTATION as UNREACHABLE,
)
from shard.controllers.workspace.controller import WorkspaceController
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.keys import logical_cluster_key
from tests.unit.workspace_harness import (
    ADMIN,
    LC_PREFIX,
    ROOT,
    WORKSPACE_PREFIX,
    Object,
    assert_initializing,
    conditions_of,
    create_workspace,
    gated_type,
    get_workspace,
    started,
)


async def test_a_workspace_without_initializers_is_ready_after_one_pass_and_one_write() -> None:
    registry, storage, controller = await started(together=False)
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
    registry, storage, controller = await started(together=False)
    await create_workspace(registry, "w")
    storage.writes.clear()
    storage.freeze_cache()  # the watch cache never sees the writes of the pass
    assert await controller.reconcile("root/w") is False
    assert len(storage.under(WORKSPACE_PREFIX)) == 1
    assert storage.conflicts == []


async def test_the_choice_is_stored_with_the_create_when_admission_can_make_it() -> None:
    registry, storage, controller = await started(together=False)
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
    registry, _, controller = await started(together=False)
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
    registry, storage, controller = await started(together=False)
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
    registry, storage, controller = await started(together=False)
    await gated_type(registry)
    await create_workspace(registry, "w", "gated")
    storage.writes.clear()

    assert await controller.reconcile("root/w") is True
    cluster = await assert_initializing(registry, storage, "w")
    lc_key = logical_cluster_key(cluster)
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
