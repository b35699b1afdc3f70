"""`python -m bench.workspaces`: create N empty workspaces under a small tree, then delete them, against a
`kplane start --etcd-servers` process over real HTTPS; memory per empty workspace from the shard's RSS.

One embedded etcd serves both sides. The tree: `--parents` workspaces under root (not measured), each
with N/parents leaves. Every leaf is a closed-loop operation of one of `--concurrency` clients: POST,
then wait until the watch of its parent reports it Ready; DELETE, then wait until it is gone. The
shard's VmRSS is read with no leaf, sampled during creation and read again once it has settled.

Baselines from the same run and the same etcd client: raw etcd puts of as many writes as creation
caused (same value size), raw deletes of as many keys as it left; figures are divided by the writes one
workspace costs, so each kplane figure has its raw-etcd equivalent and a ratio. Memory is compared with
the shard's RSS before any leaf and with the bytes etcd stores per workspace.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
from pathlib import Path

from bench import pyspy
from bench.footprint import EtcdFootprint, cpu_use, etcd_footprint, etcd_requests, rss_bytes, sampling, settled_rss
from bench.loadgen import Result, run
from bench.process import running_kplane
from bench.workspace_load import (
    Tree,
    create_leaves,
    create_parents,
    delete_leaves,
    delete_parents,
    ready_count,
    workspace_client,
)
from bench.workspace_report import Figures, report, write_doc
from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.embedded import EmbeddedEtcd, EmbeddedEtcdConfig


async def main(args: argparse.Namespace) -> Figures:
    tree = Tree(parents=args.parents, count=args.count, type_name=args.type)
    with tempfile.TemporaryDirectory(prefix="kplane-bench-ws-") as tmp:
        etcd_config = EmbeddedEtcdConfig(Path(tmp) / "etcd", unsafe_no_fsync=True)
        async with EmbeddedEtcd(etcd_config) as etcd, EtcdClient(etcd.client_config()) as etcd_client:
            assert etcd.pid is not None
            figures = await _through_kplane(args, tree, Path(tmp), etcd.endpoint, etcd_client, etcd.pid)
            figures.raw_put, figures.raw_delete = await _raw_etcd(etcd_client, figures, args.concurrency)
    return figures


async def _through_kplane(
    args: argparse.Namespace, tree: Tree, tmp: Path, endpoint: str, etcd_client: EtcdClient, etcd_pid: int
) -> Figures:
    extra = ("--watch-cache-size", str(args.watch_cache_size)) if args.watch_cache_size else ()
    async with running_kplane(tmp / "kplane", endpoint, extra) as server, workspace_client(server) as client:
        figures = Figures(tree=tree, concurrency=args.concurrency, rss_start=await settled_rss(server.pid))
        await create_parents(client, tree)
        figures.rss_before = await settled_rss(server.pid)
        figures.etcd_rss_before = rss_bytes(etcd_pid)
        before = await etcd_footprint(etcd_client)
        print(
            f"shard (pid {server.pid}) RSS {figures.rss_start / 2**20:.1f} MiB at start, "
            f"{figures.rss_before / 2**20:.1f} MiB with {tree.parents} parents; creating {tree.count} workspaces",
            flush=True,
        )
        pids = {"shard": server.pid, "etcd": etcd_pid, "load generator": os.getpid()}
        async with (
            _maybe_profile(args, server.pid, "create"),
            sampling(server.pid, lambda: ready_count(client)) as rss,
            cpu_use(pids) as figures.create_cpu,
            etcd_requests(endpoint) as figures.create_requests,
        ):
            figures.create = await create_leaves(client, tree, concurrency=args.concurrency)
        figures.rss_samples = rss
        figures.rss_after = await settled_rss(server.pid)
        figures.etcd_rss_after = rss_bytes(etcd_pid)
        after = await etcd_footprint(etcd_client)
        figures.stored = _difference(after, before)
        print(f"created: {figures.create.per_second:.1f}/s; shard RSS {figures.rss_after / 2**20:.1f} MiB", flush=True)
        async with (
            _maybe_profile(args, server.pid, "delete"),
            cpu_use(pids) as figures.delete_cpu,
            etcd_requests(endpoint) as figures.delete_requests,
        ):
            figures.delete = await delete_leaves(client, tree, concurrency=args.concurrency)
        gone = await etcd_footprint(etcd_client)
        figures.delete_writes = gone.revision - after.revision
        figures.left_keys = gone.keys - before.keys
        figures.rss_deleted = await settled_rss(server.pid)
        print(f"deleted: {figures.delete.per_second:.1f}/s", flush=True)
        await delete_parents(client, tree)
    return figures


def _difference(after: EtcdFootprint, before: EtcdFootprint) -> EtcdFootprint:
    return EtcdFootprint(
        after.revision - before.revision,
        after.keys - before.keys,
        after.key_bytes - before.key_bytes,
        after.value_bytes - before.value_bytes,
    )


def _maybe_profile(args: argparse.Namespace, pid: int, phase: str) -> contextlib.AbstractAsyncContextManager[None]:
    if not args.profile:
        return contextlib.nullcontext()
    args.profile.mkdir(parents=True, exist_ok=True)
    return pyspy.recording(pid, args.profile / f"{phase}.txt")


async def _raw_etcd(etcd_client: EtcdClient, figures: Figures, concurrency: int) -> tuple[Result, Result]:
    """As many puts as creation wrote (keys as many as it left, the rest overwrites, values of the mean
    size), then a delete of each of those keys; same client, same etcd, same concurrency."""
    stored = figures.stored
    keys = max(stored.keys, 1)
    value = b"v" * (stored.value_bytes // keys)

    async def put(index: int) -> None:
        await etcd_client.put(f"/raw/ws/{index % keys:08d}".encode(), value)

    async def delete(index: int) -> None:
        await etcd_client.delete(f"/raw/ws/{index:08d}".encode())

    started = time.perf_counter()
    puts = await run("etcd put", put, count=max(stored.revision, 1), concurrency=concurrency)
    deletes = await run("etcd delete", delete, count=keys, concurrency=concurrency)
    print(f"raw etcd baseline in {time.perf_counter() - started:.0f} s", flush=True)
    return puts, deletes


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.workspaces")
    parser.add_argument("--count", type=int, default=10_000, help="leaf workspaces (default 10000)")
    parser.add_argument("--parents", type=int, default=10, help="parents under root (default 10)")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--type", default="universal", help="WorkspaceType of every workspace (default universal)")
    parser.add_argument("--watch-cache-size", type=int, default=0, help="passed to kplane start (default: its own)")
    parser.add_argument("--profile", type=Path, help="record py-spy stacks of the shard into this directory")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    started = time.perf_counter()
    figures = asyncio.run(main(args))
    figures.wall_seconds = time.perf_counter() - started
    text = report(figures)
    print(text)
    if args.profile:
        for phase in ("create", "delete"):
            raw = args.profile / f"{phase}.txt"
            if raw.exists():
                print(pyspy.render(f"py-spy, {phase}", pyspy.summarise(raw)))
    if not args.no_write and not args.profile:
        write_doc(figures, text)


if __name__ == "__main__":
    cli()
