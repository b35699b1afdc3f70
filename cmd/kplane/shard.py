"""`kplane shard`: one shard process of a sharded installation, on a PKI directory shared with the others.

Without `--root-shard-url` the shard is the root shard (it holds `root`, the built-in WorkspaceTypes and
the Shard objects); with it, the shard registers its Shard in root through that URL and waits for the
root shard before it serves. `--root-dir` holds this shard's own state (embedded etcd data, the lock);
`--pki-dir` must already hold the installation's PKI (as `kplane start` writes it): several shard
processes share it, so none of them writes it. Once requests are served the process prints
`shard <name> is ready at <baseURL>`; SIGINT/SIGTERM stop it cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

import uvloop

from apimachinery.auth.tokenfile import TokenFileError, read_token_file
from apimachinery.pki import PkiPaths
from kplane.rootdir import RootDirInUseError, RootDirLock
from shard.config import ShardOptions
from shard.server import run_shard
from shard.topology.wiring import base_url


class PkiDirError(Exception):
    """The PKI directory is missing or incomplete."""


class OptionError(Exception):
    """A flag's value cannot be used."""


def add_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--name", default="root", help="shard name, also its label name=<name> (default root)")
    command.add_argument("--root-dir", required=True, type=Path, help="this shard's state: etcd data, lock")
    command.add_argument("--pki-dir", required=True, type=Path, help="the installation's PKI directory (must exist)")
    command.add_argument("--bind-address", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    command.add_argument("--port", default=6443, type=int, help="HTTPS port (default 6443)")
    command.add_argument("--etcd-servers", default="", help="comma-separated etcd URLs; default: embedded etcd")
    command.add_argument("--etcd-unsafe-no-fsync", action="store_true", help="embedded etcd skips fsync (tests)")
    command.add_argument("--etcd-compaction-interval", default=300.0, type=float,
                         help="seconds between compactions of etcd history (default 300)")
    command.add_argument("--watch-cache-size", default=10_000, type=int,
                         help="events the watch cache keeps for watchers that resume (default 10000)")
    command.add_argument("--root-shard-url", default="",
                         help="https URL of the root shard; empty: this shard is the root shard")
    command.add_argument("--external-url", default="",
                         help="URL users reach workspaces at (the front-proxy); default: this shard's URL")
    command.add_argument("--token-auth-file", default=None, type=Path,
                         help="kube's static token CSV; default: no token users but the admin")
    command.add_argument("--capacity", default="", help="workspaces this shard is sized for: its placement weight "
                         "(status.capacity.workspaces of its Shard); default: keep the Shard's, else 10000")
    command.add_argument("--labels", default="", help="extra labels of this shard's Shard, k=v,k2=v2 "
                         "(for spec.location.selector of workspaces)")
    command.add_argument("-v", "--verbose", action="store_true", help="log at debug level")


def main(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format=f"%(asctime)s %(levelname)s [{args.name}] %(name)s: %(message)s",
    )
    logging.getLogger("grpc").setLevel(logging.WARNING)
    try:
        options = options_of(args)
        with RootDirLock(options.root_dir):
            uvloop.run(_run(options))
    except (PkiDirError, OptionError, RootDirInUseError, TokenFileError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


def options_of(args: argparse.Namespace) -> ShardOptions:
    token_file: Path | None = args.token_auth_file.resolve() if args.token_auth_file else None
    if token_file is not None:
        read_token_file(token_file)  # a malformed file stops the start here, with its line named
    return ShardOptions(
        root_dir=args.root_dir.resolve(),
        pki=shared_pki(args.pki_dir.resolve()),
        bind_address=args.bind_address,
        port=args.port,
        etcd_servers=tuple(s for s in args.etcd_servers.split(",") if s),
        etcd_unsafe_no_fsync=args.etcd_unsafe_no_fsync,
        name=args.name,
        compaction_interval=args.etcd_compaction_interval,
        watch_cache_size=args.watch_cache_size,
        token_auth_file=token_file,
        root_shard_url=args.root_shard_url.rstrip("/"),
        external_url=args.external_url.rstrip("/"),
        shard_labels=parse_labels(args.labels),
        capacity=parse_capacity(args.capacity),
    )


def parse_labels(text: str) -> tuple[tuple[str, str], ...]:
    """`k=v,k2=v2` → pairs; a malformed item is an error naming it."""
    pairs = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise OptionError(f"--labels: {item!r} is not key=value")
        pairs.append((key, value))
    return tuple(pairs)


def parse_capacity(text: str) -> str:
    if text and (not text.isdigit() or int(text) <= 0):
        raise OptionError(f"--capacity: {text!r} is not a positive number of workspaces")
    return text


def shared_pki(directory: Path) -> PkiPaths:
    """The PKI files every shard reads; missing ones are an error, never created here (shards share them)."""
    if not directory.is_dir():
        raise PkiDirError(f"PKI directory {directory} does not exist; create it first (kplane start writes one)")
    paths = PkiPaths.in_directory(directory)
    needed = (
        paths.ca_cert, paths.serving_cert, paths.serving_key, paths.admin_token, paths.front_proxy_client_ca_cert,
        paths.service_account_key, paths.shard_client_cert, paths.shard_client_key,
    )
    missing = [path.name for path in needed if not path.exists()]
    if missing:
        raise PkiDirError(f"PKI directory {directory} lacks {', '.join(missing)}; run kplane start on it once")
    return paths


async def _run(options: ShardOptions) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    def ready() -> None:
        print(f"shard {options.name} is ready at {base_url(options)}", flush=True)

    await run_shard(options, ready=ready, stop=stop)
