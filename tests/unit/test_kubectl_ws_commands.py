"""`kubectl ws` and `kubectl create workspace` against a small fake kcp served on a loopback port.

The fake answers what the plugin asks of kcp: discovery (`/clusters/<path>/api`, `/apis`), the
`tenancy.kcp.io/v1alpha1` Workspaces of a logical cluster (list, get, create, the home workspace
`~` in `root`), APIBindings and the LogicalCluster. A path that does not exist, or that the test
marks as denied, answers 403 for everything, as kcp does. Each test checks the exact texts kcp's
plugin prints and the kubeconfig it leaves behind.
"""

from __future__ import annotations

import io
import json
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubectl_ws.cli import run_create_workspace, run_workspace
from kubectl_ws.client import ApiError, Resource, error_from_response
from kubectl_ws.commands import ConnectionOptions, Session, Streams
from kubectl_ws.contexts import CURRENT, PREVIOUS

TOKEN = "admin-token"
TENANCY = "/apis/tenancy.kcp.io/v1alpha1/workspaces"
CD_NOTE = (
    "Note: 'kubectl ws' now matches 'cd' semantics: go to home workspace. 'kubectl ws -' to go back. "
    "'kubectl ws .' to print current workspace.\n"
)
DEPRECATION = (
    "Command \"create\" is deprecated, install the 'kubectl create workspace' plugin instead, "
    "compare https://docs.kcp.io/kcp/latest/setup/kubectl-plugin/.\n"
)


