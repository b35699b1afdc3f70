"""LogicalClusters on another shard (RemoteClusters over a fake transport), the routing writer, and the
purge a deleting LogicalCluster gets on the shard that holds it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from apimachinery.apis.catalog import builtin_catalog
from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS
from apimachinery.apis.core_v1 import CONFIGMAPS
from shard.controllers.logicalclusterdeletion.controller import LogicalClusterDeletionController
from shard.controllers.logicalclusterdeletion.purge import DELETION_FINALIZER
from shard.controllers.workspace.remote import RemoteClusters, RoutingClusterWriter
from shard.controllers.workspace.seam import ClusterNameTaken, LocalClusters
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.options import DeleteRequest
from shard.registry.registry import Registry
from shard.topology.https import ConnectFailed, Response, ShardHttp, ShardUnreachable
from shard.topology.resilience import Backoff
from tests.unit.memory_storage import MemoryStorage

Object = dict[str, Any]
ADMIN = UserInfo("admin", ("system:masters",))
LC_URL = "https://s1:6443/clusters/abc/apis/core.kcp.io/v1alpha1/logicalclusters"
OWNER = {"resource": "workspaces", "name": "w", "cluster": "root", "uid": "u1"}
DENIED = Response(403, {"reason": "Forbidden", "message": "workspace access not permitted"})


@dataclass
class Shard1:
    answers: dict[tuple[str, str], list[Response]]
    sent: list[tuple[str, str]] = field(default_factory=list)

    async def send(self, method: str, url: str, body: Object | None) -> Response:
        self.sent.append((method, url))
        queue = self.answers.get((method, url))
        if not queue:
            raise ConnectFailed("connection refused")
        return queue.pop(0) if len(queue) > 1 else queue[0]

    async def close(self) -> None:
        return None


def remote(answers: dict[tuple[str, str], list[Response]]) -> tuple[RemoteClusters, Shard1]:
    fake = Shard1(answers)

    async def no_sleep(_: float) -> None:
        return None

    async def base_url_of(shard_name: str) -> str | None:
        return "https://s1:6443/" if shard_name == "shard-1" else None

    return RemoteClusters(ShardHttp(fake, Backoff(attempts=3), sleep=no_sleep), base_url_of), fake


def logical_cluster(owner: Object) -> Object:
    return {"metadata": {"name": "cluster"}, "spec": {"owner": owner}}


async def test_ensure_creates_and_is_idempotent_for_the_same_owner() -> None:
    clusters, _ = remote({("POST", LC_URL): [Response(201, logical_cluster(OWNER))]})
    assert (await clusters.ensure("shard-1", "abc", logical_cluster(OWNER)))["spec"]["owner"] == OWNER
    clusters, _ = remote(
        {
            ("POST", LC_URL): [Response(409, {"reason": "AlreadyExists"})],
            ("GET", f"{LC_URL}/cluster"): [Response(200, logical_cluster(OWNER))],
        }
    )
    assert (await clusters.ensure("shard-1", "abc", logical_cluster(OWNER)))["spec"]["owner"] == OWNER


async def test_ensure_with_another_owner_is_cluster_name_taken() -> None:
    clusters, _ = remote(
        {
            ("POST", LC_URL): [Response(409, {"reason": "AlreadyExists"})],
            ("GET", f"{LC_URL}/cluster"): [Response(200, logical_cluster({**OWNER, "uid": "other"}))],
        }
    )
    with pytest.raises(ClusterNameTaken):
        await clusters.ensure("shard-1", "abc", logical_cluster(OWNER))


async def test_unreachable_shard_and_unknown_shard() -> None:
    clusters, fake = remote({})
    with pytest.raises(ShardUnreachable, match="connection refused"):
        await clusters.ensure("shard-1", "abc", logical_cluster(OWNER))
    assert len(fake.sent) == 3
    assert not clusters.available("shard-1")
    with pytest.raises(ShardUnreachable, match="no Shard object"):
        await clusters.get("shard-9", "abc")


async def test_get_reads_absent_as_none_and_delete_waits_for_absence() -> None:
    clusters, _ = remote({("GET", f"{LC_URL}/cluster"): [DENIED]})
    assert await clusters.get("shard-1", "abc") is None
    deleting = {**logical_cluster(OWNER), "metadata": {"name": "cluster", "deletionTimestamp": "t"}}
    clusters, _ = remote(
        {
            ("DELETE", f"{LC_URL}/cluster"): [Response(200, deleting)],
            ("GET", f"{LC_URL}/cluster"): [Response(200, deleting), Response(404, {})],
        }
    )
    assert not await clusters.delete("shard-1", "abc")
    assert await clusters.delete("shard-1", "abc")


async def test_update_status_merges_and_retries_a_conflict() -> None:
    clusters, fake = remote(
        {
            ("GET", f"{LC_URL}/cluster"): [
                Response(200, {**logical_cluster(OWNER), "status": {"phase": "Initializing"}})
            ],
            ("PUT", f"{LC_URL}/cluster/status"): [Response(409, {"reason": "Conflict"}), Response(200, {})],
        }
    )
    await clusters.update_status("shard-1", "abc", {"phase": "Ready"})
    assert fake.sent.count(("PUT", f"{LC_URL}/cluster/status")) == 2


@dataclass
class Recorder:
    label: str
    calls: list[str] = field(default_factory=list)

    async def ensure(self, shard_name: str, cluster_name: str, logical_cluster: Object) -> Object:
        self.calls.append(f"{self.label}:{shard_name}")
        return logical_cluster

    async def get(self, shard_name: str, cluster_name: str) -> Object | None:
        return None

    async def update_status(self, shard_name: str, cluster_name: str, status: Object) -> None:
        return None

    async def delete(self, shard_name: str, cluster_name: str) -> bool:
        return True

    def available(self, shard_name: str) -> bool:
        return self.label == "local"

    def on_this_shard(self, shard_name: str) -> None:
        return None


async def test_routing_writer_picks_by_shard_name() -> None:
    local, far = Recorder("local"), Recorder("remote")
    writer = RoutingClusterWriter("root", local, far)
    for shard_name in ("root", "", "shard-1"):
        await writer.ensure(shard_name, "abc", {})
    assert local.calls == ["local:root", "local:"] and far.calls == ["remote:shard-1"]
    assert writer.available("root") and not writer.available("shard-1")


async def holding_shard() -> tuple[Registry, RequestContext]:
    registry = Registry(builtin_catalog(), MemoryStorage())
    ctx = RequestContext("abc", ADMIN)
    lc = {"metadata": {"name": "cluster", "finalizers": [DELETION_FINALIZER]}, "spec": {"owner": OWNER}}
    await registry.store_of(LOGICALCLUSTERS).create(ctx, lc, WriteOptions())
    in_default = RequestContext("abc", ADMIN, "default")
    await registry.store_of(CONFIGMAPS).create(in_default, {"metadata": {"name": "data"}}, WriteOptions())
    return registry, ctx


def keys_of(registry: Registry, cluster_name: str) -> list[str]:
    storage: MemoryStorage = registry.storage  # type: ignore[assignment]
    return [key for key in storage.objects if f"/{cluster_name}/" in key]


async def test_local_delete_purges_the_whole_logical_cluster() -> None:
    registry, _ = await holding_shard()
    assert keys_of(registry, "abc")
    assert await LocalClusters(registry).delete("root", "abc")
    assert keys_of(registry, "abc") == []


async def test_deletion_controller_purges_a_logical_cluster_deleted_from_elsewhere() -> None:
    registry, ctx = await holding_shard()
    await registry.store_of(LOGICALCLUSTERS).delete(ctx, "cluster", DeleteRequest())  # what a remote DELETE does
    assert keys_of(registry, "abc")  # held by the finalizer until purged
    controller = LogicalClusterDeletionController(registry)
    assert not await controller.reconcile("abc")
    assert keys_of(registry, "abc") == []
