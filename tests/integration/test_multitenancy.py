"""Tenants against each other, on a real shard: workspace owners, the workspace access gate, RBAC inside a
workspace, reviews answering what then happens, impersonation, service-account tokens across workspaces.

Users come from a token file given to `kplane start --token-auth-file`. `alice` may create workspaces in
root; she owns workspace `a` (and `b`); `bob` starts with nothing in `a`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from apimachinery.kubeconfig import write_admin_kubeconfig
from tests.integration.harness import Kplane, Kubectl, kubectl_binary, request_json, start_kplane

READY_SECONDS = 30
TOKENS = {
    "alice": "alice-token-0123456789",
    "bob": "bob-token-0123456789",
    "mallory": "mallory-token-0123456789",
}
CREATOR_POLICY = """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: workspace-creator}
rules:
- apiGroups: [tenancy.kcp.io]
  resources: [workspaces]
  verbs: [create, get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-creates-workspaces}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: workspace-creator}
"""


@dataclass
class Tenants:
    server: Kplane
    admin: Kubectl
    users: dict[str, Kubectl]
    token_of: dict[str, str]

    def url(self, path: str) -> str:
        return f"{self.server.base_url}/clusters/{path}"


def _kubectl_for(server: Kplane, directory: Path, name: str, token: str) -> Kubectl:
    path = directory / f"{name}.kubeconfig"
    write_admin_kubeconfig(
        path,
        server_url=f"{server.base_url}/clusters/root",
        ca_pem=server.ca_file.read_bytes(),
        context_name="root",
        token=token,
        client_cert_pem=None,
        client_key_pem=None,
    )
    return Kubectl(kubectl_binary(), path)


def _wait_ready(ctl: Kubectl, server: str, name: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if ctl.ok("get", "workspace", name, "-o", "jsonpath={.status.phase}", server=server) == "Ready":
            return
        time.sleep(0.2)
    raise AssertionError(f"workspace {name} did not become Ready")


# Every test runs twice: against one shard directly, and through the front-proxy of two shards with `a`
# on `shard-1` and `b` on `root`, so identities cross shards as well as workspaces.
TOPOLOGIES = {"direct": {}, "front-proxy": {"a": "shard-1", "b": "root"}}


def _workspace_manifest(name: str, shard: str | None) -> str:
    manifest = f"apiVersion: tenancy.kcp.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: {name}\n"
    if shard:
        manifest += f"spec:\n  location:\n    selector:\n      matchLabels:\n        name: {shard}\n"
    return manifest


@pytest.fixture(scope="module", params=list(TOPOLOGIES))
def tenants(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tenants]:
    base = tmp_path_factory.mktemp("tenants")
    token_file = base / "tokens.csv"
    token_file.write_text("".join(f'{token},{name},uid-{name},"tenants"\n' for name, token in TOKENS.items()))
    placement: dict[str, str] = TOPOLOGIES[request.param]
    shards = ("--shards", "2") if placement else ()
    server = start_kplane(base / "root", extra_args=("--token-auth-file", str(token_file), *shards))
    try:
        admin = Kubectl(kubectl_binary(), server.kubeconfig)
        users = {name: _kubectl_for(server, base, name, token) for name, token in TOKENS.items()}
        tenants = Tenants(server, admin, users, dict(TOKENS))
        admin.ok("apply", "-f", "-", input=CREATOR_POLICY, server=tenants.url("root"))
        for workspace in ("a", "b"):
            manifest = _workspace_manifest(workspace, placement.get(workspace))
            users["alice"].ok("create", "-f", "-", input=manifest, server=tenants.url("root"))
            _wait_ready(users["alice"], tenants.url("root"), workspace)
        yield tenants
    finally:
        server.stop()


def test_the_owner_can_do_everything_in_her_workspace(tenants: Tenants) -> None:
    alice, a = tenants.users["alice"], tenants.url("root:a")
    assert alice.ok("create", "configmap", "owned", "--from-literal=k=v", server=a).strip() == "configmap/owned created"
    assert alice.ok("get", "configmap", "owned", "-o", "jsonpath={.data.k}", server=a) == "v"
    alice.ok("create", "secret", "generic", "s1", "--from-literal=k=v", server=a)
    alice.ok("create", "namespace", "team", server=a)
    assert "workspace-admin" in alice.ok("get", "clusterrolebindings", server=a)
    assert alice.ok("auth", "can-i", "delete", "secrets", server=a).strip() == "yes"
    owner = tenants.admin.ok(
        "get",
        "workspace",
        "a",
        "-o",
        "jsonpath={.metadata.annotations.experimental\\.tenancy\\.kcp\\.io/owner}",
        server=tenants.url("root"),
    )
    assert '"username":"alice"' in owner


def test_a_stranger_is_denied_every_verb_until_granted_access(tenants: Tenants) -> None:
    bob, a = tenants.users["bob"], tenants.url("root:a")
    denied = bob.run("get", "configmaps", server=a)
    assert denied.returncode == 1
    assert denied.stderr.strip() == (
        'Error from server (Forbidden): configmaps is forbidden: User "bob" cannot list resource "configmaps" '
        'in API group "" in the namespace "default": workspace access not permitted'
    )
    for path, method in (
        ("/api/v1/namespaces/default/configmaps/owned", "GET"),
        ("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1", "GET"),
        ("/api/v1/namespaces/default/configmaps/owned", "DELETE"),
        ("/api", "GET"),
        ("/apis", "GET"),
    ):
        status, body = request_json(tenants.server, method, "/clusters/root:a" + path, token=tenants.token_of["bob"])
        assert (status, body.get("reason")) == (403, "Forbidden"), (method, path, body)
    status, body = request_json(
        tenants.server,
        "POST",
        "/clusters/root:a/api/v1/namespaces/default/configmaps",
        {"metadata": {"name": "intruder"}},
        token=tenants.token_of["bob"],
    )
    assert status == 403 and "workspace access not permitted" in body["message"]


def test_access_plus_a_role_grants_exactly_what_the_role_allows(tenants: Tenants) -> None:
    alice, bob, a = tenants.users["alice"], tenants.users["bob"], tenants.url("root:a")
    alice.ok(
        "create",
        "clusterrolebinding",
        "bob-access",
        "--clusterrole=system:kcp:workspace:access",
        "--user=bob",
        server=a,
    )
    alice.ok("create", "role", "cm-reader", "--verb=get,list,watch", "--resource=configmaps", server=a)
    alice.ok("create", "rolebinding", "bob-reads", "--role=cm-reader", "--user=bob", server=a)
    # effective at once: the very next request sees the binding
    assert "owned" in bob.ok("get", "configmaps", server=a)
    created = bob.run("create", "configmap", "mine", server=a)
    assert created.stderr.strip() == (
        'error: failed to create configmap: configmaps is forbidden: User "bob" cannot create resource '
        '"configmaps" in API group "" in the namespace "default"'
    )
    secrets = bob.run("get", "secrets", server=a)
    assert 'User "bob" cannot list resource "secrets" in API group "" in the namespace "default"' in secrets.stderr
    assert bob.run("get", "configmaps", "-n", "team", server=a).returncode == 1
    # what can-i answers matches what happened
    assert bob.run("auth", "can-i", "list", "configmaps", server=a).stdout.strip() == "yes"
    no = bob.run("auth", "can-i", "create", "configmaps", server=a)
    assert (no.returncode, no.stdout.strip()) == (1, "no")
    listing = bob.ok("auth", "can-i", "--list", server=a)
    assert "configmaps" in listing and "[get list watch]" in listing
    whoami = bob.ok("auth", "whoami", server=a)
    assert "bob" in whoami and "system:authenticated" in whoami


def test_escalation_needs_the_rights_being_granted(tenants: Tenants) -> None:
    alice, bob, a = tenants.users["alice"], tenants.users["bob"], tenants.url("root:a")
    alice.ok("create", "role", "role-writer", "--verb=create,get", "--resource=roles,rolebindings", server=a)
    alice.ok("create", "rolebinding", "bob-writes-roles", "--role=role-writer", "--user=bob", server=a)
    broader = bob.run("create", "role", "steal", "--verb=get", "--resource=secrets", server=a)
    assert broader.returncode == 1
    assert "is attempting to grant RBAC permissions not currently held" in broader.stderr
    assert 'user "bob"' in broader.stderr
    assert bob.run("create", "role", "narrow", "--verb=get", "--resource=configmaps", server=a).returncode == 0
    bind_admin = bob.run("create", "rolebinding", "take", "--clusterrole=cluster-admin", "--user=bob", server=a)
    assert bind_admin.returncode == 1 and "not currently held" in bind_admin.stderr


def test_impersonation_needs_the_impersonate_verb(tenants: Tenants) -> None:
    alice, bob, a = tenants.users["alice"], tenants.users["bob"], tenants.url("root:a")
    as_bob = alice.run("auth", "can-i", "create", "configmaps", "--as=bob", server=a)
    assert (as_bob.returncode, as_bob.stdout.strip()) == (1, "no")
    assert "owned" in alice.ok("get", "configmaps", "--as=bob", server=a)
    refused = bob.run("get", "configmaps", "--as=alice", server=a)
    assert refused.returncode == 1
    assert (
        'users "alice" is forbidden: User "bob" cannot impersonate resource "users" in API group ""' in refused.stderr
    )


def test_service_account_token_works_only_in_its_own_workspace(tenants: Tenants) -> None:
    alice, a, b = tenants.users["alice"], tenants.url("root:a"), tenants.url("root:b")
    alice.ok("create", "serviceaccount", "robot", server=a)
    alice.ok("create", "rolebinding", "robot-reads", "--clusterrole=view", "--serviceaccount=default:robot", server=a)
    token = alice.ok("create", "token", "robot", server=a).strip()
    assert token.count(".") == 2
    whoami = alice.ok("auth", "whoami", "--token", token, server=a)
    assert "system:serviceaccount:default:robot" in whoami
    assert "owned" in alice.ok("get", "configmaps", "--token", token, server=a)
    elsewhere = alice.run("get", "configmaps", "--token", token, server=b)
    assert elsewhere.returncode == 1 and "Error from server (Forbidden)" in elsewhere.stderr
    status, body = request_json(
        tenants.server, "GET", "/clusters/root:b/api/v1/namespaces/default/configmaps", token=token
    )
    assert status == 403
    assert body["message"] == (
        'configmaps is forbidden: User "system:anonymous" cannot list resource "configmaps" in API group "" '
        'in the namespace "default": workspace access not permitted'
    )


def test_identity_headers_from_clients_are_not_trusted(tenants: Tenants) -> None:
    import ssl
    import urllib.error
    import urllib.request

    context = ssl.create_default_context(cafile=str(tenants.server.ca_file))
    request = urllib.request.Request(tenants.url("root:a") + "/api/v1/namespaces/default/secrets")
    request.add_header("Authorization", f"Bearer {tenants.token_of['bob']}")
    request.add_header("X-Remote-User", "alice")
    request.add_header("X-Remote-Group", "system:masters")
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(request, context=context, timeout=30)
    assert denied.value.code == 403
    assert b'User \\"bob\\" cannot list resource \\"secrets\\"' in denied.value.read()


PREMIUM_POLICY = """
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: premium-user}
rules: [{apiGroups: [tenancy.kcp.io], resources: [workspacetypes], resourceNames: [premium], verbs: [use]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: alice-premium}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}]
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: premium-user}
"""


def test_workspace_types_need_the_use_verb(tenants: Tenants) -> None:
    root, alice = tenants.url("root"), tenants.users["alice"]
    premium = "apiVersion: tenancy.kcp.io/v1alpha1\nkind: WorkspaceType\nmetadata:\n  name: premium\n"
    tenants.admin.ok("apply", "-f", "-", input=premium, server=root)
    wanted = (
        "apiVersion: tenancy.kcp.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: lux\n"
        "spec:\n  type:\n    name: premium\n"
    )
    refused = alice.run("create", "-f", "-", input=wanted, server=root)
    assert refused.returncode == 1
    assert "unable to use cluster workspace type root:premium: missing verb='use' permission on workspacetype" in (
        refused.stderr
    )
    tenants.admin.ok("apply", "-f", "-", input=PREMIUM_POLICY, server=root)
    alice.ok("create", "-f", "-", input=wanted, server=root)
    _wait_ready(alice, root, "lux")


def test_initializers_need_the_initialize_verb(tenants: Tenants) -> None:
    alice, a = tenants.users["alice"], tenants.url("root:a")
    gated = (
        "apiVersion: tenancy.kcp.io/v1alpha1\nkind: WorkspaceType\nmetadata:\n  name: gated\n"
        "spec:\n  initializer: true\n"
    )
    alice.ok("apply", "-f", "-", input=gated, server=a)
    path = "/services/initializingworkspaces/root:a:gated/clusters/*/apis/core.kcp.io/v1alpha1/logicalclusters"
    status, body = request_json(tenants.server, "GET", path, token=tenants.token_of["alice"])
    assert (status, body.get("kind")) == (200, "LogicalClusterList")
    status, body = request_json(tenants.server, "GET", path, token=tenants.token_of["bob"])
    assert status == 403
    assert 'User "bob" cannot list resource "logicalclusters" in API group "core.kcp.io"' in body["message"]


# Every cross-tenant attempt: identity kind × verb × resource against workspace `a`, none of whose
# subjects they are. docs/security.md lists each row; the last test keeps the two in step.
CROSS_TENANT_RESOURCES = {
    "configmaps": "/api/v1/namespaces/default/configmaps",
    "secrets": "/api/v1/namespaces/default/secrets",
    "serviceaccounts": "/api/v1/namespaces/default/serviceaccounts",
    "namespaces": "/api/v1/namespaces",
    "roles": "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
    "rolebindings": "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
    "clusterroles": "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    "clusterrolebindings": "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
    "customresourcedefinitions": "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    "workspaces": "/apis/tenancy.kcp.io/v1alpha1/workspaces",
}
CROSS_TENANT_VERBS = {
    "get": ("GET", "/victim", None),
    "list": ("GET", "", None),
    "watch": ("GET", "?watch=true&timeoutSeconds=1", None),
    "create": ("POST", "", {"metadata": {"name": "victim"}}),
    "update": ("PUT", "/victim", {"metadata": {"name": "victim"}}),
    "patch": ("PATCH", "/victim", {"metadata": {"labels": {"x": "y"}}}),
    "delete": ("DELETE", "/victim", None),
    "deletecollection": ("DELETE", "", None),
}
DISCOVERY_PATHS = ("/api", "/api/v1", "/apis", "/openapi/v3", "/openapi/v2")
IDENTITIES = ("user-without-access", "service-account-of-other-workspace", "anonymous", "forged-identity-headers")


def _credentials(tenants: Tenants, identity: str) -> tuple[str, dict[str, str]]:
    if identity == "user-without-access":
        return tenants.token_of["mallory"], {}
    if identity == "service-account-of-other-workspace":
        return tenants.token_of["robot-of-b"], {}
    if identity == "anonymous":
        return "", {}
    return tenants.token_of["mallory"], {"X-Remote-User": "alice", "X-Remote-Group": "system:masters"}


def _attempt(tenants: Tenants, identity: str, method: str, path: str, body: object) -> int:
    import json
    import ssl
    import urllib.error
    import urllib.request

    token, headers = _credentials(tenants, identity)
    context = ssl.create_default_context(cafile=str(tenants.server.ca_file))
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(tenants.url("root:a") + path, data=data, method=method)
    content_type = "application/merge-patch+json" if method == "PATCH" else "application/json"
    request.add_header("Content-Type", content_type)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def cross_tenant_rows() -> list[tuple[str, str, str]]:
    rows = [(i, v, r) for i in IDENTITIES for r in CROSS_TENANT_RESOURCES for v in CROSS_TENANT_VERBS]
    rows += [(i, "get", f"discovery {p}") for i in IDENTITIES for p in DISCOVERY_PATHS]
    return rows


def expected_code(identity: str) -> int:
    return 401 if identity == "anonymous" else 403


def test_every_cross_tenant_attempt_is_denied(tenants: Tenants) -> None:
    alice, b = tenants.users["alice"], tenants.url("root:b")
    alice.ok("create", "serviceaccount", "robot", server=b)
    alice.ok(
        "create",
        "clusterrolebinding",
        "robot-admin",
        "--clusterrole=cluster-admin",
        "--serviceaccount=default:robot",
        server=b,
    )
    tenants.token_of["robot-of-b"] = alice.ok("create", "token", "robot", server=b).strip()
    results = {}
    for identity, verb, resource in cross_tenant_rows():
        if resource.startswith("discovery "):
            method, path, body = "GET", resource.removeprefix("discovery "), None
        else:
            method, suffix, body = CROSS_TENANT_VERBS[verb]
            path = CROSS_TENANT_RESOURCES[resource] + suffix
        results[(identity, verb, resource)] = _attempt(tenants, identity, method, path, body)
    allowed = {row: code for row, code in results.items() if code != expected_code(row[0])}
    assert allowed == {}
    survivors = tenants.admin.ok("get", "configmaps", "-o", "name", server=tenants.url("root:a"))
    assert "victim" not in survivors


def test_docs_security_lists_every_cross_tenant_attempt() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "security.md").read_text()
    missing = [
        row
        for row in cross_tenant_rows()
        if f"| {row[0]} | {row[1]} | {row[2]} | {expected_code(row[0])} denied |" not in doc
    ]
    assert missing == []