def status(code: int, reason: str, message: str) -> tuple[int, dict[str, Any]]:
    return code, {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


@dataclass
class FakeKcp:
    """The state behind the fake server; tests arrange it directly."""

    base_url: str = ""
    clusters: set[str] = field(default_factory=lambda: {"root"})
    workspaces: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    denied: set[str] = field(default_factory=set)
    home: str = "root:users:ab:cd:user-name"
    api_bindings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ready_after: int = 0
    home_retries: int = 0
    requests: list[tuple[str, str]] = field(default_factory=list)
    gets_until_ready: dict[tuple[str, str], int] = field(default_factory=dict)

    def add(
        self,
        path: str,
        *,
        type_name: str = "universal",
        phase: str = "Ready",
        mount: bool = False,
        deleting: bool = False,
    ) -> dict[str, Any]:
        parent, _, name = path.rpartition(":")
        workspace: dict[str, Any] = {
            "apiVersion": "tenancy.kcp.io/v1alpha1",
            "kind": "Workspace",
            "metadata": {"name": name, "annotations": {"kcp.io/path": parent}},
            "spec": {
                "type": {"name": type_name, "path": "root"},
                "cluster": f"lc-{name}",
                "URL": f"{self.base_url}/clusters/{path}",
            },
            "status": {"phase": phase},
        }
        if mount:
            workspace["spec"]["mount"] = {"ref": {"kind": "KubeCluster", "name": name}}
            workspace["spec"]["URL"] = f"{self.base_url}/services/mounts/clusters/{parent}/{name}"
        if deleting:
            workspace["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
        self.workspaces.setdefault(parent, {})[name] = workspace
        if phase == "Ready" and not mount:
            self.clusters.add(path)
        return workspace

    def handle(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None,
        authorization: str,
    ) -> tuple[int, dict[str, Any]]:
        self.requests.append((method, path))
        if authorization != f"Bearer {TOKEN}":
            return status(401, "Unauthorized", "Unauthorized")
        if not path.startswith("/clusters/"):
            return status(404, "NotFound", "the server could not find the requested resource")
        cluster, _, rest = path.removeprefix("/clusters/").partition("/")
        rest = "/" + rest
        if cluster not in self.clusters or cluster in self.denied:
            return status(403, "Forbidden", f'access to logical cluster "{cluster}" is forbidden')
        if rest == "/api":
            return 200, {"kind": "APIVersions", "versions": ["v1"]}
        if rest == "/apis":
            return 200, {"kind": "APIGroupList", "groups": [{"name": "tenancy.kcp.io"}]}
        if rest == "/apis/apis.kcp.io/v1alpha2/apibindings":
            if cluster not in self.api_bindings:
                return status(404, "NotFound", "the server could not find the requested resource")
            return 200, {"kind": "APIBindingList", "items": self.api_bindings[cluster]}
        if rest == "/apis/core.kcp.io/v1alpha1/logicalclusters/cluster":
            return 200, {"kind": "LogicalCluster", "metadata": {"name": "cluster"}, "status": {"phase": "Ready"}}
        if rest == TENANCY and method == "POST":
            return self._create(cluster, body or {})
        if rest == TENANCY:
            items = [self._observe(cluster, ws) for _, ws in sorted(self.workspaces.get(cluster, {}).items())]
            return 200, {"kind": "WorkspaceList", "apiVersion": "tenancy.kcp.io/v1alpha1", "items": items}
        if rest.startswith(TENANCY + "/"):
            name = rest.removeprefix(TENANCY + "/")
            if name == "~" and cluster == "root":
                return self._home()
            workspace = self.workspaces.get(cluster, {}).get(name)
            if workspace is None:
                return status(404, "NotFound", f'workspaces.tenancy.kcp.io "{name}" not found')
            return 200, self._observe(cluster, workspace)
        return status(404, "NotFound", "the server could not find the requested resource")

    def _home(self) -> tuple[int, dict[str, Any]]:
        if self.home_retries:
            self.home_retries -= 1
            return status(429, "TooManyRequests", "home workspace is being created")
        self.clusters.add(self.home)
        return 200, {
            "kind": "Workspace",
            "metadata": {"name": self.home.rsplit(":", 1)[1]},
            "spec": {"type": {"name": "home", "path": "root"}, "URL": f"{self.base_url}/clusters/{self.home}"},
            "status": {"phase": "Ready"},
        }

    def _observe(self, cluster: str, workspace: dict[str, Any]) -> dict[str, Any]:
        key = (cluster, workspace["metadata"]["name"])
        if key in self.gets_until_ready:
            self.gets_until_ready[key] -= 1
            if self.gets_until_ready[key] <= 0:
                del self.gets_until_ready[key]
                workspace["status"]["phase"] = "Ready"
                self.clusters.add(f"{cluster}:{key[1]}")
        return workspace

    def _create(self, cluster: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        assert (body.get("apiVersion"), body.get("kind")) == ("tenancy.kcp.io/v1alpha1", "Workspace"), body
        name = body["metadata"]["name"]
        if name in self.workspaces.get(cluster, {}):
            return status(409, "AlreadyExists", f'workspaces.tenancy.kcp.io "{name}" already exists')
        wanted = dict(body.get("spec", {}).get("type") or {"name": "universal"})
        wanted.setdefault("path", "root")
        phase = "Scheduling" if self.ready_after else "Ready"
        workspace = self.add(f"{cluster}:{name}", type_name=wanted["name"], phase=phase)
        workspace["spec"]["type"] = wanted
        if "location" in body["spec"]:
            workspace["spec"]["location"] = body["spec"]["location"]
        if self.ready_after:
            self.gets_until_ready[(cluster, name)] = self.ready_after
        return 201, workspace


def _handler(kcp: FakeKcp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length)) if length else None
            code, answer = kcp.handle(method, self.path.split("?", 1)[0], body, self.headers.get("Authorization", ""))
            data = json.dumps(answer).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            if code == 429:
                self.send_header("Retry-After", "1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

    return Handler


@pytest.fixture
def kcp() -> Iterator[FakeKcp]:
    state = FakeKcp()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def admin_kubeconfig(path: Path, server: str, *, token: str = TOKEN) -> Path:
    """What `kplane start` writes: one `root` context on `<server>/clusters/root`."""
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "root", "cluster": {"server": f"{server}/clusters/root"}}],
                "users": [{"name": "kplane-admin", "user": {"token": token}}],
                "contexts": [{"name": "root", "context": {"cluster": "root", "user": "kplane-admin"}}],
                "current-context": "root",
            }
        ),
        encoding="utf-8",
    )
    return path


@dataclass
class Result:
    code: int
    out: str
    err: str


