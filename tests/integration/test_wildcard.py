"""`/clusters/*/…` on a real shard: list and watch across logical clusters for the admin (system:masters),
with every object annotated with its `kcp.io/cluster`, Table output through kubectl, paging, and the
refusals: 403 for a token-file user, 405 (kcp's text) for any verb but list and watch."""

from __future__ import annotations

import urllib.parse
import urllib.request
from typing import Any

import pytest

from shard.auth.tokenfile import find_user, read_token_file
from tests.integration.harness import Kplane, Kubectl, WatchEvents, request_json
from tests.integration.test_workspaces import cluster_of, create_workspace, wait_ready

CONFIGMAPS = "/clusters/*/api/v1/configmaps"
IN_DEFAULT = "/clusters/*/api/v1/namespaces/default/configmaps"
SAME_NAME = "fieldSelector=" + urllib.parse.quote("metadata.name=wild-same")
WAIT_SECONDS = 30


class Watch(WatchEvents):
    def next_named(self, name: str) -> dict[str, Any]:
        return self.next(lambda event: event["object"]["metadata"].get("name") == name)

    def bookmark(self) -> dict[str, Any]:
        """The BOOKMARK that ends the stream when its timeout is up."""
        return self.next(lambda event: event["type"] == "BOOKMARK")


@pytest.fixture(scope="module")
def clusters(kplane: Kplane, kubectl: Kubectl) -> dict[str, str]:
    """Two workspaces in root, each with a ConfigMap `wild-same` in `default`: workspace name → logical cluster."""
    root = f"{kplane.base_url}/clusters/root"
    names = ("wild-a", "wild-b")
    for name in names:
        create_workspace(kubectl, root, name)
    found = {}
    for name in names:
        wait_ready(kubectl, root, name)
        found[name] = cluster_of(kubectl, root, name)
        kubectl.ok(
            "create", "configmap", "wild-same", "-n", "default", f"--from-literal=owner={name}", server=f"{root}:{name}"
        )
    return found


def _owners(items: list[dict[str, Any]]) -> dict[str, str]:
    """logical cluster → the `owner` value of the ConfigMap listed from it."""
    return {item["metadata"]["annotations"]["kcp.io/cluster"]: item["data"]["owner"] for item in items}


def test_list_spans_logical_clusters(kplane: Kplane, clusters: dict[str, str]) -> None:
    expected = {cluster: name for name, cluster in clusters.items()}
    for path in (f"{CONFIGMAPS}?{SAME_NAME}", f"{IN_DEFAULT}?{SAME_NAME}"):
        status, body = request_json(kplane, "GET", path)
        assert status == 200 and body["kind"] == "ConfigMapList"
        assert _owners(body["items"]) == expected

    status, body = request_json(kplane, "GET", "/clusters/*/api/v1/namespaces")
    assert status == 200
    assert all(item["metadata"]["annotations"]["kcp.io/cluster"] for item in body["items"])
    assert {item["metadata"]["annotations"]["kcp.io/cluster"] for item in body["items"]} >= {"root", *clusters.values()}

    status, body = request_json(kplane, "GET", "/clusters/*/apis/tenancy.kcp.io/v1alpha1/workspaces")
    assert status == 200
    listed = {item["metadata"]["name"]: item["spec"]["cluster"] for item in body["items"]}
    assert {name: listed[name] for name in clusters} == clusters
    status, body = request_json(kplane, "GET", "/clusters/*/apis/core.kcp.io/v1alpha1/logicalclusters")
    assert {item["metadata"]["annotations"]["kcp.io/cluster"] for item in body["items"]} >= set(clusters.values())


def test_list_pages_across_clusters(kplane: Kplane, clusters: dict[str, str]) -> None:
    seen: list[dict[str, Any]] = []
    token = ""
    for _ in range(4):  # a filtered listing may end with an empty page
        query = f"{SAME_NAME}&limit=1" + (f"&continue={urllib.parse.quote(token)}" if token else "")
        status, body = request_json(kplane, "GET", f"{IN_DEFAULT}?{query}")
        assert status == 200 and len(body["items"]) <= 1
        seen += body["items"]
        token = body["metadata"].get("continue", "")
        if not token:
            break
    assert not token and len(seen) == 2
    assert _owners(seen) == {cluster: name for name, cluster in clusters.items()}
    status, body = request_json(kplane, "GET", f"{CONFIGMAPS}?limit=1&continue=not-a-token")
    assert status == 400


