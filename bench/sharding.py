"""`make bench-sharding` (`python -m bench.sharding`): what the front-proxy costs, and workspace creation
over 1, 2 and 4 shards, with the CPU each process spends per operation; figures to stdout and
docs/benchmarks.md ("## Front-proxy and shards").

1. Proxy overhead, in one `kplane start --shards 2`: the create/get/list/watch figures of `make bench`
   (bench/scenarios.py) directly against the root shard's own URL (`/clusters/root`), then through the
   front-proxy into a workspace placed on the root shard by `spec.location.selector`, so both runs reach the
   same shard and etcd and their objects never collide.
2. Workspace creation: for each shard count a fresh `kplane start [--shards N]` in its own temp dir on a free
   port, parents then leaves created by closed-loop clients (bench/workspace_load.py).
3. CPU: utime + stime of every process of the installation (bench/procs.py) around each figure of 1 and
   around the creation phase of 2, divided by the operations.

`--profile DIR` also samples the front-proxy with py-spy during each figure through it (DIR/<figure>.txt)
and prints where its time went; py-spy takes CPU on the same cores, so such runs are not recorded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

from apimachinery.apis.tenancy_kcp_io import SHARD_ANNOTATION
from bench import pyspy, scenarios
from bench.footprint import CpuUse, cpu_use
from bench.loadgen import Result, run
from bench.process import Server, running_kplane
from bench.procs import kplane_processes, own_core
from bench.sharding_figures import CreationRun, ProxyRun, ShardingFigures, by_parent_shard
from bench.sharding_report import report, write_doc
from bench.workspace_load import Tree, WorkspaceClient, create_parents, workspace_client

READY_TIMEOUT_SECONDS = 300.0  # N shards start one after another on 2 busy cores
PROXY_WORKSPACE = "bench-proxy"
FRONT_PROXY = "front-proxy"  # its name in bench/procs.py
WORKSPACE_READY_SECONDS = 120.0


def _start_args(shards: int) -> tuple[str, ...]:
    return ("--etcd-unsafe-no-fsync", *(("--shards", str(shards)) if shards > 1 else ()))


def _shard_url(root_dir: Path, shard: str) -> str:
    """A shard's own URL; `kplane start --shards` keeps its port in DIR/shards/<name>/port."""
    return f"https://127.0.0.1:{(root_dir / 'shards' / shard / 'port').read_text().strip()}"


def cpu_per_figure(pids: dict[str, int], phases: dict[str, CpuUse], profile: Path | None = None) -> scenarios.Measure:
    """A `measure` for scenarios.through_https that records each figure's CPU use into `phases` (and, with
    `profile`, samples the front-proxy into profile/<figure>.txt)."""

    @contextlib.asynccontextmanager
    async def measure(figure: str) -> AsyncIterator[object]:
        async with contextlib.AsyncExitStack() as stack:
            if profile is not None:
                await stack.enter_async_context(pyspy.recording(pids[FRONT_PROXY], profile / f"{figure}.txt"))
            use = await stack.enter_async_context(cpu_use(pids))
            phases[figure] = use
            yield use

    return measure


def print_profiles(profile: Path) -> None:
    for raw in sorted(profile.glob("*.txt")):
        print(pyspy.render(f"py-spy of the front-proxy, {raw.stem}", pyspy.summarise(raw, top=40)), flush=True)