class Plugin:
    """Runs the plugins in-process with `KUBECONFIG` and `HOME` pointing into the test's directory."""

    def __init__(self, kubeconfig: Path, home: Path) -> None:
        self.kubeconfig = kubeconfig
        self.environ = {"KUBECONFIG": str(kubeconfig), "HOME": str(home)}
        self.slept: list[float] = []

    def _session(self, options: ConnectionOptions, streams: Streams) -> Session:
        return Session(options, streams, environ=self.environ, sleep=self.slept.append)

    def ws(self, *args: str) -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = run_workspace(list(args), Streams(out, err), self._session)
        return Result(code, out.getvalue(), err.getvalue())

    def create_workspace(self, *args: str) -> Result:
        out, err = io.StringIO(), io.StringIO()
        code = run_create_workspace(list(args), Streams(out, err), self._session)
        return Result(code, out.getvalue(), err.getvalue())

    def config(self) -> dict[str, Any]:
        document: dict[str, Any] = yaml.safe_load(self.kubeconfig.read_text(encoding="utf-8"))
        return document

    def server(self, cluster: str) -> str:
        return str(next(c["cluster"]["server"] for c in self.config()["clusters"] if c["name"] == cluster))

    def context(self, name: str) -> dict[str, Any]:
        return dict(next(c["context"] for c in self.config()["contexts"] if c["name"] == name))


@pytest.fixture
def plugin(kcp: FakeKcp, tmp_path: Path) -> Plugin:
    return Plugin(admin_kubeconfig(tmp_path / "admin.kubeconfig", kcp.base_url), tmp_path / "home")


# --- printing the current workspace -----------------------------------------------------------------


def test_dot_prints_the_current_workspace_and_writes_nothing(plugin: Plugin) -> None:
    before = plugin.kubeconfig.read_text(encoding="utf-8")
    assert plugin.ws(".") == Result(0, "Current workspace is 'root'.\n", "")
    assert plugin.ws(".", "--short") == Result(0, "root\n", "")
    assert plugin.ws("current") == Result(0, "Current workspace is 'root'.\n", "")
    assert plugin.ws("current", "--short") == Result(0, "root\n", "")
    assert plugin.kubeconfig.read_text(encoding="utf-8") == before


def test_dot_on_a_url_that_is_not_a_workspace(plugin: Plugin, kcp: FakeKcp) -> None:
    plain = f"{kcp.base_url}/"
    assert plugin.ws(".", f"--server={plain}") == Result(0, f'Current workspace is the URL "{plain}".\n', "")
    assert plugin.ws(".", "--short", "--server", plain) == Result(0, "", "")
    assert plugin.ws("tree", "--server", plain) == Result(
        0, f'current context URL "{plain}" does not point directly to a kcp workspace\n', ""
    )
    assert plugin.ws("team", "--server", plain) == Result(
        1, "", f'Error: current URL "{plain}" does not point to a workspace\n'
    )


# --- entering workspaces ----------------------------------------------------------------------------


def test_create_enter_tree_back_and_forth(plugin: Plugin, kcp: FakeKcp) -> None:
    """The issue's walk-through: create org --enter, create team-a --enter, .., tree, -, :root."""
    result = plugin.ws("create", "org", "--type", "organization", "--enter")
    assert result == Result(
        0,
        'Workspace "org" (type root:organization) is ready to use.\n'
        "Current workspace is 'root:org' (type root:organization).\n",
        DEPRECATION,
    )
    assert plugin.config()["current-context"] == CURRENT
    assert plugin.server(CURRENT) == f"{kcp.base_url}/clusters/root:org"
    assert plugin.context(CURRENT) == {"cluster": CURRENT, "user": "kplane-admin"}
    assert plugin.context(PREVIOUS) == {"cluster": "root", "user": "kplane-admin"}, "previous = the admin context"

    assert plugin.create_workspace("team-a", "--enter") == Result(
        0,
        'Workspace "team-a" (type root:universal) is ready to use.\n'
        "Current workspace is 'root:org:team-a' (type root:universal).\n",
        "",
    )
    assert plugin.server(PREVIOUS) == f"{kcp.base_url}/clusters/root:org"
    assert plugin.context(PREVIOUS) == {"cluster": PREVIOUS, "user": "kplane-admin"}

    # `..` never asks for a Workspace named "..": client-go refuses such a name, so no type is known.
    assert plugin.ws("..") == Result(0, "Current workspace is 'root:org'.\n", "")
    assert ("GET", f"/clusters/root:org:team-a{TENANCY}/..") not in kcp.requests
    assert plugin.ws("tree") == Result(0, ".\n└── org\n    └── team-a\n\n", "")
    assert plugin.ws("-") == Result(0, "Current workspace is 'root:org:team-a'.\n", "")
    assert plugin.server(CURRENT) == f"{kcp.base_url}/clusters/root:org:team-a"
    assert plugin.server(PREVIOUS) == f"{kcp.base_url}/clusters/root:org"
    assert plugin.ws("-") == Result(0, "Current workspace is 'root:org'.\n", "")
    assert plugin.ws(":root") == Result(0, "Current workspace is 'root' (type root).\n", "")
    assert plugin.ws("tree") == Result(0, ".\n└── root\n    └── org\n        └── team-a\n\n", "")
    # The admin context itself is never changed.
    assert plugin.context("root") == {"cluster": "root", "user": "kplane-admin"}
    assert plugin.server("root") == f"{kcp.base_url}/clusters/root"