def test_watch_from_the_lists_resource_version(kplane: Kplane, kubectl: Kubectl, clusters: dict[str, str]) -> None:
    status, body = request_json(kplane, "GET", f"{CONFIGMAPS}?{SAME_NAME}")
    options = f"resourceVersion={body['metadata']['resourceVersion']}&allowWatchBookmarks=true&timeoutSeconds=6"
    watch = Watch(kplane, f"{CONFIGMAPS}?watch=true&{options}")
    in_namespace = Watch(kplane, f"/clusters/*/api/v1/watch/namespaces/default/configmaps?{options}")
    root = f"{kplane.base_url}/clusters/root"
    kubectl.ok("create", "configmap", "later", "-n", "default", server=f"{root}:wild-b")
    kubectl.ok("create", "configmap", "elsewhere", "-n", "kube-system", server=f"{root}:wild-a")
    kubectl.ok("create", "configmap", "closing", "-n", "default", server=f"{root}:wild-a")
    for stream in (watch, in_namespace):
        event = stream.next_named("later")
        assert event["type"] == "ADDED"
        assert event["object"]["metadata"]["annotations"]["kcp.io/cluster"] == clusters["wild-b"]
    assert watch.next_named("elsewhere")["object"]["metadata"]["annotations"]["kcp.io/cluster"] == clusters["wild-a"]
    passed = []
    while (event := in_namespace.events.get(timeout=WAIT_SECONDS))["object"]["metadata"]["name"] != "closing":
        passed.append(event["object"]["metadata"]["name"])
    assert "elsewhere" not in passed  # another namespace
    bookmark = watch.bookmark()["object"]
    assert bookmark["kind"] == "ConfigMap" and int(bookmark["metadata"]["resourceVersion"]) > int(
        body["metadata"]["resourceVersion"]
    )


def test_table_through_kubectl(kplane: Kplane, kubectl: Kubectl, clusters: dict[str, str]) -> None:
    server = f"{kplane.base_url}/clusters/*"
    table = kubectl.ok("get", "configmaps", "-A", "--field-selector", "metadata.name=wild-same", server=server)
    header, *rows = table.splitlines()
    assert header.split() == ["NAMESPACE", "NAME", "DATA", "AGE"]
    assert [row.split()[:3] for row in rows] == [["default", "wild-same", "1"], ["default", "wild-same", "1"]]
    names = kubectl.ok("get", "workspaces", "-o", "name", server=server).split()
    assert {"workspace.tenancy.kcp.io/wild-a", "workspace.tenancy.kcp.io/wild-b"} <= set(names)


def test_refusals(kplane: Kplane, clusters: dict[str, str]) -> None:
    record = find_user(read_token_file(kplane.root_dir / "tokens.csv"), "tenant")
    assert record is not None
    status, body = request_json(kplane, "GET", CONFIGMAPS, token=record.token)
    assert (status, body["reason"]) == (403, "Forbidden")
    assert body["message"] == (
        'configmaps is forbidden: User "tenant" cannot list resource "configmaps" in API group "" at the cluster scope'
    )
    status, body = request_json(kplane, "GET", f"{IN_DEFAULT}?watch=true", token=record.token)
    assert status == 403
    assert body["message"].endswith('cannot watch resource "configmaps" in API group "" in the namespace "default"')

    created = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "nope"}}
    status, body = request_json(kplane, "POST", IN_DEFAULT, created)
    assert (status, body["reason"]) == (405, "MethodNotAllowed")
    assert body["message"] == 'create is not supported on resources of kind "configmaps" in the `*` logical cluster'
    status, body = request_json(kplane, "DELETE", f"{IN_DEFAULT}/wild-same")
    assert status == 405
    assert body["message"] == 'delete is not supported on resources of kind "configmaps" in the `*` logical cluster'
    assert request_json(kplane, "GET", f"{IN_DEFAULT}/wild-same")[0] == 405
    assert request_json(kplane, "GET", "/clusters/*/apis/example.com/v1/widgets")[0] == 404
