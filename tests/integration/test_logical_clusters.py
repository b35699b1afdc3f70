"""Logical clusters: admin-created clusters are isolated; an unknown cluster answers 403."""

from __future__ import annotations

from tests.integration.harness import Kplane, Kubectl, request_json

LOGICAL_CLUSTER = {"apiVersion": "core.kcp.io/v1alpha1", "kind": "LogicalCluster", "metadata": {"name": "cluster"}}


def _create_cluster(kplane: Kplane, name: str) -> None:
    status, body = request_json(
        kplane, "POST", f"/clusters/{name}/apis/core.kcp.io/v1alpha1/logicalclusters", LOGICAL_CLUSTER
    )
    assert status == 201, body


def test_two_clusters_keep_same_named_objects_apart(kplane: Kplane, kubectl: Kubectl) -> None:
    _create_cluster(kplane, "alpha")
    _create_cluster(kplane, "beta")
    alpha, beta = f"{kplane.base_url}/clusters/alpha", f"{kplane.base_url}/clusters/beta"
    assert {"default", "kube-system", "kube-public"} <= set(
        kubectl.ok("get", "ns", "-o", "name", server=alpha).replace("namespace/", "").split()
    )
    kubectl.ok("create", "ns", "shared", server=alpha)
    kubectl.ok("create", "ns", "shared", server=beta)
    kubectl.ok("-n", "shared", "create", "cm", "same", "--from-literal=owner=alpha", server=alpha)
    kubectl.ok("-n", "shared", "create", "cm", "same", "--from-literal=owner=beta", server=beta)
    kubectl.ok("create", "clusterrole", "viewer", "--verb=get", "--resource=configmaps", server=alpha)
    assert kubectl.ok("-n", "shared", "get", "cm", "same", "-o", "jsonpath={.data.owner}", server=alpha) == "alpha"
    assert kubectl.ok("-n", "shared", "get", "cm", "same", "-o", "jsonpath={.data.owner}", server=beta) == "beta"
    assert kubectl.run("get", "clusterrole", "viewer", server=beta).returncode == 1
    assert "shared" not in kubectl.ok("get", "ns", "-o", "name")
    everything_in_beta = kubectl.ok("get", "cm", "-A", "-o", "jsonpath={.items[*].data.owner}", server=beta)
    assert "alpha" not in everything_in_beta


def test_unknown_cluster_is_forbidden(kplane: Kplane, kubectl: Kubectl) -> None:
    status, body = request_json(kplane, "GET", "/clusters/nope/api/v1/namespaces")
    assert status == 403 and body["reason"] == "Forbidden"
    status, _ = request_json(kplane, "POST", "/clusters/nope/api/v1/namespaces", {"metadata": {"name": "x"}})
    assert status == 403
    result = kubectl.run("get", "ns", server=f"{kplane.base_url}/clusters/nope")
    assert result.returncode == 1 and "Forbidden" in result.stderr


def test_no_credentials_is_401(kplane: Kplane, kubectl: Kubectl) -> None:
    status, body = request_json(kplane, "GET", "/clusters/root/api/v1/namespaces", token="wrong")
    assert status == 401 and body["reason"] == "Unauthorized"
    result = kubectl.run("get", "ns", "--token=wrong")
    assert "error: You must be logged in to the server (Unauthorized)" in result.stderr


def test_discovery_and_openapi_documents(kplane: Kplane) -> None:
    status, index = request_json(kplane, "GET", "/clusters/root/openapi/v3")
    assert status == 200 and "api/v1" in index["paths"]
    url = index["paths"]["api/v1"]["serverRelativeURL"]
    status, document = request_json(kplane, "GET", "/clusters/root" + url)
    patch = document["paths"]["/api/v1/namespaces/{namespace}/configmaps/{name}"]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "", "version": "v1", "kind": "ConfigMap"}
    assert {"dryRun", "fieldManager", "fieldValidation", "force"} <= {p["name"] for p in patch["parameters"]}
    status, v2 = request_json(kplane, "GET", "/clusters/root/openapi/v2")
    assert status == 200 and v2["swagger"] == "2.0" and "io.k8s.api.core.v1.ConfigMap" in v2["definitions"]