def test_relative_absolute_and_dotted_paths(plugin: Plugin, kcp: FakeKcp) -> None:
    for path in ("root:a", "root:a:b", "root:a:b:c", "root:x"):
        kcp.add(path, type_name="team")
    assert plugin.ws("a:b") == Result(0, "Current workspace is 'root:a:b' (type root:team).\n", "")
    assert plugin.ws("c") == Result(0, "Current workspace is 'root:a:b:c' (type root:team).\n", "")
    assert plugin.ws("..:..") == Result(0, "Current workspace is 'root:a'.\n", "")
    # kcp looks the Workspace up in the *unresolved* parent (`root:a:..:a:b`), which kcp cannot serve: no type.
    assert plugin.ws("../a/b/c") == Result(0, "Current workspace is 'root:a:b:c'.\n", "")
    assert ("GET", f"/clusters/root:a:..:a:b{TENANCY}/c") in kcp.requests
    assert plugin.ws(":root:x") == Result(0, "Current workspace is 'root:x' (type root:team).\n", "")
    assert plugin.ws(".:..:a:.:b") == Result(0, "Current workspace is 'root:a:b'.\n", "")
    assert plugin.ws("use", ":root:a") == Result(0, "Current workspace is 'root:a' (type root:team).\n", "")
    assert plugin.ws("cd", "b", "--short") == Result(0, "root:a:b\n", "")
    assert plugin.ws(":") == Result(0, "Current workspace is 'root'.\n", "")


def test_legacy_root_prefix_is_made_absolute_with_a_note(plugin: Plugin, kcp: FakeKcp) -> None:
    kcp.add("root:a")
    note = (
        "Note: Using 'root:' to define an absolute path is no longer supported. Instead, use ':root' to "
        "specify an absolute path.\n"
    )
    assert plugin.ws("a") == Result(0, "Current workspace is 'root:a' (type root:universal).\n", "")
    assert plugin.ws("root:a") == Result(0, "Current workspace is 'root:a' (type root:universal).\n", note)
    assert plugin.ws("root") == Result(0, "Current workspace is 'root' (type root).\n", note)


def test_home_workspace_by_tilde_and_without_arguments(plugin: Plugin, kcp: FakeKcp, tmp_path: Path) -> None:
    home = "root:users:ab:cd:user-name"
    kcp.home_retries = 2  # kcp answers 429 + Retry-After while it creates the home workspace
    assert plugin.ws("~") == Result(0, f"Current workspace is '{home}'.\n", "")
    assert plugin.slept == [1, 1]
    assert ("GET", f"/clusters/root{TENANCY}/~") in kcp.requests
    assert plugin.ws(":root").code == 0
    assert plugin.ws() == Result(0, f"Current workspace is '{home}'.\n", CD_NOTE)
    assert plugin.ws("--short") == Result(0, f"{home}\n", "")
    # The shell turns `~` into $HOME before the plugin sees it.
    kcp.add(f"{home}:proj")
    assert plugin.ws(str(tmp_path / "home" / "proj")) == Result(
        0, f"Current workspace is '{home}:proj' (type root:universal).\n", ""
    )
    # Errors name the path as typed (made absolute), before `..` is applied.
    assert plugin.ws("~:..") == Result(1, "", f'Error: access to workspace "{home}:.." denied\n')


def test_not_found_and_access_denied(plugin: Plugin, kcp: FakeKcp) -> None:
    before = plugin.kubeconfig.read_text(encoding="utf-8")
    # Not there: 403 from discovery on the path, 404 for the Workspace in its parent.
    assert plugin.ws("nope") == Result(1, "", 'Error: workspace "root:nope" not found\n')
    # The parent denies too: kcp cannot tell, it says access denied.
    kcp.add("root:private")
    kcp.add("root:private:inner")
    kcp.denied |= {"root:private", "root:private:inner"}
    assert plugin.ws(":root:private:inner") == Result(1, "", 'Error: access to workspace "root:private:inner" denied\n')
    # Denied at the target while the parent says it exists.
    assert plugin.ws("private") == Result(1, "", 'Error: access to workspace "root:private" denied\n')
    assert plugin.kubeconfig.read_text(encoding="utf-8") == before


