"""Workspaces with the real kubectl over HTTPS: a tree of logical clusters reachable by path, types and
their parent/child rules, isolation of siblings, 403 for unknown paths, and deletion that leaves no key
of the deleted logical clusters in etcd (read directly from the etcd this kplane runs on)."""

from __future__ import annotations

import time
from typing import Any

from tests.integration.harness import Kplane, Kubectl, WatchEvents, request_json
from tests.integration.own_etcd import EtcdInThread

READY_SECONDS = 30


def create_workspace(ctl: Kubectl, server: str, name: str, type_name: str = "") -> None:
    spec = f"\nspec:\n  type:\n    name: {type_name}" if type_name else ""
    manifest = f"apiVersion: tenancy.kcp.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: {name}{spec}\n"
    ctl.ok("create", "-f", "-", input=manifest, server=server)


def wait_ready(ctl: Kubectl, server: str, name: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        phase = ctl.ok("get", "workspace", name, "-o", "jsonpath={.status.phase}", server=server)
        if phase == "Ready":
            return
        time.sleep(0.2)
    raise AssertionError(f"workspace {name} did not become Ready")


def cluster_of(ctl: Kubectl, server: str, name: str) -> str:
    return ctl.ok("get", "workspace", name, "-o", "jsonpath={.spec.cluster}", server=server)


def test_tree_paths_types_isolation_and_deletion(server: Kplane, ctl: Kubectl, etcd: EtcdInThread) -> None:
    base = f"{server.base_url}/clusters"
    create_workspace(ctl, f"{base}/root", "org", "organization")
    wait_ready(ctl, f"{base}/root", "org")
    create_workspace(ctl, f"{base}/root:org", "team-a")
    create_workspace(ctl, f"{base}/root:org", "team-b", "team")
    wait_ready(ctl, f"{base}/root:org", "team-a")
    wait_ready(ctl, f"{base}/root:org", "team-b")

    table = ctl.ok("get", "workspaces", server=f"{base}/root")
    header, row = table.splitlines()[0].split(), table.splitlines()[1].split()
    assert header == ["NAME", "TYPE", "REGION", "PHASE", "URL", "AGE"]
    assert row[:4] == ["org", "organization", "Ready", f"{base}/root:org"]
    assert ctl.ok("get", "ws", "team-a", "-o", "jsonpath={.spec.type.name}", server=f"{base}/root:org") == "universal"

    team_a, team_b = f"{base}/root:org:team-a", f"{base}/root:org:team-b"
    ctl.ok("create", "cm", "x", "--from-literal=owner=a", server=team_a)
    ctl.ok("create", "cm", "x", "--from-literal=owner=b", server=team_b)
    assert ctl.ok("get", "cm", "x", "-o", "jsonpath={.data.owner}", server=team_a) == "a"
    assert ctl.ok("get", "cm", "x", "-o", "jsonpath={.data.owner}", server=team_b) == "b"
    by_name = f"{base}/{cluster_of(ctl, f'{base}/root:org', 'team-a')}"
    assert ctl.ok("get", "cm", "x", "-o", "jsonpath={.data.owner}", server=by_name) == "a"
    path = ctl.ok(
        "get", "logicalcluster", "cluster", "-o", "jsonpath={.metadata.annotations.kcp\\.io/path}", server=team_a
    )
    assert path == "root:org:team-a"
    assert {"default", "kube-system", "kube-public"} <= set(
        ctl.ok("get", "ns", "-o", "name", server=team_a).replace("namespace/", "").split()
    )

    status, body = request_json(server, "GET", "/clusters/root:org:nope/api/v1/namespaces")
    assert status == 403 and body["message"] == "workspace access not permitted"
    assert ctl.run("get", "cm", server=f"{base}/root:nope:team-a").returncode == 1

    refused = ctl.run("create", "-f", "-", server=f"{base}/root:org", input=NESTED_ORG)
    assert refused.returncode == 1
    assert "workspace type root:organization only allows [root:root] parent workspaces" in refused.stderr

    org_cluster = cluster_of(ctl, f"{base}/root", "org")
    doomed = {org_cluster, cluster_of(ctl, f"{base}/root:org", "team-a"), cluster_of(ctl, f"{base}/root:org", "team-b")}
    ctl.ok("create", "-f", "-", server=team_a, input=CRD)
    ctl.ok("wait", "--for=condition=Established", "crd/widgets.example.com", server=team_a)
    ctl.ok("create", "-f", "-", server=team_a, input=WIDGET)
    assert any(f"/{org_cluster}/" in key for key in etcd.stored_keys())

    ctl.ok("delete", "workspace", "org", "--timeout=60s", server=f"{base}/root")
    assert ctl.run("get", "workspace", "org", server=f"{base}/root").returncode == 1
    left = [key for key in etcd.stored_keys() if any(f"/{cluster}/" in key for cluster in doomed)]
    assert left == []
    assert ctl.run("get", "cm", server=team_a).returncode == 1

    create_workspace(ctl, f"{base}/root", "org", "organization")
    wait_ready(ctl, f"{base}/root", "org")
    assert cluster_of(ctl, f"{base}/root", "org") != org_cluster
    assert ctl.ok("get", "workspaces", "-o", "name", server=f"{base}/root:org") == ""


CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""

WIDGET = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: default\nspec: {size: 1}\n"

NESTED_ORG = """apiVersion: tenancy.kcp.io/v1alpha1
kind: Workspace
metadata:
  name: nested
spec:
  type:
    name: organization
"""


GATED_TYPE = """apiVersion: tenancy.kcp.io/v1alpha1
kind: WorkspaceType
metadata:
  name: gated
spec:
  initializer: true
"""


VW = "/services/initializingworkspaces/root:gated/clusters"
LOGICALCLUSTERS = "apis/core.kcp.io/v1alpha1/logicalclusters"


class WatchLines(WatchEvents):
    def next_for(self, cluster: str, skip: tuple[str, ...] = ()) -> dict[str, Any]:
        """The next event about `cluster` (by its `kcp.io/cluster` annotation), other types than `skip`."""

        def about(event: dict[str, Any]) -> bool:
            annotations = event["object"]["metadata"].get("annotations") or {}
            return bool(annotations.get("kcp.io/cluster") == cluster and event["type"] not in skip)

        return self.next(about)


def test_initializer_removes_itself_through_the_initializing_virtual_workspace(server: Kplane, ctl: Kubectl) -> None:
    base = f"{server.base_url}/clusters"
    ctl.ok("create", "-f", "-", input=GATED_TYPE, server=f"{base}/root")
    create_workspace(ctl, f"{base}/root", "gated-ws", "gated")
    deadline = time.monotonic() + READY_SECONDS
    while not cluster_of(ctl, f"{base}/root", "gated-ws") and time.monotonic() < deadline:
        time.sleep(0.2)
    cluster = cluster_of(ctl, f"{base}/root", "gated-ws")
    watch = WatchLines(server, f"{VW}/*/{LOGICALCLUSTERS}?watch=true&timeoutSeconds=60")
    assert watch.next_for(cluster)["type"] == "ADDED"

    status, listed = request_json(server, "GET", f"{VW}/*/{LOGICALCLUSTERS}")
    assert status == 200 and listed["kind"] == "LogicalClusterList"
    seen = {item["metadata"]["annotations"]["kcp.io/cluster"] for item in listed["items"]}
    assert cluster in seen and "root" not in seen
    assert all("root:gated" in item["status"]["initializers"] for item in listed["items"])
    by_kubectl = ctl.ok("get", "logicalclusters", "-o", "name", server=f"{server.base_url}{VW}/*")
    assert by_kubectl.split().count("logicalcluster.core.kcp.io/cluster") == len(listed["items"])
    time.sleep(1.5)
    assert ctl.ok("get", "ws", "gated-ws", "-o", "jsonpath={.status.phase}", server=f"{base}/root") == "Initializing"

    one = f"{VW}/{cluster}/{LOGICALCLUSTERS}/cluster"
    status, got = request_json(server, "GET", one)
    assert status == 200 and got["status"]["phase"] == "Initializing"
    assert request_json(server, "GET", f"{VW}/{cluster}/{LOGICALCLUSTERS}")[0] == 405
    assert request_json(server, "DELETE", one)[0] == 405
    assert request_json(server, "PUT", one, got)[0] == 405
    assert request_json(server, "GET", one, token="")[0] == 401

    # the initializer seeds the workspace through the virtual workspace, acting as the workspace's owner
    seeded = f"{VW}/{cluster}/api/v1/namespaces/default/configmaps"
    status, created = request_json(server, "POST", seeded, {"metadata": {"name": "seeded"}, "data": {"k": "v"}})
    assert status == 201, created
    assert request_json(server, "GET", f"{seeded}/seeded")[1]["data"] == {"k": "v"}
    other = f"/services/initializingworkspaces/root:universal/clusters/{cluster}/api/v1/namespaces/default/configmaps"
    status, body = request_json(server, "GET", other)
    assert status == 403 and "is not being initialized by" in body["message"]

    merge = "application/merge-patch+json"
    status, refused = request_json(
        server, "PATCH", f"{one}/status", {"status": {"initializers": ["wrong"]}}, content_type=merge
    )
    assert status == 422 and refused["reason"] == "Invalid"
    assert 'only removing the "root:gated" initializer is supported' in refused["message"]
    status, _ = request_json(server, "PATCH", f"{one}/status", {"status": {"initializers": []}}, content_type=merge)
    assert status == 200
    assert watch.next_for(cluster, skip=("MODIFIED",))["type"] == "DELETED"

    wait_ready(ctl, f"{base}/root", "gated-ws")
    inside = f"{base}/root:gated-ws"
    assert ctl.ok("get", "logicalcluster", "cluster", "-o", "jsonpath={.status.phase}", server=inside) == "Ready"
    assert request_json(server, "GET", one)[0] == 404
    assert ctl.ok("get", "configmap", "seeded", "-o", "jsonpath={.data.k}", server=inside) == "v"
    assert request_json(server, "GET", seeded)[0] == 403  # initialized: the content is no longer reachable there


def test_initializing_virtual_workspace_discovery_matches_kcp(server: Kplane) -> None:
    prefix = "/services/initializingworkspaces/whatever"
    status, versions = request_json(server, "GET", f"{prefix}/api")
    assert status == 200 and versions["versions"] == ["v1"]
    assert request_json(server, "GET", f"{prefix}/api/v1")[0] == 404
    status, groups = request_json(server, "GET", f"{prefix}/apis")
    assert [group["name"] for group in groups["groups"]] == ["core.kcp.io"]
    status, resources = request_json(server, "GET", f"{prefix}/apis/core.kcp.io/v1alpha1")
    main, sub = resources["resources"]
    assert (main["name"], main["verbs"], main["categories"]) == ("logicalclusters", ["get", "list", "watch"], ["kcp"])
    assert (sub["name"], sub["kind"], sub["verbs"]) == ("logicalclusters/status", "LogicalCluster", [])


def test_a_workspace_whose_logical_cluster_disappears_becomes_unavailable(server: Kplane, ctl: Kubectl) -> None:
    root = f"{server.base_url}/clusters/root"
    create_workspace(ctl, root, "vanishing")
    wait_ready(ctl, root, "vanishing")
    cluster = cluster_of(ctl, root, "vanishing")
    status, _ = request_json(server, "DELETE", f"/clusters/{cluster}/apis/core.kcp.io/v1alpha1/logicalclusters/cluster")
    assert status == 200
    deadline = time.monotonic() + READY_SECONDS
    while ctl.ok("get", "workspace", "vanishing", "-o", "jsonpath={.status.phase}", server=root) != "Unavailable":
        assert time.monotonic() < deadline, "the workspace did not turn Unavailable"
        time.sleep(0.2)
    condition = ctl.ok(
        "get",
        "workspace",
        "vanishing",
        "-o",
        "jsonpath={.status.conditions[?(@.type=='WorkspaceInitialized')].reason}",
        server=root,
    )
    assert condition == "WorkspaceDisappeared"
    label = ctl.ok(
        "get", "workspace", "vanishing", "-o", "jsonpath={.metadata.labels.tenancy\\.kcp\\.io/phase}", server=root
    )
    assert label == "Unavailable"
