"""A named Workspace placed at admission on this shard is stored with its LogicalCluster and that cluster's
content in one transaction, bound and Ready (or Initializing), with managedFields as the controller's
steps would have written them (at_creation.py). Whatever keeps that from working stores the Workspace
alone, and the controller's steps finish it."""

from __future__ import annotations

import asyncio
import itertools
import re

import pytest

from apimachinery import errors
from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS
from apimachinery.apis.tenancy_kcp_io import (
    CLUSTER_CHOICE_ANNOTATION,
    LOGICALCLUSTER_FINALIZER,
    SHARD_ANNOTATION,
    WORKSPACES,
)
from shard.controllers.workspace import reconcile_scheduling
from shard.controllers.workspace.controller import WorkspaceController
from shard.controllers.workspace.remote import RoutingClusterWriter
from shard.controllers.workspace.seam import LocalClusters
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.keys import logical_cluster_key
from tests.unit.test_workspace_reconcile_chain import eventually, running, settle
from tests.unit.test_workspace_remote import Recorder
from tests.unit.workspace_harness import (
    ADMIN,
    LC_PREFIX,
    ROOT,
    SHARD,
    WORKSPACE_PREFIX,
    Object,
    assert_initializing,
    conditions_of,
    create_workspace,
    gated_type,
    get_workspace,
    started,
)

NAMESPACE_PREFIX = "/registry/core/namespaces/"