def test_entering_without_access_to_the_parent(plugin: Plugin, kcp: FakeKcp) -> None:
    """kcp: a 403 in the parent is no obstacle when the workspace itself answers discovery."""
    kcp.add("root:hidden")
    kcp.add("root:hidden:open")
    kcp.denied.add("root:hidden")
    assert plugin.ws(":root:hidden:open") == Result(0, "Current workspace is 'root:hidden:open'.\n", "")


def test_nested_not_found_below_a_missing_parent(plugin: Plugin) -> None:
    # Both the target and its parent answer 403: kcp reports access denied.
    assert plugin.ws(":root:nope:deeper") == Result(1, "", 'Error: access to workspace "root:nope:deeper" denied\n')


def test_path_errors(plugin: Plugin) -> None:
    # kcp: `..` of root resolves to the empty path, which is not a valid one.
    assert plugin.ws("..") == Result(1, "", "Error: invalid workspace path: ..\n")
    assert plugin.ws("..:..") == Result(1, "", "Error: cannot go up from root\n")
    assert plugin.ws("ju:nk§") == Result(1, "", "Error: invalid workspace path: ju:nk§\n")
    assert plugin.ws("-") == Result(1, "", "Error: no previous workspace found in kubeconfig\n")


def test_unknown_current_context(plugin: Plugin, tmp_path: Path) -> None:
    config = plugin.config()
    config["current-context"] = "gone"
    plugin.kubeconfig.write_text(yaml.safe_dump(config), encoding="utf-8")
    assert plugin.ws(".", "--context", "root") == Result(1, "", 'Error: current "gone" context not found\n')
    assert plugin.ws("current", "--context", "root") == Result(0, "Current workspace is 'root'.\n", "")


def test_explicit_kubeconfig_and_context_flags(plugin: Plugin, kcp: FakeKcp, tmp_path: Path) -> None:
    other = admin_kubeconfig(tmp_path / "other.kubeconfig", kcp.base_url)
    kcp.add("root:a")
    plugin.environ["KUBECONFIG"] = str(tmp_path / "missing")
    assert plugin.ws("--kubeconfig", str(other), "a") == Result(
        0, "Current workspace is 'root:a' (type root:universal).\n", ""
    )
    assert yaml.safe_load(other.read_text(encoding="utf-8"))["current-context"] == CURRENT
    assert plugin.ws(f"--kubeconfig={other}", "--context", "root", ".") == Result(
        0, "Current workspace is 'root'.\n", ""
    )
    assert plugin.ws("--kubeconfig", str(tmp_path / "nope"), ".").err == (
        f"Error: stat {tmp_path / 'nope'}: no such file or directory\n"
    )


def test_wrong_credentials_show_the_servers_answer(plugin: Plugin, kcp: FakeKcp, tmp_path: Path) -> None:
    assert plugin.ws("~", "--token", "wrong") == Result(1, "", "Error: Unauthorized\n")


def test_api_binding_claim_warnings(plugin: Plugin, kcp: FakeKcp) -> None:
    kcp.add("root:a")
    kcp.api_bindings["root:a"] = [
        {
            "metadata": {"name": "cowboys"},
            "spec": {
                "permissionClaims": [
                    {"group": "", "resource": "configmaps", "verbs": ["get"], "state": "Accepted"},
                    {"group": "wild.dev", "resource": "sheriffs", "identityHash": "h1", "verbs": ["*"]},
                ]
            },
            "status": {
                "exportPermissionClaims": [
                    {"group": "", "resource": "configmaps", "verbs": ["get"]},
                    {"group": "wild.dev", "resource": "sheriffs", "identityHash": "h1", "verbs": ["*"]},
                    {"group": "", "resource": "secrets", "verbs": ["list"]},
                ]
            },
        }
    ]
    result = plugin.ws("a")
    assert result.out == "Current workspace is 'root:a' (type root:universal).\n"
    assert result.err == (
        "Warning: claim for sheriffs.wild.dev:h1 specified on APIBinding cowboys but not accepted or rejected.\n"
        "Warning: claim for secrets exported but not specified on APIBinding cowboys\n"
        "Add this claim to the APIBinding's Spec.\n"
        "Warning: claim for secrets specified on APIBinding cowboys but not accepted or rejected.\n"
        "Warning: allowed verbs () on claim for secrets on APIBinding cowboys do not match expected verbs ().\n"
    )


