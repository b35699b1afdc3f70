"""`kplane front-proxy` in front of a real `kplane start` shard: kubectl and `kubectl ws` through it, watches
streamed as events happen, kcp's 403 and 503, identity headers clients cannot inject, service-account tokens,
and the index fed from the shard's watches (routing without a read-through)."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from apimachinery.auth.tokenfile import find_user, read_token_file
from tests.integration.harness import BIN, Kplane, Kubectl, free_port, kubectl_binary, request_raw, start_kplane

READY_TIMEOUT_SECONDS = 30
EVENT_DEADLINE_SECONDS = 5.0  # far below any timeout: kubectl's, the proxy's or the shard's
AS_ADMIN = {"X-Remote-User": "kplane-admin", "X-Remote-Group": "system:masters"}


@dataclass
class FrontProxy:
    process: subprocess.Popen[str]
    port: int
    shard: Kplane

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def as_kplane(self) -> Kplane:
        """The proxy seen through the harness's request helpers (same CA, same admin token)."""
        return Kplane(self.shard.root_dir, self.port, self.process, "")

    def metric(self, name: str) -> float:
        status, _, body = request_raw(self.as_kplane(), "GET", "/metrics")
        assert status == 200
        match = re.search(rf"^{re.escape(name)} (\S+)$", body.decode(), re.MULTILINE)
        return float(match.group(1)) if match else 0.0


def _start_front_proxy(shard: Kplane) -> FrontProxy:
    port = free_port()
    command = [
        str(BIN / "kplane"),
        "front-proxy",
        "--port",
        str(port),
        "--pki-dir",
        str(shard.root_dir / "pki"),
        "--root-shard-url",
        shard.base_url,
        "--token-auth-file",
        str(shard.root_dir / "tokens.csv"),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if line.startswith("front-proxy is ready at https://"):
            threading.Thread(target=_drain, args=(process,), daemon=True).start()
            return FrontProxy(process, port, shard)
    process.kill()
    raise RuntimeError("the front-proxy did not become ready")


def _drain(process: subprocess.Popen[str]) -> None:
    """Keep reading the proxy's output so a full pipe never blocks it."""
    for _ in process.stdout or []:
        pass


@pytest.fixture(scope="module")
def shard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kplane]:
    server = start_kplane(tmp_path_factory.mktemp("fp") / "root")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxy(shard: Kplane) -> Iterator[FrontProxy]:
    front_proxy = _start_front_proxy(shard)
    yield front_proxy
    front_proxy.process.terminate()
    front_proxy.process.wait(timeout=30)


@pytest.fixture(scope="module")
def via_proxy(proxy: FrontProxy, tmp_path_factory: pytest.TempPathFactory) -> Kubectl:
    """kubectl with the admin kubeconfig rewritten to the proxy's URL."""
    kubeconfig = tmp_path_factory.mktemp("kubeconfig") / "proxy.kubeconfig"
    kubeconfig.write_text(proxy.shard.kubeconfig.read_text().replace(proxy.shard.base_url, proxy.url))
    return Kubectl(kubectl_binary(), kubeconfig)


def _ws(ctl: Kubectl, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}", "KUBECONFIG": str(ctl.kubeconfig)}
    return subprocess.run([ctl.binary, "ws", *args], capture_output=True, text=True, timeout=60, env=env)


def _tenant_token(shard: Kplane) -> str:
    record = find_user(read_token_file(shard.root_dir / "tokens.csv"), "tenant")
    assert record is not None
    return record.token


def test_kubectl_creates_and_gets_configmaps_in_root(via_proxy: Kubectl, shard: Kplane, tmp_path: Path) -> None:
    via_proxy.ok("-n", "default", "create", "configmap", "through-proxy", "--from-literal=a=b")
    assert via_proxy.ok("-n", "default", "get", "cm", "through-proxy", "-o", "jsonpath={.data.a}") == "b"
    direct = Kubectl(via_proxy.binary, shard.kubeconfig)
    assert direct.ok("-n", "default", "get", "cm", "through-proxy", "-o", "name") == "configmap/through-proxy\n"
    big = tmp_path / "big.txt"
    big.write_text("0123456789abcdef" * 64 * 1024)  # 1 MiB each way: bodies are streamed, not cut
    via_proxy.ok("-n", "default", "create", "configmap", "big-one", f"--from-file={big}")
    assert via_proxy.ok("-n", "default", "get", "cm", "big-one", "-o", "jsonpath={.data.big\\.txt}") == big.read_text()