def fixed_cluster_names(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """The next cluster names admission chooses: `names`, then fresh ones."""
    chosen = itertools.chain(names, (f"fresh{i:011d}" for i in itertools.count()))
    monkeypatch.setattr(reconcile_scheduling, "random_cluster_name", lambda: next(chosen))


async def test_the_workspace_its_logical_cluster_and_content_are_one_write_and_ready_at_once() -> None:
    registry, storage, controller = await started()
    storage.writes.clear()
    kubectl = RequestContext("root", ADMIN, user_agent="kubectl/v1.31.0 (linux/amd64) kubernetes/abc")
    created = await registry.store_of(WORKSPACES).create(
        kubectl, {"metadata": {"name": "w"}, "spec": {"type": {"name": "universal", "path": "root"}}}, WriteOptions()
    )
    # the create's answer is the workspace as stored: bound and Ready
    assert created["status"]["phase"] == "Ready"
    assert created["metadata"]["labels"]["tenancy.kcp.io/phase"] == "Ready"
    assert conditions_of(created) == {"WorkspaceScheduled": "True", "WorkspaceInitialized": "True"}
    cluster = created["metadata"]["annotations"][CLUSTER_CHOICE_ANNOTATION]
    assert created["metadata"]["annotations"][SHARD_ANNOTATION] == "root"
    assert created["metadata"]["finalizers"] == [LOGICALCLUSTER_FINALIZER]
    assert created["spec"]["cluster"] == cluster
    assert re.fullmatch("[0-9a-z]{16}", cluster)  # kcp's random 16-character base36 name
    assert created["spec"]["URL"] == "https://kplane/clusters/root:w"

    workspace_key, lc_key = f"{WORKSPACE_PREFIX}w", logical_cluster_key(cluster)
    written = [key for _, key in storage.writes]
    assert storage.writes == [("create", key) for key in written]  # creates only
    assert written[:2] == [workspace_key, lc_key]
    revisions = {(await storage.get(key))["metadata"]["resourceVersion"] for key in written}
    assert len(revisions) == 1  # one transaction: one revision
    assert (await storage.get(lc_key))["status"] == {"phase": "Ready", "initializers": []}
    namespaces = {key.rsplit("/", 1)[1] for key in written if key.startswith(f"{NAMESPACE_PREFIX}{cluster}/")}
    assert namespaces == {"default", "kube-system", "kube-public"}

    # managedFields: the user's create, the controller's binding and its status, as three writes would
    managers = {(e["manager"], e["operation"], e.get("subresource", "")) for e in created["metadata"]["managedFields"]}
    assert ("kubectl", "Update", "") in managers
    assert {(op, sub) for manager, op, sub in managers if manager != "kubectl"} == {
        ("Update", ""),
        ("Update", "status"),
    }

    storage.writes.clear()
    assert await controller.reconcile("root/w") is False  # nothing is left to do
    assert storage.writes == []


async def test_its_watch_event_does_not_wake_the_controller() -> None:
    registry, _, controller = await started()
    async with running(controller) as passes:
        await create_workspace(registry, "w")
        await settle()
        assert passes == []
        assert len(controller.workspaces.own) == 0  # the echo came back: nothing left remembered


async def test_with_initializers_it_is_stored_initializing_and_the_controller_finishes_it() -> None:
    registry, storage, controller = await started()
    await gated_type(registry)
    async with running(controller) as passes:
        await create_workspace(registry, "w", "gated")
        cluster = await assert_initializing(registry, storage, "w")
        lc_key = logical_cluster_key(cluster)
        await eventually(lambda: _true_if(passes == ["root/w"]))  # it waits on someone: the controller looks

        async def initialized(current: Object) -> Object:
            current["status"]["initializers"] = []
            return current

        ctx = RequestContext(cluster, ADMIN)
        await registry.store_of(LOGICALCLUSTERS).update(
            ctx, "cluster", initialized, WriteOptions(), subresource="status"
        )
        assert await controller.reconcile("root/w") is False
    workspace = await get_workspace(registry, "w")
    assert workspace["status"]["phase"] == "Ready"
    assert (await storage.get(lc_key))["status"]["phase"] == "Ready"


async def test_a_taken_cluster_name_stores_the_workspace_alone_and_the_controller_picks_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry, storage, controller = await started()
    fixed_cluster_names(monkeypatch, "taken00000000000")
    someone_else = {"kind": "Workspace", "name": "other", "cluster": "root", "uid": "x"}
    other = {"metadata": {"name": "cluster"}, "spec": {"owner": someone_else}}
    ctx = RequestContext("taken00000000000", ADMIN)
    await registry.store_of(LOGICALCLUSTERS).create(ctx, other, WriteOptions())
    before = dict(storage.objects)

    created = await registry.store_of(WORKSPACES).create(
        ROOT, {"metadata": {"name": "w"}, "spec": {"type": {"name": "universal", "path": "root"}}}, WriteOptions()
    )
    assert created["status"]["phase"] == "Scheduling"
    assert [key for key in storage.objects if before.get(key) != storage.objects[key]] == [f"{WORKSPACE_PREFIX}w"]
    assert (await storage.get(logical_cluster_key("taken00000000000")))["spec"]["owner"] == someone_else

    while await controller.reconcile("root/w"):
        pass
    workspace = await get_workspace(registry, "w")
    assert workspace["status"]["phase"] == "Ready"
    assert workspace["spec"]["cluster"] == "fresh00000000000"


async def test_content_left_under_the_cluster_name_is_written_around_by_the_controller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry, storage, controller = await started()
    fixed_cluster_names(monkeypatch, "leftover00000000")
    left = {"metadata": {"name": "default", "labels": {"left": "behind"}}}
    await storage.create(f"{NAMESPACE_PREFIX}leftover00000000/default", left)
    before = dict(storage.objects)

    created = await registry.store_of(WORKSPACES).create(
        ROOT, {"metadata": {"name": "w"}, "spec": {"type": {"name": "universal", "path": "root"}}}, WriteOptions()
    )
    assert created["status"]["phase"] == "Scheduling"
    assert [key for key in storage.objects if key not in before] == [f"{WORKSPACE_PREFIX}w"]
    assert await controller.reconcile("root/w") is False
    assert (await get_workspace(registry, "w"))["spec"]["cluster"] == "leftover00000000"
    assert (await storage.get(f"{NAMESPACE_PREFIX}leftover00000000/default"))["metadata"]["labels"] == {
        "left": "behind"
    }
    assert (await storage.get(logical_cluster_key("leftover00000000")))["status"]["phase"] == "Ready"


async def test_an_existing_workspace_name_is_already_exists_and_nothing_is_written() -> None:
    registry, storage, _ = await started()
    await create_workspace(registry, "w")
    storage.writes.clear()
    with pytest.raises(errors.StatusError) as raised:
        await create_workspace(registry, "w")
    assert (raised.value.code, raised.value.reason) == (409, "AlreadyExists")
    assert storage.writes == [("create", key) for _, key in storage.writes]
    assert [key for _, key in storage.writes if not key.startswith(WORKSPACE_PREFIX)] != []  # it tried together
    assert len({k for k in storage.objects if k.startswith(LC_PREFIX)}) == 2  # root's and the first w's


async def test_a_dry_run_writes_nothing() -> None:
    registry, storage, _ = await started()
    storage.writes.clear()
    workspace = {"metadata": {"name": "w"}, "spec": {"type": {"name": "universal", "path": "root"}}}
    answer = await registry.store_of(WORKSPACES).create(ROOT, workspace, WriteOptions(dry_run=True))
    assert answer["metadata"]["name"] == "w"
    assert storage.writes == []


async def test_a_workspace_placed_on_another_shard_is_stored_alone() -> None:
    registry, storage, controller = await started()
    other = {"metadata": {"name": "far", "labels": {"name": "far"}}, "spec": {"externalURL": "https://far"}}

    async def shard_list() -> list[Object]:
        return [SHARD, other]

    remote = Reachable("remote")
    placed = WorkspaceController(
        registry, RoutingClusterWriter("root", LocalClusters(registry), remote), shard_list=shard_list
    )
    registry.workspace_placement, registry.workspace_writer = placed.place, placed.write_new
    storage.writes.clear()
    workspace = {
        "metadata": {"name": "w"},
        "spec": {
            "type": {"name": "universal", "path": "root"},
            "location": {"selector": {"matchLabels": {"name": "far"}}},
        },
    }
    created = await registry.store_of(WORKSPACES).create(ROOT, workspace, WriteOptions())
    assert created["metadata"]["annotations"][SHARD_ANNOTATION] == "far"
    assert created["status"]["phase"] == "Scheduling"
    assert storage.writes == [("create", f"{WORKSPACE_PREFIX}w")]
    assert remote.calls == []  # the controller, not the create, reaches the other shard
    await placed.reconcile("root/w")
    assert remote.calls == ["remote:far"]


class Reachable(Recorder):
    def available(self, shard_name: str) -> bool:
        return True


async def _true_if(value: bool) -> bool:
    return value


async def test_many_at_once_each_get_their_own_cluster() -> None:
    registry, storage, _ = await started()
    await asyncio.gather(*(create_workspace(registry, f"w{i}") for i in range(20)))
    clusters = {(await get_workspace(registry, f"w{i}"))["spec"]["cluster"] for i in range(20)}
    assert len(clusters) == 20
    owners = {(await storage.get(logical_cluster_key(cluster)))["spec"]["owner"]["name"] for cluster in clusters}
    assert owners == {f"w{i}" for i in range(20)}