# --- tree -------------------------------------------------------------------------------------------


def test_tree_full_wide_mounts_and_deleting(plugin: Plugin, kcp: FakeKcp) -> None:
    kcp.add("root:org")
    kcp.add("root:org:team-a")
    kcp.add("root:org:team-b")
    kcp.add("root:other")
    kcp.add("root:mounted", mount=True)
    kcp.add("root:going", deleting=True)
    assert plugin.ws("tree") == Result(
        0,
        (".\n└── root\n    ├── mounted [m]\n    ├── org\n    │   ├── team-a\n    │   └── team-b\n    └── other\n\n"),
        "",
    )
    assert plugin.ws("tree", "--full", "-w", "org") == Result(
        0, (".\n└── root:org\n    ├── root:org:team-a\n    └── root:org:team-b\n\n"), ""
    )
    assert plugin.ws("tree", "--wide", "-w", ":root:org") == Result(
        0,
        (
            ".\n"
            "└── org         ws=-      lc=Ready\n"
            "    ├── team-a  ws=Ready  lc=Ready\n"
            "    └── team-b  ws=Ready  lc=Ready\n"
        ),
        "",
    )


def test_tree_of_a_forbidden_workspace_fails(plugin: Plugin, kcp: FakeKcp) -> None:
    kcp.denied.add("root")
    assert plugin.ws("tree") == Result(1, "", 'Error: access to logical cluster "root" is forbidden\n')


# --- create -----------------------------------------------------------------------------------------


def test_create_waits_until_ready(plugin: Plugin, kcp: FakeKcp) -> None:
    kcp.ready_after = 3
    assert plugin.create_workspace("slow", "--type", "root:team") == Result(
        0,
        'Workspace "slow" (type root:team) created. Waiting for it to be ready...\n'
        'Workspace "slow" (type root:team) is ready to use.\n',
        "",
    )
    assert plugin.slept == [0.5]
    assert plugin.config()["current-context"] == "root", "no --enter: the kubeconfig is not switched"


def test_create_sends_type_and_location(plugin: Plugin, kcp: FakeKcp) -> None:
    assert plugin.create_workspace("x", "--type", "Team", "--location-selector", "region=eu,tier in (b,a)").code == 0
    spec = kcp.workspaces["root"]["x"]["spec"]
    assert spec["type"] == {"name": "team", "path": "root"}
    assert spec["location"] == {
        "selector": {
            "matchLabels": {"region": "eu"},
            "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}],
        }
    }
    assert plugin.create_workspace("y", "--location-selector", "a!=b") == Result(
        1, "", 'Error: invalid location selector: "!=" is not a valid label selector operator\n'
    )


def test_create_existing(plugin: Plugin, kcp: FakeKcp) -> None:
    kcp.add("root:org", type_name="organization")
    assert plugin.create_workspace("org") == Result(1, "", 'Error: workspaces.tenancy.kcp.io "org" already exists\n')
    assert plugin.create_workspace("org", "--ignore-existing") == Result(
        0,
        'Workspace "org" (type root:organization) already exists.\n'
        'Workspace "org" (type root:organization) is ready to use.\n',
        "",
    )
    assert plugin.create_workspace("org", "--ignore-existing", "--type", "organization") == Result(
        1, "", "Error: --ignore-existing must not be used with non-absolute type path\n"
    )
    assert plugin.create_workspace("org", "--ignore-existing", "--type", "root:team") == Result(
        1,
        "",
        'Error: workspace "org" cannot be created with type root:team, it already exists with different type '
        "root:organization\n",
    )
    assert plugin.create_workspace("org", "--ignore-existing", "--type", "root:organization", "--enter") == Result(
        0,
        'Workspace "org" (type root:organization) already exists.\n'
        'Workspace "org" (type root:organization) is ready to use.\n'
        "Current workspace is 'root:org' (type root:organization).\n",
        "",
    )