def test_a_workspace_is_usable_right_after_create_and_forbidden_right_after_delete(
    proxy: FrontProxy, via_proxy: Kubectl, tmp_path: Path
) -> None:
    ctl = Kubectl(via_proxy.binary, tmp_path / "ws.kubeconfig")
    shutil.copy(via_proxy.kubeconfig, ctl.kubeconfig)
    created = _ws(ctl, "create", "fresh", "--enter")
    assert created.returncode == 0, created.stderr
    server = ctl.ok("config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}")
    assert server == f"{proxy.url}/clusters/root:fresh"
    ctl.ok("create", "configmap", "inside", "--from-literal=x=1")  # at once: no wait for any index
    assert ctl.ok("get", "cm", "inside", "-o", "jsonpath={.data.x}") == "1"
    via_proxy.ok("delete", "workspace", "fresh")
    result = ctl.run("get", "cm", "inside")
    assert result.returncode == 1
    assert result.stderr.strip() == "Error from server (Forbidden): workspace access not permitted"


def test_kubectl_watch_receives_events_as_they_happen(via_proxy: Kubectl) -> None:
    name = f"watched-{uuid.uuid4().hex[:8]}"
    command = [
        via_proxy.binary,
        "--kubeconfig",
        str(via_proxy.kubeconfig),
        "-n",
        "default",
        "get",
        "cm",
        "-w",
        "--output-watch-events",
    ]
    watch = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    lines: queue.Queue[tuple[float, str]] = queue.Queue()

    def pump() -> None:
        assert watch.stdout is not None
        for line in watch.stdout:
            lines.put((time.monotonic(), line.strip()))

    threading.Thread(target=pump, daemon=True).start()
    try:
        _wait_for_line(lines, "ADDED through-proxy")  # the initial list arrived: the watch is open
        created_at = time.monotonic()
        via_proxy.ok("-n", "default", "create", "configmap", name)
        arrived_at = _wait_for_line(lines, f"ADDED {name}")
        assert arrived_at - created_at < EVENT_DEADLINE_SECONDS
        deleted_at = time.monotonic()
        via_proxy.ok("-n", "default", "delete", "configmap", name)
        assert _wait_for_line(lines, f"DELETED {name}") - deleted_at < EVENT_DEADLINE_SECONDS
        assert watch.poll() is None  # still streaming
    finally:
        watch.terminate()
        watch.wait(timeout=10)


def _wait_for_line(lines: queue.Queue[tuple[float, str]], wanted: str) -> float:
    deadline, seen = time.monotonic() + 30, []
    while time.monotonic() < deadline:
        try:
            at, line = lines.get(timeout=deadline - time.monotonic())
        except queue.Empty:
            break
        if line.split()[:2] == wanted.split():  # a table row: EVENT NAME DATA AGE
            return at
        seen.append(line)
    raise AssertionError(f"no watch line with {wanted!r}: {seen}")


@pytest.mark.parametrize(
    "path",
    ["/clusters/root:no-such-workspace/api/v1/configmaps", "/clusters/*/api/v1/configmaps", "/clusters/nosuchcluster"],
)
def test_unknown_paths_and_the_wildcard_are_kcps_403(proxy: FrontProxy, path: str) -> None:
    status, headers, body = request_raw(proxy.as_kplane(), "GET", path)
    assert (status, headers["Content-Type"]) == (403, "application/json")
    assert body == (
        b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        b'"message":"workspace access not permitted","reason":"Forbidden","code":403}'
    )


def test_requests_without_credentials_are_401_but_health_answers(proxy: FrontProxy) -> None:
    status, _, body = request_raw(proxy.as_kplane(), "GET", "/clusters/root/api", token="")
    assert status == 401 and b'"reason":"Unauthorized"' in body
    assert request_raw(proxy.as_kplane(), "GET", "/readyz", token="")[0] == 200


