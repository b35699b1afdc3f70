"""A LogicalCluster and its initial content (3 namespaces, their ServiceAccount and ConfigMap, the owner's
workspace-admin ClusterRoleBinding) reach etcd in one transaction: every key carries the same revision,
read directly from the etcd the shard runs on. Through an admin POST and through a Workspace."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.config import EtcdClientConfig
from shard.storage.etcd3.keys import prefix_range_end
from tests.integration.harness import Kplane, Kubectl, kubectl_binary, request_json
from tests.integration.own_etcd import EtcdInThread
from tests.integration.test_workspaces import cluster_of, create_workspace, wait_ready

NAMESPACES = ("default", "kube-system", "kube-public")
OWNER = {"username": "jane", "groups": ["system:authenticated"]}


def expected_keys(cluster: str, *, owned: bool) -> set[str]:
    return {
        f"/registry/core.kcp.io/logicalclusters/{cluster}/cluster",
        *(f"/registry/core/namespaces/{cluster}/{ns}" for ns in NAMESPACES),
        *(f"/registry/core/serviceaccounts/{cluster}/{ns}/default" for ns in NAMESPACES),
        *(f"/registry/core/configmaps/{cluster}/{ns}/kube-root-ca.crt" for ns in NAMESPACES),
        *([f"/registry/rbac.authorization.k8s.io/clusterrolebindings/{cluster}/workspace-admin"] if owned else []),
    }


def revisions(etcd: EtcdInThread, cluster: str) -> dict[str, tuple[int, int]]:
    """(create_revision, mod_revision) of every key of `cluster`."""

    async def read() -> dict[str, tuple[int, int]]:
        async with EtcdClient(EtcdClientConfig(endpoint=etcd.endpoint)) as etcd_client:
            start = b"/registry/"
            result = await etcd_client.range(start, range_end=prefix_range_end(start))
            return {
                kv.key.decode(): (kv.create_revision, kv.mod_revision)
                for kv in result.kvs
                if f"/{cluster}/".encode() in kv.key
            }

    return asyncio.run(read())


def post_logical_cluster(server: Kplane, cluster: str, *, owned: bool) -> tuple[int, Any]:
    annotations = {"experimental.tenancy.kcp.io/owner": orjson.dumps(OWNER).decode()} if owned else {}
    body = {
        "apiVersion": "core.kcp.io/v1alpha1",
        "kind": "LogicalCluster",
        "metadata": {"name": "cluster", "annotations": annotations},
    }
    return request_json(server, "POST", f"/clusters/{cluster}/apis/core.kcp.io/v1alpha1/logicalclusters", body)


@pytest.mark.parametrize(("cluster", "owned"), [("txnowned", True), ("txnplain", False)])
def test_an_admin_created_logical_cluster_is_one_etcd_revision(
    server: Kplane, etcd: EtcdInThread, cluster: str, owned: bool
) -> None:
    status, body = post_logical_cluster(server, cluster, owned=owned)
    assert status == 201, body
    stored = revisions(etcd, cluster)
    assert set(stored) == expected_keys(cluster, owned=owned)
    assert len({mod for _, mod in stored.values()}) == 1, stored
    assert {str(mod) for _, mod in stored.values()} == {body["metadata"]["resourceVersion"]}

    status, body = post_logical_cluster(server, cluster, owned=not owned)
    assert (status, body["reason"]) == (409, "AlreadyExists")
    assert revisions(etcd, cluster) == stored


def test_a_workspace_logical_cluster_is_created_in_one_etcd_revision(server: Kplane, etcd: EtcdInThread) -> None:
    ctl = Kubectl(kubectl_binary(), server.kubeconfig)
    root = f"{server.base_url}/clusters/root"
    create_workspace(ctl, root, "one-txn")
    wait_ready(ctl, root, "one-txn")
    cluster = cluster_of(ctl, root, "one-txn")
    stored = revisions(etcd, cluster)
    created = {key: stored[key][0] for key in expected_keys(cluster, owned=True)}
    assert len(set(created.values())) == 1, created


def test_a_new_workspace_is_stored_bound_and_ready_with_its_logical_cluster_in_one_etcd_revision(
    server: Kplane, etcd: EtcdInThread
) -> None:
    body = {
        "apiVersion": "tenancy.kcp.io/v1alpha1",
        "kind": "Workspace",
        "metadata": {"name": "together"},
        "spec": {"type": {"name": "universal", "path": "root"}},
    }
    status, created = request_json(server, "POST", "/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces", body)
    assert status == 201, created
    assert created["status"]["phase"] == "Ready"
    cluster = created["spec"]["cluster"]
    assert created["spec"]["URL"].endswith("/clusters/root:together")
    stored = revisions(etcd, cluster)
    assert set(stored) == expected_keys(cluster, owned=True)
    workspace_revisions = revisions(etcd, "root")["/registry/tenancy.kcp.io/workspaces/root/together"]
    # created and never written again, at the revision of the whole logical cluster
    assert {workspace_revisions, *stored.values()} == {(int(created["metadata"]["resourceVersion"]),) * 2}
