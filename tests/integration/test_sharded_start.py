"""`kplane start --shards 3`: three shards, each with its own etcd, behind one front-proxy URL.

Everything goes through the front-proxy (the admin kubeconfig points there) except what a user cannot
see: each shard's own view (its direct kubeconfig) and each shard's etcd (read directly), which show
where workspaces really live.
"""

from __future__ import annotations

import asyncio
import os
import queue
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.config import EtcdClientConfig
from shard.storage.etcd3.keys import prefix_range_end
from tests.integration.harness import Kplane, Kubectl, kubectl_binary, request_json, request_raw, start_kplane

SHARDS = ("root", "shard-1", "shard-2")
WORKSPACES = tuple(f"spread-{index}" for index in range(30))
READY_SECONDS = 60


@pytest.fixture(scope="module")
def installation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kplane]:
    server = start_kplane(tmp_path_factory.mktemp("sharded") / "root", extra_args=("--shards", str(len(SHARDS))))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def ctl(installation: Kplane) -> Kubectl:
    return Kubectl(kubectl_binary(), installation.kubeconfig)


@pytest.fixture(scope="module")
def spread(installation: Kplane) -> dict[str, Any]:
    """The 30 workspaces, created through the front-proxy and Ready; name → Workspace."""
    for name in WORKSPACES:
        status, body = request_json(installation, "POST", WORKSPACES_PATH, {"metadata": {"name": name}})
        assert status == 201, body
    return _wait_ready(installation, set(WORKSPACES))


WORKSPACES_PATH = "/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces"


def _wait_ready(installation: Kplane, names: set[str]) -> dict[str, Any]:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        _, listed = request_json(installation, "GET", WORKSPACES_PATH)
        ready = {
            item["metadata"]["name"]: item
            for item in listed.get("items", [])
            if item["metadata"]["name"] in names and (item.get("status") or {}).get("phase") == "Ready"
        }
        if len(ready) == len(names):
            return ready
        time.sleep(0.3)
    raise AssertionError("workspaces did not become Ready in time")


def _shard_of(workspace: dict[str, Any]) -> str:
    return str(workspace["metadata"]["annotations"]["core.kcp.io/shard"])


def _shard_dir(installation: Kplane, shard: str) -> Path:
    return installation.root_dir / "shards" / shard


def _shard_url(installation: Kplane, shard: str) -> str:
    port = (_shard_dir(installation, shard) / "port").read_text().strip()
    return f"https://127.0.0.1:{port}"


def _on_shard(installation: Kplane, shard: str, path: str) -> tuple[int, Any]:
    """A request straight to one shard, bypassing the front-proxy."""
    direct = Kplane(
        installation.root_dir, int(_shard_url(installation, shard).rsplit(":", 1)[1]), installation.process, ""
    )
    return request_json(direct, "GET", path)


def _etcd_keys(installation: Kplane, shard: str) -> list[str]:
    endpoint = (_shard_dir(installation, shard) / "etcd" / "client-url").read_text().strip()

    async def read() -> list[str]:
        async with EtcdClient(EtcdClientConfig(endpoint=endpoint)) as etcd_client:
            start = b"/registry/"
            result = await etcd_client.range(start, range_end=prefix_range_end(start), keys_only=True)
            return [kv.key.decode() for kv in result.kvs]

    return asyncio.run(read())


def test_workspaces_spread_over_every_shard_and_live_only_there(installation: Kplane, spread: dict[str, Any]) -> None:
    placed = {shard: {w["spec"]["cluster"] for w in spread.values() if _shard_of(w) == shard} for shard in SHARDS}
    counts = {shard: len(clusters) for shard, clusters in placed.items()}
    assert all(count >= 5 for count in counts.values()), counts  # equal capacities: about 10 each
    for shard in SHARDS:
        status, listed = _on_shard(installation, shard, "/clusters/*/apis/core.kcp.io/v1alpha1/logicalclusters")
        assert status == 200
        held = {item["metadata"]["annotations"]["kcp.io/cluster"] for item in listed["items"]}
        assert placed[shard] <= held
        others = set().union(*(placed[other] for other in SHARDS if other != shard))
        assert not held & others
        keys = _etcd_keys(installation, shard)
        assert all(any(f"/{cluster}/" in key for key in keys) for cluster in placed[shard])
        assert not [key for key in keys for cluster in others if f"/{cluster}/" in key]


def test_workspaces_are_labelled_with_their_phase(installation: Kplane, ctl: Kubectl, spread: dict[str, Any]) -> None:
    ready = ctl.ok("get", "workspaces", "-l", "tenancy.kcp.io/phase=Ready", "-o", "name")
    assert {line.removeprefix("workspace.tenancy.kcp.io/") for line in ready.split()} >= set(WORKSPACES)
    assert ctl.ok("get", "workspaces", "-l", "tenancy.kcp.io/phase=Scheduling", "-o", "name").strip() == ""


def test_every_workspace_is_reachable_through_the_front_proxy(installation: Kplane, spread: dict[str, Any]) -> None:
    for name in WORKSPACES:
        status, body = request_json(
            installation, "GET", f"/clusters/root:{name}/api/v1/namespaces/default/configmaps/kube-root-ca.crt"
        )
        assert status == 200, (name, body)


def test_kubectl_ws_reaches_every_workspace_on_every_shard(
    installation: Kplane, ctl: Kubectl, spread: dict[str, Any], tmp_path: Path
) -> None:
    config = tmp_path / "user.kubeconfig"
    config.write_text(installation.kubeconfig.read_text())
    user = Kubectl(ctl.binary, config)
    for name in WORKSPACES:
        moved = user.ws(f":root:{name}")
        assert moved.returncode == 0, moved.stderr
        assert f"Current workspace is 'root:{name}'" in moved.stdout
    for shard in SHARDS:  # and work there, one workspace per shard
        name = next(n for n, w in sorted(spread.items()) if _shard_of(w) == shard)
        assert user.ws(f":root:{name}").returncode == 0
        user.ok("create", "configmap", f"from-{shard}")
        assert f"from-{shard}" in user.ok("get", "configmaps")


