"""`kplane start --shards N` with N ≥ 2: a sharded installation on one machine, as child processes.

The root shard (`root`) starts first, then `shard-1` … `shard-<N-1>` (each a `kplane shard` with its own
embedded etcd and state under `DIR/shards/<name>/`), then the front-proxy on `--port`. All share the PKI
of `DIR/pki`. The admin and tenant kubeconfigs point at the front-proxy; each shard also gets a direct
kubeconfig, `DIR/shards/<name>/admin.kubeconfig`, and a `command` file with the exact command that
starts it again. A shard keeps its port across starts (`DIR/shards/<name>/port`), so its Shard object's
baseURL stays the same.

A child that exits is reported and left stopped: the installation keeps serving the other shards' workspaces
(the front-proxy answers 503 for the stopped one), and the shard can be started again by its `command`.
SIGINT/SIGTERM stop the front-proxy first, then the shards in reverse order.
"""

from __future__ import annotations

import asyncio
import contextlib
import shlex
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from apimachinery.kubeconfig import write_admin_kubeconfig
from apimachinery.pki import PkiPaths, read_token
from kplane.users import TOKEN_FILE_NAME, write_tenant_kubeconfig

READY_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 30.0
ROOT_SHARD = "root"


@dataclass(frozen=True)
class Installation:
    """What `kplane start` decided before the children start."""

    root_dir: Path
    pki: PkiPaths
    bind_address: str
    port: int
    shards: int
    token_file: Path
    etcd_flags: tuple[str, ...]  # passed to every shard (fsync, compaction interval, watch cache size)

    @property
    def host(self) -> str:
        return f"[{self.bind_address}]" if ":" in self.bind_address else self.bind_address

    @property
    def external_url(self) -> str:
        return f"https://{self.host}:{self.port}"

    def shard_names(self) -> list[str]:
        return [ROOT_SHARD, *(f"shard-{index}" for index in range(1, self.shards))]

    def shard_dir(self, name: str) -> Path:
        return self.root_dir / "shards" / name


@dataclass
class Child:
    name: str
    process: asyncio.subprocess.Process
    relay: asyncio.Task[None] | None = None  # copies its output; held so it is not collected


def shard_command(installation: Installation, name: str, port: int) -> list[str]:
    command = [
        str(Path(sys.executable).parent / "kplane"),
        "shard",
        "--name",
        name,
        "--root-dir",
        str(installation.shard_dir(name)),
        "--pki-dir",
        str(installation.pki.directory),
        "--bind-address",
        installation.bind_address,
        "--port",
        str(port),
        "--external-url",
        installation.external_url,
        "--token-auth-file",
        str(installation.token_file),
        *installation.etcd_flags,
    ]
    if name != ROOT_SHARD:
        command += ["--root-shard-url", shard_url(installation, shard_port(installation, ROOT_SHARD))]
    return command


def front_proxy_command(installation: Installation) -> list[str]:
    return [
        str(Path(sys.executable).parent / "kplane"),
        "front-proxy",
        "--bind-address",
        installation.bind_address,
        "--port",
        str(installation.port),
        "--pki-dir",
        str(installation.pki.directory),
        "--root-shard-url",
        shard_url(installation, shard_port(installation, ROOT_SHARD)),
        "--token-auth-file",
        str(installation.token_file),
    ]


def shard_url(installation: Installation, port: int) -> str:
    return f"https://{installation.host}:{port}"


def shard_port(installation: Installation, name: str) -> int:
    """The port this shard had before, or a free one, remembered in `DIR/shards/<name>/port`."""
    remembered = installation.shard_dir(name) / "port"
    if remembered.exists():
        return int(remembered.read_text().strip())
    port = _free_port(installation.bind_address)
    remembered.parent.mkdir(parents=True, exist_ok=True)
    remembered.write_text(f"{port}\n")
    return port


def _free_port(address: str) -> int:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family) as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