def test_identity_headers_sent_by_a_client_are_never_believed(proxy: FrontProxy, shard: Kplane) -> None:
    path = "/clusters/root/api/v1/namespaces/default/configmaps"
    tenant = _tenant_token(shard)
    status, body = _get_with_headers(proxy, path, tenant, {**AS_ADMIN, "X-Remote-Extra-Scopes": "x"})
    assert status == 403
    assert 'User "tenant" cannot list resource "configmaps"' in json.loads(body)["message"]
    assert _get_with_headers(proxy, path, shard.token, {})[0] == 200  # the same request as the admin


def test_impersonation_passes_through_for_the_shard_to_authorize(via_proxy: Kubectl) -> None:
    result = via_proxy.run("--as", "tenant", "-n", "default", "get", "configmaps")
    assert 'User "tenant" cannot list resource "configmaps"' in result.stderr


def _get_with_headers(proxy: FrontProxy, path: str, token: str, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(proxy.url + path, headers={**headers, "Authorization": f"Bearer {token}"})
    context = ssl.create_default_context(cafile=str(proxy.shard.ca_file))
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_service_account_tokens_work_while_their_account_exists(via_proxy: Kubectl) -> None:
    via_proxy.ok("-n", "default", "create", "serviceaccount", "proxied-robot")
    token = via_proxy.ok("-n", "default", "create", "token", "proxied-robot").strip()
    result = via_proxy.run("--token", token, "-n", "default", "get", "configmaps")
    assert 'User "system:serviceaccount:default:proxied-robot" cannot list resource "configmaps"' in result.stderr
    via_proxy.ok("-n", "default", "delete", "serviceaccount", "proxied-robot")
    deadline = time.monotonic() + 30
    while "Unauthorized" not in result.stderr and time.monotonic() < deadline:
        time.sleep(0.5)
        result = via_proxy.run("--token", token, "-n", "default", "get", "configmaps")
    assert result.stderr.strip() == "error: You must be logged in to the server (Unauthorized)"


def test_a_workspace_created_on_the_shard_is_routed_from_the_index(proxy: FrontProxy, shard: Kplane) -> None:
    direct = Kubectl(kubectl_binary(), shard.kubeconfig)
    indexed_before = proxy.metric('kplane_front_proxy_index_entries{kind="workspaces"}')
    direct.ok(
        "create",
        "-f",
        "-",
        input=("apiVersion: tenancy.kcp.io/v1alpha1\nkind: Workspace\nmetadata:\n  name: made-on-shard\n"),
    )
    direct.ok("wait", "--for=jsonpath={.status.phase}=Ready", "workspace/made-on-shard", "--timeout=60s")
    deadline = time.monotonic() + 30
    while proxy.metric('kplane_front_proxy_index_entries{kind="workspaces"}') <= indexed_before:
        assert time.monotonic() < deadline, "the feeder never indexed the new workspace"
        time.sleep(0.2)
    read_through = proxy.metric('kplane_front_proxy_lookups_total{source="read_through"}')
    from_index = proxy.metric('kplane_front_proxy_lookups_total{source="index"}')
    status, _, _ = request_raw(proxy.as_kplane(), "GET", "/clusters/root:made-on-shard/api/v1/namespaces")
    assert status == 200
    assert proxy.metric('kplane_front_proxy_lookups_total{source="read_through"}') == read_through
    assert proxy.metric('kplane_front_proxy_lookups_total{source="index"}') >= from_index + 1


def test_the_home_workspace_is_created_on_the_root_shard_and_reachable_by_user_path(
    proxy: FrontProxy, shard: Kplane
) -> None:
    tenant = _tenant_token(shard)
    status, body = _get_with_headers(proxy, "/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~", tenant, {})
    assert status == 200, body
    home = json.loads(body)
    assert home["spec"]["URL"].endswith("/clusters/" + home["spec"]["cluster"])
    status, body = _get_with_headers(proxy, "/clusters/user:tenant/api/v1/namespaces/default/configmaps", tenant, {})
    assert status == 200, body
    assert json.loads(body)["kind"] == "ConfigMapList"


def test_a_stopped_shard_is_503_through_the_proxy(proxy: FrontProxy, shard: Kplane, via_proxy: Kubectl) -> None:
    shard.stop()
    status, headers, body = request_raw(proxy.as_kplane(), "GET", "/clusters/root/api/v1/namespaces")
    assert (status, body) == (503, b"Not available.\n")
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    result = via_proxy.run("-n", "default", "get", "configmaps")
    assert "Error from server (ServiceUnavailable)" in result.stderr