def test_a_workspace_is_usable_at_once_and_gone_at_once(installation: Kplane, ctl: Kubectl, tmp_path: Path) -> None:
    config = tmp_path / "user.kubeconfig"
    config.write_text(installation.kubeconfig.read_text())
    user = Kubectl(ctl.binary, config)
    created = user.ws("create", "instant", "--enter")
    assert created.returncode == 0, created.stderr
    assert user.ok("create", "configmap", "first").strip() == "configmap/first created"
    user.ok("delete", "workspace", "instant", "--server", f"{installation.base_url}/clusters/root")
    deadline = time.monotonic() + READY_SECONDS
    while request_json(installation, "GET", f"{WORKSPACES_PATH}/instant")[0] != 404:
        assert time.monotonic() < deadline, "workspace not deleted"
        time.sleep(0.2)
    status, body = request_json(installation, "GET", "/clusters/root:instant/api/v1/namespaces/default/configmaps")
    assert (status, body.get("reason")) == (403, "Forbidden"), body


def test_watch_through_the_front_proxy_streams_events(
    installation: Kplane, ctl: Kubectl, spread: dict[str, Any]
) -> None:
    server = f"{installation.base_url}/clusters/root:{WORKSPACES[0]}"
    watch = subprocess.Popen(
        [
            ctl.binary,
            "--kubeconfig",
            str(ctl.kubeconfig),
            "--server",
            server,
            "get",
            "configmaps",
            "-w",
            "--no-headers",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert watch.stdout is not None
    threading.Thread(target=lambda: [lines.put(line) for line in watch.stdout or ()], daemon=True).start()
    try:
        _next_starting(lines, "kube-root-ca.crt", timeout=30)  # the initial list has arrived
        started = time.monotonic()
        ctl.ok("create", "configmap", "streamed", server=server)
        _next_starting(lines, "streamed", timeout=10)
        assert time.monotonic() - started < 10
    finally:
        watch.kill()
        watch.wait()


def test_an_unavailable_workspace_answers_503_through_the_front_proxy(installation: Kplane) -> None:
    assert request_json(installation, "POST", WORKSPACES_PATH, {"metadata": {"name": "doomed"}})[0] == 201
    _wait_ready(installation, {"doomed"})
    gone = request_json(
        installation, "DELETE", "/clusters/root:doomed/apis/core.kcp.io/v1alpha1/logicalclusters/cluster"
    )
    assert gone[0] == 200, gone
    deadline = time.monotonic() + READY_SECONDS
    while (request_json(installation, "GET", f"{WORKSPACES_PATH}/doomed")[1].get("status") or {}).get(
        "phase"
    ) != "Unavailable":
        assert time.monotonic() < deadline, "the workspace did not turn Unavailable"
        time.sleep(0.2)
    deadline = time.monotonic() + 10  # the front-proxy learns the phase from its watch of the parent's shard
    while (answer := request_raw(installation, "GET", "/clusters/root:doomed/api/v1/namespaces"))[0] != 503:
        assert time.monotonic() < deadline, answer
        time.sleep(0.1)
    assert answer[2] == b"Not available.\n"


def test_a_stopped_shard_answers_503_and_comes_back_with_its_data(
    installation: Kplane, ctl: Kubectl, spread: dict[str, Any]
) -> None:
    victim = "shard-2"
    on_victim = sorted(n for n, w in spread.items() if _shard_of(w) == victim)
    elsewhere = sorted(n for n, w in spread.items() if _shard_of(w) != victim)
    keep = f"{installation.base_url}/clusters/root:{on_victim[0]}"
    ctl.ok("create", "configmap", "survivor", "--from-literal=k=v", server=keep)
    pid = int((_shard_dir(installation, victim) / ".lock").read_text().strip())
    os.kill(pid, signal.SIGTERM)
    _wait_gone(pid)
    status, _, raw = request_raw(installation, "GET", f"/clusters/root:{on_victim[0]}/api/v1/namespaces")
    assert (status, raw) == (503, b"Not available.\n")  # kcp's front-proxy answer
    status, _ = request_json(installation, "GET", f"/clusters/root:{elsewhere[0]}/api/v1/namespaces")
    assert status == 200
    later = [f"after-{index}" for index in range(6)]
    for name in later:
        assert request_json(installation, "POST", WORKSPACES_PATH, {"metadata": {"name": name}})[0] == 201
    placed = _wait_ready(installation, set(later))
    assert victim not in {_shard_of(w) for w in placed.values()}
    command = shlex.split((_shard_dir(installation, victim) / "command").read_text())
    restarted = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_line(restarted, "is ready at")
        data = ctl.ok("get", "configmap", "survivor", "-o", "jsonpath={.data.k}", server=keep)
        assert data == "v"
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(30)


def _next_starting(lines: queue.Queue[str], prefix: str, *, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line.startswith(prefix):
            return line
    raise AssertionError(f"no watch line starting with {prefix!r} within {timeout} s")


def _wait_gone(pid: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError(f"process {pid} did not stop")


def _wait_line(process: subprocess.Popen[str], marker: str) -> None:
    assert process.stdout is not None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError("the shard exited before it was ready")
        if marker in line:
            threading.Thread(target=process.stdout.read, daemon=True).start()  # keep its pipe from filling
            return
    raise AssertionError("the shard was not ready in time")
