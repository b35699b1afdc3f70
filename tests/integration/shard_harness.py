"""Start real `kplane shard` processes on a shared PKI and talk to them over HTTPS."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apimachinery.pki import PkiPaths, ensure_pki
from tests.integration.harness import BIN, COMPACTION_INTERVAL_SECONDS, WATCH_CACHE_SIZE, free_port

READY_TIMEOUT_SECONDS = 90


def make_pki(directory: Path) -> PkiPaths:
    """The installation's PKI, made as `kplane start` makes it (serving certificate for the loopback)."""
    return ensure_pki(directory, serving_hosts=["127.0.0.1", "localhost"])


@dataclass
class Api:
    """JSON over HTTPS to one shard, with the admin token (or another token)."""

    base_url: str
    pki: PkiPaths

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        context = ssl.create_default_context(cafile=str(self.pki.ca_cert))
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {token or self.pki.admin_token.read_text().strip()}")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, context=context, timeout=30) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")

    def ok(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        status, answer = self.call(method, path, body, token)
        assert 200 <= status < 300, f"{method} {path}: {status} {answer}"
        return answer


@dataclass
class ShardProcess:
    name: str
    port: int
    process: subprocess.Popen[str]
    ready_line: str
    api: Api

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)


def start_shard(
    name: str,
    *,
    root_dir: Path,
    pki: PkiPaths,
    etcd_endpoint: str,
    root_shard_url: str = "",
    extra_args: tuple[str, ...] = (),
) -> ShardProcess:
    port = free_port()
    command = [
        str(BIN / "kplane"),
        "shard",
        "--name",
        name,
        "--root-dir",
        str(root_dir),
        "--pki-dir",
        str(pki.directory),
        "--port",
        str(port),
        "--etcd-servers",
        etcd_endpoint,
        "--etcd-compaction-interval",
        str(COMPACTION_INTERVAL_SECONDS),
        "--watch-cache-size",
        str(WATCH_CACHE_SIZE),
        *(("--root-shard-url", root_shard_url) if root_shard_url else ()),
        *extra_args,
    ]
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith(f"shard {name} is ready at "):
            _drain(process, name)
            base_url = line.strip().rpartition(" ")[2]
            return ShardProcess(name, port, process, line.strip(), Api(base_url, pki))
    process.kill()
    raise RuntimeError(f"shard {name} did not become ready:\n" + "".join(lines))


def _drain(process: subprocess.Popen[str], name: str) -> None:
    """Keep reading the child's output so a full pipe never blocks it."""

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            sys.stderr.write(f"[{name}] {line}")

    threading.Thread(target=pump, daemon=True).start()