def test_create_with_context_and_workspace_flag(plugin: Plugin, kcp: FakeKcp) -> None:
    kcp.add("root:org")
    assert plugin.create_workspace("team", "-w", ":root:org", "--create-context", "team") == Result(
        0, 'Workspace "team" (type root:universal) is ready to use.\nCreated context "team".\n', ""
    )
    assert plugin.server("team") == f"{kcp.base_url}/clusters/root:org:team"
    assert plugin.context("team") == {"cluster": "team", "user": "kplane-admin"}
    assert plugin.config()["current-context"] == "root"
    assert plugin.create_workspace("team2", "-w", "org", "--create-context", "t2", "--enter").out.endswith(
        'Created context "t2" and switched to it.\n'
    )
    assert plugin.config()["current-context"] == "t2"


def test_create_usage_errors(plugin: Plugin) -> None:
    assert plugin.create_workspace() == Result(1, "", "Error: accepts 1 arg(s), received 0\n")
    assert plugin.create_workspace("a", "b") == Result(1, "", "Error: accepts 1 arg(s), received 2\n")
    assert plugin.create_workspace("a", "--bogus") == Result(1, "", "Error: unknown flag: --bogus\n")
    assert plugin.create_workspace("a", "--type") == Result(1, "", "Error: flag needs an argument: --type\n")


def test_create_context_command(plugin: Plugin, kcp: FakeKcp) -> None:
    # The default name is the workspace path, "root", which is also the admin context's name.
    assert plugin.ws("create-context") == Result(
        1, "", 'Error: context "root" already exists in kubeconfig, use --overwrite to update it\n'
    )
    assert plugin.ws("create-context", "--overwrite") == Result(0, 'Updated context "root".\n', "")
    assert plugin.ws("create-context", "mine") == Result(0, 'Created context "mine" and switched to it.\n', "")
    assert plugin.config()["current-context"] == "mine"
    assert plugin.server("mine") == f"{kcp.base_url}/clusters/root"


# --- parsing ----------------------------------------------------------------------------------------


def test_help_and_argument_counts(plugin: Plugin) -> None:
    for args in (("use",), ("a", "b"), ("help",), ("--help",)):
        result = plugin.ws(*args)
        assert result.code == 0 and "usage:" in result.out and result.err == "", args
    assert plugin.ws("-i", "a") == Result(1, "", "Error: interactive mode does not accept arguments\n")
    assert plugin.ws(".", "--bogus") == Result(1, "", "Error: unknown flag: --bogus\n")


def test_subcommand_names_win_over_workspace_names(plugin: Plugin, kcp: FakeKcp) -> None:
    kcp.add("root:tree")
    assert plugin.ws("tree").out == ".\n└── root\n    └── tree\n\n"
    assert plugin.ws("use", "tree").out == "Current workspace is 'root:tree' (type root:universal).\n"
    # Flags before the subcommand apply to it.
    assert plugin.ws("--short", "use", "..").out == "root\n"


# --- client errors ----------------------------------------------------------------------------------


def test_error_texts_follow_client_go() -> None:
    resource = Resource("workspaces.tenancy.kcp.io", "x")
    assert str(error_from_response(404, "GET", resource, b"404 page not found", "text/plain")) == (
        "the server could not find the requested resource (get workspaces.tenancy.kcp.io x)"
    )
    forbidden = error_from_response(403, "GET", Resource(), b"denied by policy\n", "text/plain")
    assert (str(forbidden), forbidden.is_forbidden) == ("denied by policy", True)
    conflict = error_from_response(409, "POST", Resource("workspaces.tenancy.kcp.io"), b"", "application/json")
    assert conflict.is_already_exists
    boom = error_from_response(500, "GET", Resource(), b"boom", "text/plain")
    assert str(boom) == 'an error on the server ("boom") has prevented the request from succeeding'
    status_error = error_from_response(
        404, "GET", resource, json.dumps(status(404, "NotFound", "gone")[1]).encode(), "application/json"
    )
    assert isinstance(status_error, ApiError) and (status_error.message, status_error.is_not_found) == ("gone", True)


