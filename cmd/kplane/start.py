"""`kplane start`: PKI on first start, etcd and the shard, the admin kubeconfig, and a `ready` line.

Without `--token-auth-file` the shard reads `<root-dir>/tokens.csv`, created on first start with one
non-admin user whose kubeconfig, `tenant.kubeconfig`, is written next to the admin's (cmd/kplane/users.py).

SIGINT/SIGTERM stop everything cleanly; the root directory keeps the data for the next start, and a
lock on it keeps a second instance out.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

import uvloop

from apimachinery.kubeconfig import write_admin_kubeconfig
from apimachinery.pki import PkiPaths, ensure_pki, read_token
from kplane.rootdir import RootDirInUseError, RootDirLock
from kplane.topology import Installation, run_installation
from kplane.users import TOKEN_FILE_NAME, ensure_token_file, write_tenant_kubeconfig
from shard.auth.tokenfile import TokenFileError, read_token_file
from shard.config import ShardOptions
from shard.server import run_shard


def add_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--root-dir", default=".kplane", type=Path, help="state directory (default .kplane)")
    command.add_argument("--bind-address", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    command.add_argument("--port", default=6443, type=int, help="HTTPS port (default 6443)")
    command.add_argument("--etcd-servers", default="", help="comma-separated etcd URLs; default: embedded etcd")
    command.add_argument("--etcd-unsafe-no-fsync", action="store_true", help="embedded etcd skips fsync (tests)")
    command.add_argument(
        "--etcd-compaction-interval",
        default=300.0,
        type=float,
        help="seconds between compactions of etcd history (default 300)",
    )
    command.add_argument(
        "--watch-cache-size",
        default=10_000,
        type=int,
        help="events the watch cache keeps for watchers that resume (default 10000)",
    )
    command.add_argument(
        "--token-auth-file",
        default=None,
        type=Path,
        help="kube's static token CSV (token,user,uid,\"group1,group2\"); default: <root-dir>/tokens.csv, "
        "created with a user 'tenant' whose kubeconfig is <root-dir>/tenant.kubeconfig",
    )
    command.add_argument(
        "--shards",
        default=1,
        type=int,
        help="number of shards; with 2 or more, each runs as its own process with its own embedded etcd "
        "under <root-dir>/shards/<name>, behind a front-proxy on --port (default 1: one shard serves --port)",
    )
    command.add_argument("-v", "--verbose", action="store_true", help="log at debug level")


def main(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("grpc").setLevel(logging.WARNING)
    root_dir: Path = args.root_dir
    try:
        with RootDirLock(root_dir):
            if args.shards > 1:
                return uvloop.run(run_installation(_installation(args)))
            options = _options(args)
            uvloop.run(_run(options))
    except (RootDirInUseError, TokenFileError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


def _installation(args: argparse.Namespace) -> Installation:
    if args.etcd_servers:
        raise ValueError("--etcd-servers cannot be combined with --shards: every shard runs its own etcd")
    root_dir: Path = args.root_dir.resolve()
    pki = ensure_pki(root_dir / "pki", serving_hosts=[args.bind_address, "localhost", "127.0.0.1"])
    token_file: Path = args.token_auth_file.resolve() if args.token_auth_file else ensure_token_file(root_dir)
    read_token_file(token_file)
    etcd_flags = ["--etcd-compaction-interval", str(args.etcd_compaction_interval)]
    etcd_flags += ["--watch-cache-size", str(args.watch_cache_size)]
    if args.etcd_unsafe_no_fsync:
        etcd_flags.append("--etcd-unsafe-no-fsync")
    return Installation(root_dir, pki, args.bind_address, args.port, args.shards, token_file, tuple(etcd_flags))


def _options(args: argparse.Namespace) -> ShardOptions:
    root_dir: Path = args.root_dir.resolve()
    pki = ensure_pki(root_dir / "pki", serving_hosts=[args.bind_address, "localhost", "127.0.0.1"])
    servers = tuple(s for s in args.etcd_servers.split(",") if s)
    token_file: Path = args.token_auth_file.resolve() if args.token_auth_file else ensure_token_file(root_dir)
    read_token_file(token_file)  # a malformed file stops the start here, with its line named
    return ShardOptions(
        root_dir=root_dir,
        pki=pki,
        bind_address=args.bind_address,
        port=args.port,
        etcd_servers=servers,
        etcd_unsafe_no_fsync=args.etcd_unsafe_no_fsync,
        compaction_interval=args.etcd_compaction_interval,
        watch_cache_size=args.watch_cache_size,
        token_auth_file=token_file,
    )


async def _run(options: ShardOptions) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    kubeconfig = options.root_dir / "admin.kubeconfig"

    def ready() -> None:
        _write_kubeconfig(kubeconfig, options)
        if options.token_auth_file == options.root_dir / TOKEN_FILE_NAME:
            ca_pem = options.pki.ca_cert.read_bytes()
            write_tenant_kubeconfig(options.root_dir, options.token_auth_file, server_url=_server_url(options),
                                    ca_pem=ca_pem)
        print(
            f"kplane is ready at https://{_host(options)}:{options.port}/clusters/root; export KUBECONFIG={kubeconfig}",
            flush=True,
        )

    await run_shard(options, ready=ready, stop=stop)


def _host(options: ShardOptions) -> str:
    return f"[{options.bind_address}]" if ":" in options.bind_address else options.bind_address


def _server_url(options: ShardOptions) -> str:
    return f"https://{_host(options)}:{options.port}/clusters/root"


def _write_kubeconfig(path: Path, options: ShardOptions) -> None:
    pki: PkiPaths = options.pki
    write_admin_kubeconfig(
        path,
        server_url=_server_url(options),
        ca_pem=pki.ca_cert.read_bytes(),
        context_name="root",
        token=read_token(pki.admin_token),
        client_cert_pem=None,
        client_key_pem=None,
    )
