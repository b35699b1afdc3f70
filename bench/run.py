"""`make bench`: kplane over real HTTPS vs raw etcd from the same etcd client, in one run.

An embedded etcd is started here and `kplane start --etcd-servers` is pointed at it, so both sides use
the same etcd. Figures: create, get (one object), list (1,000 objects) and watch delivery latency with
100 watchers; raw etcd put, range of one key and range of 1,000 keys. Results go to stdout and
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench import scenarios
from bench.loadgen import Result
from bench.process import running_kplane
from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.embedded import EmbeddedEtcd, EmbeddedEtcdConfig

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HISTORY = "## History"  # kept below the latest run: earlier figures, before and after hot-path changes


async def main(args: argparse.Namespace) -> list[tuple[Result, Result | None]]:
    with tempfile.TemporaryDirectory(prefix="kplane-bench-") as tmp:
        etcd_config = EmbeddedEtcdConfig(Path(tmp) / "etcd", unsafe_no_fsync=True)
        async with EmbeddedEtcd(etcd_config) as etcd, EtcdClient(etcd.client_config()) as etcd_client:
            raw = await scenarios.raw_etcd(etcd_client, count=args.count, concurrency=args.concurrency)
            async with running_kplane(Path(tmp) / "kplane", etcd.endpoint) as server:
                api = await scenarios.through_https(
                    server, count=args.count, concurrency=args.concurrency, watchers=args.watchers
                )
    rows = [(api["create"], raw["put"]), (api["get"], raw["get"])]
    if "get_rbac" in api:
        rows.append((api["get_rbac"], raw["get"]))
    return [*rows, (api["list"], raw["list"]), (api["watch"], None)]


def report(rows: list[tuple[Result, Result | None]], args: argparse.Namespace) -> str:
    lines = [
        "| figure | kplane | raw etcd (same client, same etcd) | ratio kplane / etcd |",
        "|---|---|---|---|",
    ]
    for api, raw in rows:
        if api.name.startswith("watch"):
            lines.append(
                f"| {api.name} | p50 {api.median * 1000:.1f} ms, p99 {api.percentile(0.99) * 1000:.1f} ms "
                f"({api.operations} deliveries) | – | – |"
            )
            continue
        assert raw is not None
        ratio = api.per_second / raw.per_second if raw.per_second else 0.0
        lines.append(
            f"| {api.name} | {api.per_second:,.0f}/s (p99 {api.percentile(0.99) * 1000:.1f} ms) | "
            f"{raw.name}: {raw.per_second:,.0f}/s | {ratio:.2f} |"
        )
    header = (
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {args.concurrency} concurrent "
        f"clients, {args.count} operations per figure, {args.watchers} watchers; etcd 3.5 on tmpfs-like "
        f"temp dir with --unsafe-no-fsync; load generator in the same 2-core machine."
    )
    return header + "\n\n" + "\n".join(lines) + "\n"


def write_doc(table: str) -> None:
    intro = (
        "# Benchmarks\n\nProduced by `make bench` (bench/run.py). Every figure is measured over real HTTPS "
        "against a `kplane start` process, next to the same operation on raw etcd through our own etcd "
        "client in the same run, so the ratio holds on a noisy machine.\n\n"
        "Goals on 2 cores: create ≥ 2,000/s, get ≥ 8,000/s, watch delivery p99 ≤ 50 ms.\n\n"
        "## Latest run\n\n"
    )
    DOC.parent.mkdir(exist_ok=True)
    history = ""
    if DOC.exists() and HISTORY in DOC.read_text():
        history = DOC.read_text()[DOC.read_text().index(HISTORY) :]
    DOC.write_text(intro + table + ("\n" + history if history else ""))


def cli() -> None:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--watchers", type=int, default=100)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    args = parser.parse_args()
    rows = asyncio.run(main(args))
    table = report(rows, args)
    print(table)
    if not args.no_write:
        write_doc(table)


if __name__ == "__main__":
    cli()
