"""Two `kplane shard` processes on one PKI, each with its own etcd (read directly here): registration in
root, a workspace pinned to the second shard by `spec.location.selector` whose logical cluster lives only
in that shard's etcd, root's workspace types and `use` grants seen from the second shard, deletion across
shards, and placement on the next shard when the rendezvous choice is down."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shard.controllers.workspace.placement import rank_shards
from tests.integration.shard_harness import Api, ShardProcess, make_pki, start_shard
from tests.integration.test_workspaces import EtcdInThread

WAIT_SECONDS = 30
TENANT_TOKEN = "tenant-token-for-shards"
WORKSPACES = "/apis/tenancy.kcp.io/v1alpha1/workspaces"
SHARDS = "/clusters/root/apis/core.kcp.io/v1alpha1/shards"


@dataclass
class Installation:
    root: ShardProcess
    shard_1: ShardProcess
    root_etcd: EtcdInThread
    shard_1_etcd: EtcdInThread


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    base: Path = tmp_path_factory.mktemp("shards")
    pki = make_pki(base / "pki")
    tokens = base / "tokens.csv"
    tokens.write_text(f'{TENANT_TOKEN},tenant,tenant-uid,"tenants"\n')
    extra = ("--etcd-unsafe-no-fsync", "--token-auth-file", str(tokens))
    with EtcdInThread(base / "etcd-root") as root_etcd, EtcdInThread(base / "etcd-shard-1") as shard_1_etcd:
        root = start_shard(
            "root", root_dir=base / "shards/root", pki=pki, etcd_endpoint=root_etcd.endpoint, extra_args=extra
        )
        try:
            shard_1 = start_shard(
                "shard-1",
                root_dir=base / "shards/shard-1",
                pki=pki,
                etcd_endpoint=shard_1_etcd.endpoint,
                root_shard_url=root.api.base_url,
                extra_args=extra,
            )
            yield Installation(root, shard_1, root_etcd, shard_1_etcd)
            shard_1.stop()
        finally:
            root.stop()


def keys_of(etcd: EtcdInThread, cluster_name: str) -> list[str]:
    return [key for key in etcd.stored_keys() if f"/{cluster_name}/" in key]


def wait_for(api: Api, path: str, done: Any, what: str) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        status, body = api.call("GET", path)
        if done(status, body):
            return body
        time.sleep(0.2)
    raise AssertionError(f"{what}: last answer {status} {body}")


def wait_ready(api: Api, cluster_path: str, name: str) -> dict[str, Any]:
    path = f"/clusters/{cluster_path}{WORKSPACES}/{name}"
    ready: dict[str, Any] = wait_for(
        api, path, lambda s, b: s == 200 and (b.get("status") or {}).get("phase") == "Ready", f"{name} not Ready"
    )
    return ready


def workspace(name: str, spec: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "tenancy.kcp.io/v1alpha1",
        "kind": "Workspace",
        "metadata": {"name": name},
        "spec": spec or {},
    }


def test_both_shards_are_registered_in_root(installation: Installation) -> None:
    shards = {s["metadata"]["name"]: s for s in installation.root.api.ok("GET", SHARDS)["items"]}
    assert set(shards) == {"root", "shard-1"}
    shard_1 = shards["shard-1"]
    assert shard_1["spec"]["baseURL"] == installation.shard_1.api.base_url
    assert shard_1["spec"]["externalURL"] == installation.shard_1.api.base_url
    assert shard_1["metadata"]["labels"]["name"] == "shard-1"
    assert shard_1["status"]["capacity"]["workspaces"] == "10000"
    # root and its types are the root shard's alone
    assert keys_of(installation.shard_1_etcd, "root") == []
    assert installation.shard_1.api.call("GET", "/clusters/root/api/v1/namespaces")[0] == 403


def test_pinned_workspace_lives_on_shard_1_and_is_deleted_there(installation: Installation) -> None:
    root, shard_1 = installation.root.api, installation.shard_1.api
    root.ok(
        "POST",
        f"/clusters/root{WORKSPACES}",
        workspace("pinned", {"location": {"selector": {"matchLabels": {"name": "shard-1"}}}}),
    )
    pinned = wait_ready(root, "root", "pinned")
    cluster = pinned["spec"]["cluster"]
    assert pinned["metadata"]["annotations"]["core.kcp.io/shard"] == "shard-1"
    assert pinned["spec"]["URL"] == f"{shard_1.base_url}/clusters/root:pinned"
    logical_cluster = shard_1.ok("GET", f"/clusters/{cluster}/apis/core.kcp.io/v1alpha1/logicalclusters/cluster")
    assert logical_cluster["metadata"]["annotations"]["kcp.io/path"] == "root:pinned"
    configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "data"}, "data": {"k": "v"}}
    shard_1.ok("POST", f"/clusters/{cluster}/api/v1/namespaces/default/configmaps", configmap)
    assert shard_1.ok("GET", f"/clusters/{cluster}/api/v1/namespaces/default/configmaps/data")["data"] == {"k": "v"}
    assert root.call("GET", f"/clusters/{cluster}/api/v1/namespaces")[0] == 403
    assert keys_of(installation.root_etcd, cluster) == []
    assert f"/registry/core/configmaps/{cluster}/default/data" in keys_of(installation.shard_1_etcd, cluster)

    child = _child_workspace_through_root_grants(installation, cluster)

    root.ok("DELETE", f"/clusters/root{WORKSPACES}/pinned")
    wait_for(root, f"/clusters/root{WORKSPACES}/pinned", lambda s, b: s == 404, "pinned not deleted")
    for etcd in (installation.root_etcd, installation.shard_1_etcd):
        assert keys_of(etcd, cluster) == [] and keys_of(etcd, child) == []


def _child_workspace_through_root_grants(installation: Installation, cluster: str) -> str:
    """A tenant with rights in `cluster` (on shard-1) creates a child workspace there: its type and the
    `use` grant on it are root's, asked of the root shard. Returns the child's logical cluster."""
    root, shard_1 = installation.root.api, installation.shard_1.api
    grant = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "tenant-admin"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "tenant"}],
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
    }
    shard_1.ok("POST", f"/clusters/{cluster}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", grant)
    private = {"apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "WorkspaceType", "metadata": {"name": "private"}}
    root.ok("POST", "/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspacetypes", private)

    status, refused = shard_1.call(
        "POST",
        f"/clusters/{cluster}{WORKSPACES}",
        workspace("secret", {"type": {"name": "private", "path": "root"}}),
        TENANT_TOKEN,
    )
    assert status == 403, refused
    assert "unable to use cluster workspace type root:private: missing verb='use' permission" in refused["message"]

    shard_1.ok("POST", f"/clusters/{cluster}{WORKSPACES}", workspace("child"), TENANT_TOKEN)
    child = wait_ready(shard_1, cluster, "child")
    assert child["spec"]["type"] == {"name": "universal", "path": "root"}
    return str(child["spec"]["cluster"])


def test_workspace_goes_to_the_next_shard_when_its_choice_is_down(installation: Installation) -> None:
    root = installation.root.api
    shards = root.ok("GET", SHARDS)["items"]
    name = next(
        f"fallback-{i}"
        for i in range(1000)
        if rank_shards(shards, f"root/fallback-{i}", None)[0]["metadata"]["name"] == "shard-1"
    )
    installation.shard_1.stop()

    root.ok("POST", f"/clusters/root{WORKSPACES}", workspace(name))
    placed = wait_ready(root, "root", name)
    annotations = placed["metadata"]["annotations"]
    assert annotations["core.kcp.io/shard"] == "root"
    assert annotations["internal.tenancy.kcp.io/unreachable-shards"] == "shard-1"
    scheduled = next(c for c in placed["status"]["conditions"] if c["type"] == "WorkspaceScheduled")
    assert scheduled["status"] == "True"
    assert scheduled["message"] == 'scheduled on shard "root": shard(s) "shard-1" unreachable'
    root.ok(
        "POST",
        f"/clusters/{placed['spec']['cluster']}/api/v1/namespaces/default/configmaps",
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "here"}},
    )
