"""Next-shard fallback: the rendezvous order with unreachable shards skipped, the annotations and
conditions it leaves, and the whole scheduling flow with a writer whose chosen shard is unreachable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apimachinery.apis.catalog import builtin_catalog
from apimachinery.apis.tenancy_kcp_io import CLUSTER_CHOICE_ANNOTATION, SHARD_ANNOTATION, WORKSPACES
from shard.controllers.workspace import fallback
from shard.controllers.workspace.controller import WorkspaceController
from shard.controllers.workspace.placement import rank_shards
from shard.controllers.workspace.seam import LocalClusters
from shard.registry.bootstrap import bootstrap_root
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.registry import Registry
from shard.topology.https import ShardUnreachable
from tests.unit.memory_storage import MemoryStorage

Object = dict[str, Any]
ADMIN = UserInfo("admin", ("system:masters",))


def shard(name: str, labels: dict[str, str] | None = None) -> Object:
    return {"metadata": {"name": name, "labels": {"name": name, **(labels or {})}}, "status": {}}


SHARDS = [shard("root"), shard("shard-1"), shard("shard-2")]


def names(shards: list[Object]) -> list[str]:
    return [s["metadata"]["name"] for s in shards]


def key_preferring(first: str) -> str:
    return next(f"root/ws-{i}" for i in range(1000) if names(rank_shards(SHARDS, f"root/ws-{i}", None))[0] == first)


def test_choice_is_the_next_shard_in_rendezvous_order() -> None:
    key = key_preferring("shard-1")
    order = names(rank_shards(SHARDS, key, None))
    choice = fallback.choose(SHARDS, key, None, unreachable=["shard-1"], available=lambda _: True)
    assert choice.shard is not None and choice.shard["metadata"]["name"] == order[1]
    assert choice.passed_over == ()


def test_shards_behind_an_open_breaker_are_passed_over_and_reported() -> None:
    key = key_preferring("shard-1")
    order = names(rank_shards(SHARDS, key, None))
    choice = fallback.choose(SHARDS, key, None, unreachable=[], available=lambda name: name != "shard-1")
    assert choice.shard is not None and choice.shard["metadata"]["name"] == order[1]
    assert choice.passed_over == ("shard-1",)


def test_when_every_candidate_was_unreachable_they_are_tried_again() -> None:
    selector = {"matchLabels": {"name": "shard-1"}}
    choice = fallback.choose(SHARDS, "root/x", selector, unreachable=["shard-1"], available=lambda _: True)
    assert choice.shard is not None and choice.shard["metadata"]["name"] == "shard-1"


def test_no_available_shard_is_no_choice() -> None:
    selector = {"matchLabels": {"name": "shard-1"}}
    choice = fallback.choose(SHARDS, "root/x", selector, unreachable=[], available=lambda name: name != "shard-1")
    assert choice.shard is None


def test_forget_shard_drops_the_choice_and_lists_the_shard_once() -> None:
    workspace: Object = {"metadata": {"annotations": {SHARD_ANNOTATION: "a", CLUSTER_CHOICE_ANNOTATION: "x"}}}
    fallback.forget_shard(workspace, "a")
    fallback.forget_shard(workspace, "a")
    fallback.remember_unreachable(workspace, ["b", "a"])
    assert workspace["metadata"]["annotations"] == {fallback.UNREACHABLE_ANNOTATION: "a,b"}
    assert fallback.unreachable_shards(workspace) == ["a", "b"]


def test_conditions_name_the_unreachable_shards() -> None:
    status: Object = {}
    fallback.mark_unreachable(status, "shard-1", "connection refused")
    [condition] = status["conditions"]
    assert (condition["status"], condition["reason"]) == ("False", "Unschedulable")
    assert condition["message"] == (
        'chosen shard "shard-1" is unreachable: connection refused; scheduling on the next shard'
    )
    workspace = {"metadata": {"annotations": {SHARD_ANNOTATION: "root", fallback.UNREACHABLE_ANNOTATION: "shard-1"}}}
    fallback.mark_scheduled(status, workspace)
    [condition] = status["conditions"]
    assert condition["status"] == "True" and "reason" not in condition
    assert condition["message"] == 'scheduled on shard "root": shard(s) "shard-1" unreachable'


@dataclass
class UnreachableShard1:
    """LocalClusters for every shard but `shard-1`, which never answers."""

    local: LocalClusters
    calls: list[str] = field(default_factory=list)

    async def ensure(self, shard_name: str, cluster_name: str, logical_cluster: Object) -> Object:
        self.calls.append(shard_name)
        if shard_name == "shard-1":
            raise ShardUnreachable("shard-1", "connection refused")
        return await self.local.ensure(shard_name, cluster_name, logical_cluster)

    async def get(self, shard_name: str, cluster_name: str) -> Object | None:
        return await self.local.get(shard_name, cluster_name)

    async def update_status(self, shard_name: str, cluster_name: str, status: Object) -> None:
        await self.local.update_status(shard_name, cluster_name, status)

    async def delete(self, shard_name: str, cluster_name: str) -> bool:
        return await self.local.delete(shard_name, cluster_name)

    def available(self, shard_name: str) -> bool:
        return shard_name not in self.calls  # after one failed attempt its breaker would be open

    def on_this_shard(self, shard_name: str) -> None:
        return None  # every LogicalCluster goes through ensure


async def test_unreachable_shard_sends_the_workspace_to_the_next_one() -> None:
    registry = Registry(builtin_catalog(), MemoryStorage())
    await bootstrap_root(registry, user=ADMIN)
    writer = UnreachableShard1(LocalClusters(registry))

    async def shard_list() -> list[Object]:
        return SHARDS

    controller = WorkspaceController(registry, writer, shard_list)
    name = key_preferring("shard-1").partition("/")[2]
    expected = names(rank_shards(SHARDS, f"root/{name}", None))[1]
    store = registry.store_of(WORKSPACES)
    await store.create(RequestContext("root", ADMIN), {"metadata": {"name": name}}, WriteOptions())
    seen_false = False
    for _ in range(8):
        await controller.reconcile(f"root/{name}")
        workspace = await store.get(RequestContext("root", ADMIN), name)
        conditions = {c["type"]: c for c in (workspace.get("status") or {}).get("conditions") or []}
        seen_false = seen_false or conditions.get("WorkspaceScheduled", {}).get("status") == "False"
    assert writer.calls == ["shard-1", expected]
    assert seen_false
    annotations = workspace["metadata"]["annotations"]
    assert annotations[SHARD_ANNOTATION] == expected
    assert annotations[fallback.UNREACHABLE_ANNOTATION] == "shard-1"
    assert workspace["status"]["phase"] == "Ready"
    assert conditions["WorkspaceScheduled"]["status"] == "True"
    message = f'scheduled on shard "{expected}": shard(s) "shard-1" unreachable'
    assert conditions["WorkspaceScheduled"]["message"] == message
