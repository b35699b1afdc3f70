"""Entry point of the `kplane` command; uvloop is chosen here and nowhere else."""

from __future__ import annotations

import argparse
import sys

from kplane import frontproxy as front_proxy_command
from kplane import shard as shard_command
from kplane import start


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="kplane", description="A sharded, multi-tenant Kubernetes-compatible control plane."
    )
    commands = root.add_subparsers(dest="command", required=True)
    start.add_arguments(commands.add_parser("start", help="run etcd and a shard locally, write admin.kubeconfig"))
    shard_command.add_arguments(commands.add_parser("shard", help="run one shard of a sharded installation"))
    front_proxy_command.add_arguments(commands.add_parser("front-proxy", help="route users to the shards' workspaces"))
    commands.add_parser("version", help="print the version")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "version":
        print("kplane v0.1.0 (Kubernetes API v1.33)")
        return 0
    if args.command == "shard":
        return shard_command.main(args)
    if args.command == "front-proxy":
        return front_proxy_command.main(args)
    return start.main(args)


if __name__ == "__main__":
    sys.exit(main())
