"""Start `kplane start` against a given etcd for a benchmark, and stop it afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

READY_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class Server:
    base_url: str
    token: str
    ca_file: Path
    pid: int = 0  # the shard process, for RSS readings
    tenant_token: str = ""  # the non-admin user `kplane start` writes to tokens.csv


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def running_kplane(
    root_dir: Path,
    etcd_endpoint: str,
    extra_args: tuple[str, ...] = (),
    *,
    ready_timeout: float = READY_TIMEOUT_SECONDS,
) -> AsyncIterator[Server]:
    """`kplane start` on a free port; an empty `etcd_endpoint` lets it run its own etcd (or one per shard)."""
    port = _free_port()
    kplane = Path(sys.executable).parent / "kplane"
    etcd = ("--etcd-servers", etcd_endpoint) if etcd_endpoint else ()
    process = await asyncio.create_subprocess_exec(
        str(kplane),
        "start",
        "--root-dir",
        str(root_dir),
        "--port",
        str(port),
        *etcd,
        *extra_args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await asyncio.wait_for(_ready(process), ready_timeout)
        token = (root_dir / "pki" / "admin.token").read_text().strip()
        tenant_token = _first_token(root_dir / "tokens.csv")
        yield Server(f"https://127.0.0.1:{port}", token, root_dir / "pki" / "ca.crt", process.pid, tenant_token)
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


def _first_token(token_file: Path) -> str:
    lines = token_file.read_text().splitlines() if token_file.exists() else []
    return lines[0].split(",", 1)[0] if lines else ""


async def _ready(process: asyncio.subprocess.Process) -> None:
    assert process.stdout is not None
    while True:
        line = (await process.stdout.readline()).decode()
        if not line:
            raise RuntimeError("kplane exited before it was ready")
        if "ready" in line and "KUBECONFIG" in line:
            asyncio.ensure_future(_drain(process))
            return


async def _drain(process: asyncio.subprocess.Process) -> None:
    """Read the server's output so it never blocks on a full pipe; kept in the file KPLANE_BENCH_SERVER_LOG
    names, if set (to look at what a benchmark run logged)."""
    assert process.stdout is not None
    log_path = os.environ.get("KPLANE_BENCH_SERVER_LOG")
    with open(log_path, "ab") if log_path else contextlib.nullcontext() as log:  # noqa: SIM115
        while line := await process.stdout.readline():
            if log is not None:
                log.write(line)
