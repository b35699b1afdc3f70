"""Figures of the sharding benchmark (bench/sharding.py), their rendering, and the docs/benchmarks.md section.

The section "## Front-proxy and shards" sits after `## History`, which bench/run.py keeps as written; only
the text between the `sharding:latest` markers is replaced, and one row is added above the `sharding:runs`
marker per recorded run, so notes written into the section by hand survive. The scaling estimate is
computed from the CPU figures of the same run (bench/sharding_estimate.py).
"""

from __future__ import annotations

import os
import platform
import statistics
from datetime import UTC, datetime
from pathlib import Path

from bench.footprint import CpuUse
from bench.loadgen import Result
from bench.sharding_estimate import estimate
from bench.sharding_figures import (
    FIGURES,
    CreationRun,
    ProxyRun,
    ShardingFigures,
    kplane_ms,
    per_operation_ms,
    proxy_ratio,
)

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
SECTION = "## Front-proxy and shards"
LATEST_START, LATEST_END = "<!-- sharding:latest -->", "<!-- /sharding:latest -->"
RUNS_END = "<!-- /sharding:runs -->"
PROXY_GOAL = 0.8


def _rate(result: Result) -> str:
    return f"{result.per_second:,.0f}/s (p99 {result.percentile(0.99) * 1000:,.1f} ms)"


def _latency(result: Result) -> str:
    return f"p50 {result.median * 1000:,.1f} ms, p99 {result.percentile(0.99) * 1000:,.1f} ms"


def proxy_table(proxy: ProxyRun) -> list[str]:
    rows = [
        "| figure | direct to the root shard (`/clusters/root`) | through the front-proxy (workspace on the root "
        f"shard) | ratio proxy / direct (goal ≥ {PROXY_GOAL}) | CPU per operation of all processes, direct ÷ "
        "proxied (the ratio a CPU-bound run can reach) |",
        "|---|---|---|---|---|",
    ]
    for figure in FIGURES:
        direct, proxied = proxy.direct[figure], proxy.proxied[figure]
        show = _latency if figure == "watch" else _rate
        ratio = proxy_ratio(proxy, figure)
        mark = "met" if ratio >= PROXY_GOAL else "not met"
        note = " (of p50 latencies, direct / proxy)" if figure == "watch" else ""
        rows.append(
            f"| {proxied.name} | {show(direct)} | {show(proxied)} | **{ratio:.2f}**{note}, {mark} | "
            f"{_cpu_bound(proxy, figure)} |"
        )
    return rows


def _cpu_bound(proxy: ProxyRun, figure: str) -> str:
    """When every core is busy, throughput is cores ÷ CPU per operation, so the proxy ratio cannot exceed
    the direct CPU per operation over the proxied one (load generator included: it shares the cores)."""
    if figure == "watch":
        return "–"
    direct = sum(per_operation_ms(proxy.direct_cpu[figure], proxy.direct[figure].operations).values())
    proxied = sum(per_operation_ms(proxy.proxied_cpu[figure], proxy.proxied[figure].operations).values())
    return f"{direct:.2f} ÷ {proxied:.2f} ms = {direct / proxied:.2f}" if proxied else "–"


def proxy_cpu_table(proxy: ProxyRun) -> list[str]:
    """CPU per operation of each process, direct → through the front-proxy."""
    names = list(dict.fromkeys([*_names(proxy.direct_cpu), *_names(proxy.proxied_cpu)]))
    head = [f"{proxy.proxied[f].name} (per {_unit(f)})" for f in FIGURES]
    rows = ["| process | " + " | ".join(head) + " |", "|---" * (len(FIGURES) + 1) + "|"]
    per_figure = {
        f: (
            per_operation_ms(proxy.direct_cpu[f], proxy.direct[f].operations),
            per_operation_ms(proxy.proxied_cpu[f], proxy.proxied[f].operations),
        )
        for f in FIGURES
    }
    for name in names:
        cells = [f"{_ms(before.get(name))} → {_ms(after.get(name))}" for before, after in per_figure.values()]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    totals = [
        f"{kplane_ms(proxy.direct_cpu[f], proxy.direct[f].operations):.2f} → "
        f"{kplane_ms(proxy.proxied_cpu[f], proxy.proxied[f].operations):.2f}"
        for f in FIGURES
    ]
    rows.append("| **all kplane processes** | " + " | ".join(totals) + " |")
    others = [f"{_others(proxy.direct_cpu[f])} → {_others(proxy.proxied_cpu[f])}" for f in FIGURES]
    rows.append("| other processes on the machine (share of a core) | " + " | ".join(others) + " |")
    return rows


def _names(phases: dict[str, CpuUse]) -> list[str]:
    return list(dict.fromkeys(name for use in phases.values() for name in use.seconds))


def _unit(figure: str) -> str:
    return "delivery" if figure == "watch" else "request"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def creation_table(runs: list[CreationRun]) -> list[str]:
    rows = [
        "| shards | creates/s | time to Ready | ratio to 1 shard | CPU per workspace, all kplane processes | "
        "leaves per shard | time to Ready by the parent's shard: p50 (leaves) | other processes on the machine |",
        "|---|---|---|---|---|---|---|---|",
    ]
    base = next((run.result.per_second for run in runs if run.shards == 1), 0.0)
    for run in runs:
        ratio = f"{run.result.per_second / base:.2f}" if base else "–"
        placement = ", ".join(f"{shard} {count}" for shard, count in sorted(run.placement.items()))
        rows.append(
            f"| {run.shards} | **{run.result.per_second:,.1f}/s** ({run.result.operations:,} in "
            f"{run.result.seconds:,.1f} s) | {_latency(run.result)} | {ratio} | "
            f"{kplane_ms(run.cpu, run.result.operations):,.1f} ms | {placement} | {_by_parent(run)} | "
            f"{_others(run.cpu)} |"
        )
    return rows


