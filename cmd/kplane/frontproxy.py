"""`kplane front-proxy`: one URL for every workspace of every shard of an installation.

It reads the installation's PKI directory (as `kplane start` writes it; nothing is written here): the
serving certificate it listens with, the client CA it verifies client certificates against, the
front-proxy client certificate it speaks to shards with, the admin token (so the admin kubeconfig works
through it) and, unless `--service-account-key-file` names others, the service-account key whose public
half verifies service-account tokens. Once requests are served it prints
`front-proxy is ready at https://<address>:<port>`; SIGINT/SIGTERM stop it cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

import uvloop

from apimachinery.auth.tokenfile import TokenFileError
from frontproxy.options import ConfigError, FrontProxyConfig, FrontProxyOptions
from frontproxy.server import run_front_proxy


def add_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--bind-address", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    command.add_argument("--port", default=6443, type=int, help="HTTPS port (default 6443)")
    command.add_argument("--pki-dir", required=True, type=Path, help="the installation's PKI directory (must exist)")
    command.add_argument("--root-shard-url", required=True, help="https URL of the root shard")
    command.add_argument("--token-auth-file", action="append", default=[], type=Path,
                         help="kube's static token CSV (token,user,uid,\"group1,group2\"); repeatable")
    command.add_argument("--service-account-key-file", action="append", default=[], type=Path,
                         help="PEM file of public (or private) keys that verify service-account tokens; "
                              "repeatable (default: <pki-dir>/service-account.key)")
    command.add_argument("-v", "--verbose", action="store_true", help="log at debug level")


def main(args: argparse.Namespace) -> int:
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s [front-proxy] %(name)s: %(message)s",
    )
    try:
        config = FrontProxyConfig.load(options_of(args))
    except (ConfigError, TokenFileError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    uvloop.run(_run(config))
    return 0


def options_of(args: argparse.Namespace) -> FrontProxyOptions:
    return FrontProxyOptions(
        pki_dir=args.pki_dir.resolve(),
        root_shard_url=args.root_shard_url,
        bind_address=args.bind_address,
        port=args.port,
        token_auth_files=tuple(path.resolve() for path in args.token_auth_file),
        service_account_key_files=tuple(path.resolve() for path in args.service_account_key_file),
    )


def _url(options: FrontProxyOptions) -> str:
    host = options.bind_address
    return f"https://{'[' + host + ']' if ':' in host else host}:{options.port}"


async def _run(config: FrontProxyConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    def ready() -> None:
        print(f"front-proxy is ready at {_url(config.options)}", flush=True)

    await run_front_proxy(config, ready=ready, stop=stop)