def test_https_with_ca_and_client_certificate(tmp_path: Path) -> None:
    """TLS as kcp's admin kubeconfig has it: the server's CA and a client certificate, inline."""
    import base64

    from apimachinery import pki

    paths = pki.ensure_pki(tmp_path / "pki", serving_hosts=["127.0.0.1", "localhost"])
    state = FakeKcp()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(paths.serving_cert, paths.serving_key)
    context.load_verify_locations(paths.ca_cert)
    context.verify_mode = ssl.CERT_REQUIRED
    server.socket = context.wrap_socket(server.socket, server_side=True)
    state.base_url = f"https://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        state.add("root:org")

        def b64(path: Path) -> str:
            return base64.b64encode(path.read_bytes()).decode()

        kubeconfig = tmp_path / "tls.kubeconfig"
        kubeconfig.write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "current-context": "root",
                    "clusters": [
                        {
                            "name": "root",
                            "cluster": {
                                "server": f"{state.base_url}/clusters/root",
                                "certificate-authority-data": b64(paths.ca_cert),
                            },
                        }
                    ],
                    "users": [
                        {
                            "name": "admin",
                            "user": {
                                "token": TOKEN,
                                "client-certificate-data": b64(paths.admin_cert),
                                "client-key-data": b64(paths.admin_key),
                            },
                        }
                    ],
                    "contexts": [{"name": "root", "context": {"cluster": "root", "user": "admin"}}],
                }
            ),
            encoding="utf-8",
        )
        plugin = Plugin(kubeconfig, tmp_path)
        assert plugin.ws("org") == Result(0, "Current workspace is 'root:org' (type root:universal).\n", "")
        # The copied cluster keeps the CA, so the next request verifies the server the same way.
        assert plugin.ws("tree") == Result(0, ".\n└── org\n\n", "")
        assert plugin.ws(":root", "--insecure-skip-tls-verify").code == 0
        # Without the CA the server's certificate is refused.
        result = plugin.ws("org", "--certificate-authority", str(tmp_path / "pki" / "front-proxy-client-ca.crt"))
        assert result.code == 1 and "certificate verify failed" in result.err
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_exec_credential_plugin_runs_only_when_a_request_is_made(plugin: Plugin, kcp: FakeKcp, tmp_path: Path) -> None:
    import sys

    marker = tmp_path / "exec-ran"
    script = (
        f"import json, pathlib; pathlib.Path({str(marker)!r}).touch(); "
        f"print(json.dumps({{'apiVersion': 'client.authentication.k8s.io/v1', 'kind': 'ExecCredential', "
        f"'status': {{'token': {TOKEN!r}}}}}))"
    )
    config = plugin.config()
    config["users"] = [
        {
            "name": "kplane-admin",
            "user": {
                "exec": {
                    "apiVersion": "client.authentication.k8s.io/v1",
                    "command": sys.executable,
                    "args": ["-c", script],
                }
            },
        }
    ]
    plugin.kubeconfig.write_text(yaml.safe_dump(config), encoding="utf-8")
    assert plugin.ws(".") == Result(0, "Current workspace is 'root'.\n", "")
    assert not marker.exists()
    assert plugin.ws("tree") == Result(0, ".\n└── root\n\n", "")
    assert marker.exists()


def test_no_kubeconfig_at_all(plugin: Plugin, tmp_path: Path) -> None:
    plugin.environ["KUBECONFIG"] = str(tmp_path / "absent")
    assert plugin.ws(".") == Result(
        1,
        "",
        "Error: invalid configuration: no configuration has been provided, "
        "try setting KUBERNETES_MASTER environment variable\n",
    )


def test_back_to_a_context_that_is_not_a_workspace(plugin: Plugin, kcp: FakeKcp) -> None:
    """kcp's "- with non-cluster context": the URL is printed, the APIBindings check reports why it was skipped."""
    plain = f"{kcp.base_url}/"
    config = plugin.config()
    config["clusters"].append({"name": "other", "cluster": {"server": plain}})
    config["contexts"].append({"name": PREVIOUS, "context": {"cluster": "other", "user": "kplane-admin"}})
    plugin.kubeconfig.write_text(yaml.safe_dump(config), encoding="utf-8")
    assert plugin.ws("-") == Result(
        0,
        f'Current workspace is the URL "{plain}".\n',
        f"error checking APIBindings: current cluster URL {plain} is not pointing to a workspace\n",
    )
    assert plugin.context(CURRENT) == {"cluster": "other", "user": "kplane-admin"}
    assert plugin.context(PREVIOUS) == {"cluster": "root", "user": "kplane-admin"}
    assert plugin.ws("-") == Result(0, "Current workspace is 'root'.\n", "")