async def proxy_overhead(args: argparse.Namespace) -> tuple[ProxyRun, ProxyRun | None]:
    """The figures on cores shared by every process, then (with 2 CPUs or more, unless --no-own-core) with
    the front-proxy on a core of its own, each pair in logical clusters of its own on the root shard."""
    with tempfile.TemporaryDirectory(prefix="kplane-bench-proxy-") as tmp:
        root_dir = Path(tmp) / "kplane"
        async with running_kplane(root_dir, "", _start_args(2), ready_timeout=READY_TIMEOUT_SECONDS) as started:
            # The RBAC-checked get of make bench needs a binding in the workspace; it is not a proxy figure.
            front = replace(started, tenant_token="")
            direct = replace(front, base_url=_shard_url(root_dir, "root"))
            pids = kplane_processes(started.pid)
            print(f"processes: {pids}", flush=True)
            await pinned_workspace(front, PROXY_WORKSPACE, shard="root")
            shared = await _proxy_pair(args, pids, (direct, "root"), (front, f"root:{PROXY_WORKSPACE}"), args.profile)
            apart = None
            if args.own_core and len(os.sched_getaffinity(0)) >= 2:
                direct_cluster = await pinned_workspace(front, f"{PROXY_WORKSPACE}-direct", shard="root")
                await pinned_workspace(front, f"{PROXY_WORKSPACE}-apart", shard="root")
                with own_core(pids, FRONT_PROXY):
                    print("front-proxy on a core of its own", flush=True)
                    apart = await _proxy_pair(
                        args, pids, (direct, direct_cluster), (front, f"root:{PROXY_WORKSPACE}-apart"), None
                    )
    if args.profile is not None:
        print_profiles(args.profile)
    return shared, apart


Target = tuple[Server, str]  # where a pass sends its requests: the server and the cluster (path or name)


async def _proxy_pair(
    args: argparse.Namespace, pids: dict[str, int], direct: Target, proxied: Target, profile: Path | None
) -> ProxyRun:
    figures = {"count": args.count, "concurrency": args.concurrency, "watchers": args.watchers}
    direct_cpu: dict[str, CpuUse] = {}
    proxied_cpu: dict[str, CpuUse] = {}
    started_at = time.perf_counter()
    direct_results = await scenarios.through_https(
        direct[0], **figures, cluster=direct[1], measure=cpu_per_figure(pids, direct_cpu)
    )
    print(f"direct figures in {time.perf_counter() - started_at:.0f} s", flush=True)
    started_at = time.perf_counter()
    proxied_results = await scenarios.through_https(
        proxied[0], **figures, cluster=proxied[1], measure=cpu_per_figure(pids, proxied_cpu, profile)
    )
    print(f"figures through the front-proxy in {time.perf_counter() - started_at:.0f} s", flush=True)
    return ProxyRun(direct_results, proxied_results, direct_cpu, proxied_cpu)


async def pinned_workspace(server: Server, name: str, *, shard: str) -> str:
    """A workspace in root placed on `shard` by its label name=<shard>, Ready; fails if placed elsewhere.
    Returns its logical cluster's name."""
    async with workspace_client(server) as client:
        await client.watch("root")
        ready = client.trackers["root"].expect_ready(name)
        body = {
            "apiVersion": "tenancy.kcp.io/v1alpha1",
            "kind": "Workspace",
            "metadata": {"name": name},
            "spec": {
                "type": {"name": "universal", "path": "root"},
                "location": {"selector": {"matchLabels": {"name": shard}}},
            },
        }
        await _json(client, "POST", client.url("root"), body)
        await asyncio.wait_for(ready, WORKSPACE_READY_SECONDS)
        workspace = await _json(client, "GET", f"{client.url('root')}/{name}")
    placed = (workspace["metadata"].get("annotations") or {}).get(SHARD_ANNOTATION)
    if placed != shard:
        raise RuntimeError(f"workspace {name} was placed on shard {placed!r}, not {shard!r}")
    return str(workspace["spec"]["cluster"])


async def _json(client: WorkspaceClient, method: str, url: str, body: object = None) -> Any:
    data = orjson.dumps(body) if body is not None else None
    async with client.session.request(method, url, data=data) as response:
        content = await response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {url}: {response.status} {content[:300]!r}")
        return orjson.loads(content)


