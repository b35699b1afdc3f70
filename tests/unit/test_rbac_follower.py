"""The RBAC follower keeps the index equal to storage (list, watch, relist after an error), and
`fresh_index` reads one cluster's RBAC objects consistently."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import pytest

from shard.auth.rbac import follower as follower_module
from shard.auth.rbac.follower import RBACFollower, cluster_prefixes, fresh_index
from shard.auth.rbac.index import RBAC_PREFIX, RBACIndex
from shard.registry.context import UserInfo
from tests.unit.memory_storage import MemoryStorage
from tests.unit.rbac_objects import cluster_role, cluster_role_binding, role, role_binding, rule, user

JANE = UserInfo("jane")
CM_GET = rule(["get"], [""], ["configmaps"])


async def eventually(check: Callable[[], bool]) -> None:
    for _ in range(200):
        if check():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition never held")


@contextlib.asynccontextmanager
async def following(storage: MemoryStorage, index: RBACIndex) -> AsyncIterator[RBACFollower]:
    rbac_follower = RBACFollower(storage=storage, index=index)
    task = asyncio.create_task(rbac_follower.run())
    try:
        yield rbac_follower
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def put(storage: MemoryStorage, entry: tuple[str, dict[str, object]]) -> None:
    await storage.create(*entry)


async def test_the_index_follows_creates_updates_and_deletes() -> None:
    storage, index = MemoryStorage(), RBACIndex()
    await put(storage, cluster_role("c1", "cm", [CM_GET]))
    binding_key, binding = cluster_role_binding("c1", "jane", "cm", [user("jane")])
    async with following(storage, index) as rbac_follower:
        await asyncio.wait_for(rbac_follower.synced.wait(), 1)
        assert index.role_rules("c1", "ClusterRole", "", "cm") == [CM_GET]
        await storage.create(binding_key, binding)
        await eventually(lambda: index.rules_for(JANE, "c1", "") == [CM_GET])

        async def widen(obj: dict[str, object]) -> dict[str, object]:
            obj["rules"] = [rule(["*"], [""], ["configmaps"])]
            return obj

        await storage.guaranteed_update(f"{RBAC_PREFIX}clusterroles/c1/cm", widen)
        await eventually(lambda: index.rules_for(JANE, "c1", "") == [rule(["*"], [""], ["configmaps"])])
        await storage.delete(binding_key)
        await eventually(lambda: index.rules_for(JANE, "c1", "") == [])


async def test_a_lost_watch_relists_and_drops_what_vanished_meanwhile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(follower_module, "RETRY_SECONDS", 0.01)
    storage, index = MemoryStorage(), RBACIndex()
    key, binding = cluster_role_binding("c1", "jane", "cm", [user("jane")])
    await put(storage, cluster_role("c1", "cm", [CM_GET]))
    await storage.create(key, binding)
    async with following(storage, index) as rbac_follower:
        await asyncio.wait_for(rbac_follower.synced.wait(), 1)
        assert index.rules_for(JANE, "c1", "") == [CM_GET]
        storage.fail_watches()
        del storage.objects[key]  # gone while nobody watched: only a relist can tell
        await eventually(lambda: index.rules_for(JANE, "c1", "") == [] and storage.lists.count(RBAC_PREFIX) == 2)


async def test_fresh_index_reads_the_four_collections_of_one_cluster() -> None:
    storage, index = MemoryStorage(), RBACIndex()
    for entry in (
        role("c1", "ns", "r", [CM_GET]),
        role_binding("c1", "ns", "rb", "Role", "r", [user("jane")]),
        cluster_role("c1", "cm", [CM_GET]),
        cluster_role_binding("c1", "crb", "cm", [user("jane")]),
        cluster_role_binding("c2", "crb", "cm", [user("jane")]),
    ):
        await put(storage, entry)
    fresh = await fresh_index(storage, index, "c1")
    assert fresh.rules_for(JANE, "c1", "ns") == [CM_GET, CM_GET]
    assert fresh.rules_for(JANE, "c2", "") == [] and index.rules_for(JANE, "c1", "ns") == []
    assert sorted(storage.lists) == sorted(cluster_prefixes("c1"))


def test_cluster_prefixes() -> None:
    assert cluster_prefixes("root") == [
        f"{RBAC_PREFIX}roles/root/",
        f"{RBAC_PREFIX}rolebindings/root/",
        f"{RBAC_PREFIX}clusterroles/root/",
        f"{RBAC_PREFIX}clusterrolebindings/root/",
    ]
