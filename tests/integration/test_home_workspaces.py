"""Home workspaces (`workspaces/~` in root, created on first use, addressable as `user:<name>`) and the
initializing virtual workspace's refusal of callers who are not system:masters."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from apimachinery.index.home import home_cluster_name
from apimachinery.pki import cert_to_pem, issue_client_cert, key_to_pem, load_cert_key, ssl_client_context
from tests.integration.harness import Kplane, Kubectl, request_json, request_raw

HOME = "/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~"


def _as_user(kplane: Kplane, tmp_path: Path, user: str, path: str) -> tuple[int, Any]:
    ca = load_cert_key(kplane.root_dir / "pki" / "ca.crt", kplane.root_dir / "pki" / "ca.key")
    pair = issue_client_cert(ca, user=user, groups=["devs"])
    cert, key = tmp_path / f"{user}.crt", tmp_path / f"{user}.key"
    cert.write_bytes(cert_to_pem(pair.cert))
    key.write_bytes(key_to_pem(pair.key))
    context = ssl_client_context(kplane.ca_file, cert, key)
    try:
        with urllib.request.urlopen(kplane.base_url + path, context=context, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def test_home_workspace_is_created_on_first_use_and_returned_again(kplane: Kplane, kubectl: Kubectl) -> None:
    cluster = home_cluster_name("kplane-admin")
    status, home = request_json(kplane, "GET", HOME)
    assert status == 200, home
    assert (home["kind"], home["apiVersion"]) == ("Workspace", "tenancy.kcp.io/v1alpha1")
    assert home["spec"]["cluster"] == cluster and home["status"]["phase"] == "Ready"
    assert home["spec"]["URL"].endswith(f"/clusters/{cluster}")
    status, again = request_json(kplane, "GET", HOME)
    assert status == 200 and again == home

    inside = f"{kplane.base_url}/clusters/user:kplane-admin"
    annotations = json.loads(kubectl.ok("get", "logicalcluster", "cluster", "-o", "json", server=inside))["metadata"][
        "annotations"
    ]
    assert annotations["kcp.io/path"] == "user:kplane-admin"
    assert annotations["internal.tenancy.kcp.io/type"] == "root:home"
    assert annotations["kcp.io/cluster"] == cluster
    binding = json.loads(kubectl.ok("get", "clusterrolebinding", "workspace-admin", "-o", "json", server=inside))
    assert binding["subjects"][0]["name"] == "kplane-admin" and binding["roleRef"]["name"] == "cluster-admin"
    assert "namespace/default" in kubectl.ok("get", "ns", "-o", "name", server=f"{kplane.base_url}/clusters/{cluster}")


def test_every_user_gets_an_own_home(kplane: Kplane, tmp_path: Path) -> None:
    status, home = _as_user(kplane, tmp_path, "jane", HOME)
    assert status == 200, home
    assert home["spec"]["cluster"] == home_cluster_name("jane") != home_cluster_name("kplane-admin")


def test_initializing_virtual_workspace_refuses_other_users(kplane: Kplane, tmp_path: Path) -> None:
    path = "/services/initializingworkspaces/root:universal/clusters/*/apis/core.kcp.io/v1alpha1/logicalclusters"
    status, body = _as_user(kplane, tmp_path, "joe", path)
    assert status == 403 and body["reason"] == "Forbidden"
    assert 'User "joe" cannot list resource "logicalclusters" in API group "core.kcp.io"' in body["message"]
    assert request_json(kplane, "GET", path, token="")[0] == 401


def test_a_home_with_initializers_turns_ready_when_they_are_done(tmp_path: Path) -> None:
    import time

    from tests.integration.harness import kubectl_binary, start_kplane

    server = start_kplane(tmp_path / "root")
    try:
        admin = Kubectl(kubectl_binary(), server.kubeconfig)
        admin.ok("patch", "workspacetype", "home", "--type", "merge", "-p", '{"spec":{"initializer":true}}')
        tenant_token = (server.root_dir / "tokens.csv").read_text().split(",", 1)[0]
        status, headers, _ = request_raw(server, "GET", HOME, token=tenant_token)
        assert (status, headers["Retry-After"]) == (429, "1")  # initializing: root:home is now an initializer
        cluster = home_cluster_name("tenant")
        vw = f"/services/initializingworkspaces/root:home/clusters/{cluster}"
        one = f"{vw}/apis/core.kcp.io/v1alpha1/logicalclusters/cluster"
        assert request_json(server, "GET", one)[1]["status"]["initializers"] == ["root:home"]
        merge = "application/merge-patch+json"
        assert (
            request_json(server, "PATCH", f"{one}/status", {"status": {"initializers": []}}, content_type=merge)[0]
            == 200
        )
        # no further `~` request: the home must turn Ready on its own
        direct = f"/clusters/{cluster}/apis/core.kcp.io/v1alpha1/logicalclusters/cluster"
        deadline = time.monotonic() + 30
        while request_json(server, "GET", direct)[1].get("status", {}).get("phase") != "Ready":
            assert time.monotonic() < deadline, "the home did not turn Ready"
            time.sleep(0.2)
        status, home = request_json(server, "GET", HOME, token=tenant_token)
        assert status == 200 and home["status"]["phase"] == "Ready"
    finally:
        server.stop()