def _by_parent(run: CreationRun) -> str:
    return (
        ", ".join(
            f"{shard} {statistics.median(values) * 1000:,.0f} ms ({len(values)})"
            for shard, values in run.ready_by_parent_shard.items()
            if values
        )
        or "–"
    )


def creation_cpu_table(run: CreationRun) -> list[str]:
    per = per_operation_ms(run.cpu, run.result.operations)
    rows = ["| process | CPU per workspace | share of one core |", "|---|---|---|"]
    for name, ms in per.items():
        rows.append(f"| {name} | {ms:,.2f} ms | {run.cpu.seconds[name] / run.cpu.wall * 100:,.0f}% |")
    return rows


def _others(use: CpuUse) -> str:
    """What processes outside the installation and the load generator used meanwhile: other work on a
    shared machine, which the figures of that phase include as contention."""
    return f"{use.others / use.wall * 100:,.0f}%" if use.wall else "–"


def report(f: ShardingFigures) -> str:
    assert f.proxy is not None
    header = (
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} ({os.cpu_count()} CPUs); whole run "
        f"{f.wall_seconds / 60:,.1f} min; load generator on the same machine; every etcd with --unsafe-no-fsync."
    )
    parts = [
        header,
        f"**Proxy overhead** (`kplane start --shards 2`; {f.concurrency} concurrent clients, {f.count:,} "
        f"operations per figure, {f.watchers} watchers; direct first, then through the front-proxy):",
        "\n".join(proxy_table(f.proxy)),
        "CPU per operation of each process, in ms, direct → through the front-proxy (the other shard and its "
        "etcd idle; the supervisor relays logs):",
        "\n".join(proxy_cpu_table(f.proxy)),
    ]
    if f.proxy_own_core is not None:
        parts += [
            "**The same figures with the front-proxy on a core of its own** (as when front-proxies run on nodes "
            "of their own): the front-proxy's threads pinned to the last CPU, every other process (shards, "
            "etcds, load generator) to the others, for both passes; fresh logical clusters on the root shard:",
            "\n".join(proxy_table(f.proxy_own_core)),
            "CPU per operation of each process, in ms, direct → through the front-proxy:",
            "\n".join(proxy_cpu_table(f.proxy_own_core)),
        ]
    if f.creation:
        largest = max(f.creation, key=lambda run: run.shards)
        parts += [
            f"**Workspace creation** ({f.tree.count:,} leaf workspaces under {f.tree.parents} parents, "
            f"{f.concurrency} concurrent closed-loop clients, POST → Ready seen by a watch; a fresh `kplane start "
            "--shards N` each time, N = 1 serves directly, N ≥ 2 through the front-proxy; all on the same "
            f"{os.cpu_count()} cores):",
            "\n".join(creation_table(f.creation)),
            f"CPU per workspace during creation with {largest.shards} shards (other processes on the machine: "
            f"{_others(largest.cpu)} of a core):",
            "\n".join(creation_cpu_table(largest)),
        ]
        parts.append(estimate(f.proxy, largest))
    return "\n\n".join(parts) + "\n"


SKELETON = f"""
{SECTION}

Produced by `make bench-sharding` (`python -m bench.sharding`; `--count`, `--concurrency`, `--watchers`,
`--workspaces`, `--parents`, `--shards 1,2,4`, `--no-write`). Proxy overhead: one `kplane start --shards 2`;
the create/get/list/watch figures of `make bench` directly against the root shard (its own URL,
`/clusters/root`), then through the front-proxy into a workspace placed on the root shard
(`spec.location.selector: {{matchLabels: {{name: root}}}}`), so both reach the same shard and the same etcd.
Workspace creation: a fresh installation per shard count, the closed-loop load of `bench.workspaces`. CPU
from /proc/<pid>/stat (utime + stime) of every process, before and after each figure. Goal: proxy / direct
≥ 0.8.

### Latest sharding run

{LATEST_START}
{LATEST_END}

### Sharding runs

| run (UTC) | proxy / direct: create, get, list, watch p50 | creates/s by shard count |
|---|---|---|
{RUNS_END}
"""


def run_row(f: ShardingFigures) -> str:
    assert f.proxy is not None
    ratios = _ratios(f.proxy)
    if f.proxy_own_core is not None:
        ratios += f" (front-proxy on a core of its own: {_ratios(f.proxy_own_core)})"
    creation = ", ".join(f"{run.shards}: {run.result.per_second:,.1f}/s" for run in f.creation) or "–"
    return f"| {datetime.now(UTC):%Y-%m-%d %H:%M} | {ratios} | {creation} |"


def _ratios(proxy: ProxyRun) -> str:
    return ", ".join(f"{proxy_ratio(proxy, figure):.2f}" for figure in FIGURES)


def splice(doc: str, latest: str, row: str) -> str:
    """`doc` with the section added at its end if absent, `latest` between its markers and `row` appended
    to its runs table; nothing else changes."""
    if SECTION not in doc:
        doc = doc.rstrip("\n") + "\n" + SKELETON
    head, _, rest = doc.partition(LATEST_START)
    _, _, tail = rest.partition(LATEST_END)
    doc = f"{head}{LATEST_START}\n{latest.strip()}\n{LATEST_END}{tail}"
    return doc.replace(RUNS_END, row + "\n" + RUNS_END)


def write_doc(f: ShardingFigures, text: str) -> None:
    doc = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    DOC.write_text(splice(doc, text, run_row(f)))