async def creation(args: argparse.Namespace, tree: Tree, shards: int) -> CreationRun:
    with tempfile.TemporaryDirectory(prefix=f"kplane-bench-shards{shards}-") as tmp:
        root_dir = Path(tmp) / "kplane"
        async with (
            running_kplane(root_dir, "", _start_args(shards), ready_timeout=READY_TIMEOUT_SECONDS) as server,
            workspace_client(server) as client,
        ):
            await create_parents(client, tree)
            latencies: dict[int, float] = {}
            async with cpu_use(kplane_processes(server.pid)) as cpu:
                result = await create_leaves(client, tree, args.concurrency, latencies)
            placement = await leaves_per_shard(client, tree)
            parents = await parent_shards(client)
    ready = by_parent_shard(latencies, tree, parents)
    print(
        f"{shards} shard(s): {result.per_second:,.1f} workspaces/s, p50 {result.median * 1000:,.0f} ms; "
        f"placement {placement}; parents {parents}",
        flush=True,
    )
    return CreationRun(shards, result, placement, cpu, ready)


async def create_leaves(client: WorkspaceClient, tree: Tree, concurrency: int, latencies: dict[int, float]) -> Result:
    """workspace_load.create_leaves, keeping each leaf's time to Ready by its index."""

    async def one(index: int) -> None:
        started = time.perf_counter()
        await client.create_ready(*tree.leaf(index), tree.type_name)
        latencies[index] = time.perf_counter() - started

    return await run("create workspace (POST → Ready)", one, count=tree.count, concurrency=concurrency)


def _shard_of(workspace: dict[str, Any]) -> str:
    return str((workspace["metadata"].get("annotations") or {}).get(SHARD_ANNOTATION, "?"))


async def leaves_per_shard(client: WorkspaceClient, tree: Tree) -> dict[str, int]:
    """Where the leaves' logical clusters landed: the shard annotation of every leaf Workspace, counted."""
    placed: Counter[str] = Counter()
    for index in range(tree.parents):
        listed = await _json(client, "GET", client.url(f"root:{tree.parent_name(index)}"))
        placed.update(_shard_of(item) for item in listed.get("items") or [])
    return dict(placed)


async def parent_shards(client: WorkspaceClient) -> dict[str, str]:
    """Parent name → the shard holding its logical cluster, where its leaves' Workspaces and their controller live."""
    listed = await _json(client, "GET", client.url("root"))
    return {item["metadata"]["name"]: _shard_of(item) for item in listed.get("items") or []}


async def main(args: argparse.Namespace) -> ShardingFigures:
    tree = Tree(parents=args.parents, count=args.workspaces)
    figures = ShardingFigures(count=args.count, concurrency=args.concurrency, watchers=args.watchers, tree=tree)
    figures.proxy, figures.proxy_own_core = await proxy_overhead(args)
    for shards in args.shards:
        figures.creation.append(await creation(args, tree, shards))
    return figures


def _shard_counts(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sharding")
    parser.add_argument("--count", type=int, default=3000, help="operations per proxy figure (default 3000)")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--watchers", type=int, default=100, help="watchers of the watch figure (default 100)")
    parser.add_argument("--workspaces", type=int, default=400, help="leaf workspaces per shard count (default 400)")
    parser.add_argument("--parents", type=int, default=8, help="parents of the leaves, in root (default 8)")
    parser.add_argument("--shards", type=_shard_counts, default=[1, 2, 4], help="shard counts (default 1,2,4)")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument("--profile", type=Path, help="py-spy the front-proxy per figure into this directory")
    parser.add_argument(
        "--no-own-core",
        dest="own_core",
        action="store_false",
        help="skip the proxy figures with the front-proxy on a core of its own",
    )
    args = parser.parse_args()
    if args.profile is not None:
        args.no_write = True  # py-spy shares the cores: such figures are not the record
        args.profile.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    figures = asyncio.run(main(args))
    figures.wall_seconds = time.perf_counter() - started
    text = report(figures)
    print(text)
    if not args.no_write:
        write_doc(figures, text)


if __name__ == "__main__":
    cli()