async def run_installation(installation: Installation, *, ready: asyncio.Event | None = None) -> int:
    """Start every child, announce readiness, wait for a signal, stop them all. Exit code 1 if a child
    failed to start."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    children: list[Child] = []
    try:
        await _start_all(installation, children)
    except ChildFailed as err:
        print(f"error: {err}", file=sys.stderr, flush=True)
        await _stop_all(children)
        return 1
    _write_kubeconfigs(installation)
    kubeconfig = installation.root_dir / "admin.kubeconfig"
    print(
        f"kplane is ready at {installation.external_url}/clusters/root ({installation.shards} shards behind the "
        f"front-proxy); export KUBECONFIG={kubeconfig}",
        flush=True,
    )
    await stop.wait()
    await _stop_all(children)
    return 0


class ChildFailed(Exception):
    """A child process exited or stayed silent before it was ready."""


async def _start_all(installation: Installation, children: list[Child]) -> None:
    names = installation.shard_names()
    children.append(await _start(ROOT_SHARD, _shard_command_of(installation, ROOT_SHARD), "is ready at"))
    others = await asyncio.gather(
        *(_start(name, _shard_command_of(installation, name), "is ready at") for name in names[1:]),
        return_exceptions=True,
    )
    for started in others:
        if isinstance(started, BaseException):
            raise started if isinstance(started, ChildFailed) else ChildFailed(str(started))
        children.append(started)
    children.append(await _start("front-proxy", front_proxy_command(installation), "front-proxy is ready at"))


def _shard_command_of(installation: Installation, name: str) -> list[str]:
    command = shard_command(installation, name, shard_port(installation, name))
    (installation.shard_dir(name) / "command").write_text(shlex.join(command) + "\n")
    return command


async def _start(name: str, command: list[str], ready_marker: str) -> Child:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    child = Child(name, process)
    try:
        await asyncio.wait_for(_until_ready(child, ready_marker), READY_TIMEOUT_SECONDS)
    except TimeoutError:
        process.kill()
        raise ChildFailed(f"{name} was not ready within {READY_TIMEOUT_SECONDS:.0f} s") from None
    child.relay = asyncio.create_task(_relay(child))
    return child


async def _until_ready(child: Child, ready_marker: str) -> None:
    assert child.process.stdout is not None
    while True:
        line = (await child.process.stdout.readline()).decode(errors="replace")
        if not line:
            code = await child.process.wait()
            raise ChildFailed(f"{child.name} exited with code {code} before it was ready")
        print(f"[{child.name}] {line}", end="", flush=True)
        if ready_marker in line:
            return


async def _relay(child: Child) -> None:
    """Copy the child's output (prefixed with its name) and report when it exits."""
    assert child.process.stdout is not None
    async for raw in child.process.stdout:
        print(f"[{child.name}] {raw.decode(errors='replace')}", end="", flush=True)
    code = await child.process.wait()
    print(f"{child.name} exited with code {code}", flush=True)


async def _stop_all(children: list[Child]) -> None:
    for child in reversed(children):
        if child.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                child.process.terminate()
            try:
                await asyncio.wait_for(child.process.wait(), STOP_TIMEOUT_SECONDS)
            except TimeoutError:
                child.process.kill()
                await child.process.wait()


def _write_kubeconfigs(installation: Installation) -> None:
    ca_pem = installation.pki.ca_cert.read_bytes()
    token = read_token(installation.pki.admin_token)

    def write(path: Path, server: str) -> None:
        write_admin_kubeconfig(
            path,
            server_url=f"{server}/clusters/root",
            ca_pem=ca_pem,
            context_name="root",
            token=token,
            client_cert_pem=None,
            client_key_pem=None,
        )

    write(installation.root_dir / "admin.kubeconfig", installation.external_url)
    if installation.token_file == installation.root_dir / TOKEN_FILE_NAME:
        write_tenant_kubeconfig(
            installation.root_dir,
            installation.token_file,
            server_url=f"{installation.external_url}/clusters/root",
            ca_pem=ca_pem,
        )
    for name in installation.shard_names():
        write(
            installation.shard_dir(name) / "admin.kubeconfig", shard_url(installation, shard_port(installation, name))
        )
