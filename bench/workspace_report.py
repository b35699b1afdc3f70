"""Figures of the workspace benchmark, their ratios to raw etcd and to kcp, and the docs/benchmarks.md section.

The section sits after `## History` (bench/run.py keeps everything from there on). Only the text between
the `workspaces:latest` markers is replaced, and one row is added above the `workspaces:runs` marker per
recorded run; the rest of the section (notes, analysis) is left as written.
"""

from __future__ import annotations

import os
import platform
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.footprint import CpuUse, EtcdFootprint, RssSamples
from bench.loadgen import Result
from bench.workspace_load import Tree

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
SECTION = "## Workspaces: 10,000 empty workspaces"
LATEST_START, LATEST_END = "<!-- workspaces:latest -->", "<!-- /workspaces:latest -->"
RUNS_END = "<!-- /workspaces:runs -->"
KIB, MIB = 1024, 1024 * 1024
KCP = {"create": "8/s", "delete": "≈ 1 h for 10,000 (≈ 3/s)", "memory": "7.4–9.8 MiB"}
GOALS = {"create": "≥ 200/s", "delete": "10,000 in ≤ 60 s (≥ 167/s)", "memory": "≤ 20 KiB"}


@dataclass
class Figures:
    tree: Tree
    concurrency: int
    rss_start: int
    rss_before: int = 0
    rss_after: int = 0
    rss_deleted: int = 0
    etcd_rss_before: int = 0
    etcd_rss_after: int = 0
    rss_samples: RssSamples = field(default_factory=RssSamples)
    stored: EtcdFootprint = EtcdFootprint(0, 0, 0, 0)
    create: Result | None = None
    delete: Result | None = None
    delete_writes: int = 0
    left_keys: int = 0
    create_cpu: CpuUse = field(default_factory=CpuUse)
    delete_cpu: CpuUse = field(default_factory=CpuUse)
    create_requests: Counter[str] = field(default_factory=Counter)
    delete_requests: Counter[str] = field(default_factory=Counter)
    raw_put: Result | None = None
    raw_delete: Result | None = None
    wall_seconds: float = 0.0

    @property
    def writes_per_create(self) -> float:
        return self.stored.revision / self.tree.count

    @property
    def writes_per_delete(self) -> float:
        return self.delete_writes / self.tree.count

    @property
    def etcd_creates_per_second(self) -> float:
        assert self.raw_put is not None
        return self.raw_put.per_second / self.writes_per_create

    @property
    def etcd_deletes_per_second(self) -> float:
        assert self.raw_delete is not None
        return self.raw_delete.per_second / max(self.writes_per_delete, 1e-9)

    @property
    def bytes_per_workspace(self) -> float:
        return (self.rss_after - self.rss_before) / self.tree.count

    @property
    def stored_per_workspace(self) -> float:
        return (self.stored.key_bytes + self.stored.value_bytes) / self.tree.count


def _latency(result: Result) -> str:
    return f"p50 {result.median * 1000:,.0f} ms, p99 {result.percentile(0.99) * 1000:,.0f} ms"


def report(f: Figures) -> str:
    assert f.create and f.delete and f.raw_put and f.raw_delete
    n = f.tree.count
    create_ratio = f.create.per_second / f.etcd_creates_per_second
    delete_ratio = f.delete.per_second / f.etcd_deletes_per_second
    marginal = f.rss_samples.marginal_bytes_per_item()
    rows = [
        "| figure | kplane | raw etcd equivalent (same client, same etcd) | ratio kplane / etcd | kcp | goal |",
        "|---|---|---|---|---|---|",
        f"| create (POST → Ready) | **{f.create.per_second:,.1f}/s**, {n:,} in {f.create.seconds:,.0f} s; time to "
        f"Ready {_latency(f.create)} | {f.etcd_creates_per_second:,.0f} workspaces/s ({f.raw_put.per_second:,.0f} "
        f"puts/s ÷ {f.writes_per_create:.1f} writes per workspace) | {create_ratio:.3f} | {KCP['create']} | "
        f"{GOALS['create']} |",
        f"| delete (DELETE → gone) | **{f.delete.per_second:,.1f}/s**, {n:,} in {f.delete.seconds:,.0f} s; time to "
        f"gone {_latency(f.delete)} | {f.etcd_deletes_per_second:,.0f} workspaces/s ({f.raw_delete.per_second:,.0f} "
        f"deletes/s ÷ {f.writes_per_delete:.1f} writes per workspace) | {delete_ratio:.3f} | {KCP['delete']} | "
        f"{GOALS['delete']} |",
        f"| memory per empty workspace (shard RSS delta / N) | **{f.bytes_per_workspace / KIB:,.1f} KiB** "
        f"(marginal, 2nd half of creation: {marginal / KIB:,.1f} KiB) | etcd stores "
        f"{f.stored_per_workspace / KIB:,.1f} KiB per workspace ({f.stored.keys / n:.1f} keys) | "
        f"{f.bytes_per_workspace / f.stored_per_workspace:.1f} | "
        f"{KCP['memory']} | {GOALS['memory']} |",
    ]
    notes = [
        f"Shard RSS: {f.rss_start / MIB:,.1f} MiB with no workspace, {f.rss_before / MIB:,.1f} MiB with the "
        f"{f.tree.parents} parents, {f.rss_after / MIB:,.1f} MiB with {n:,} workspaces more, "
        f"{f.rss_deleted / MIB:,.1f} MiB after deleting them. etcd RSS grew "
        f"{(f.etcd_rss_after - f.etcd_rss_before) / n / KIB:,.1f} KiB per workspace. "
        f"Keys of the deleted workspaces left in etcd: {f.left_keys}.",
        "",
        _cpu_line("Creation", f.create_cpu, n) + " " + _requests_line(f.create_requests, n),
        "",
        _cpu_line("Deletion", f.delete_cpu, n) + " " + _requests_line(f.delete_requests, n),
    ]
    header = (
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()} ({_cpus()} CPUs), N = {n:,} leaf "
        f"workspaces of type `{f.tree.type_name}` under {f.tree.parents} parents in root, {f.concurrency} "
        f"concurrent closed-loop clients over HTTPS; etcd 3.5 with --unsafe-no-fsync; load generator on the "
        f"same machine; whole run {f.wall_seconds / 60:,.1f} min."
    )
    return header + "\n\n" + "\n".join(rows) + "\n\n" + "\n".join(notes) + "\n"


def _cpu_line(phase: str, use: CpuUse, n: int) -> str:
    """CPU per workspace of each process, its share of one core, and what else ran on the machine."""
    if not use.wall:
        return ""
    parts = [
        f"{name} {seconds / n * 1000:,.1f} ms ({seconds / use.wall * 100:,.0f}% of a core)"
        for name, seconds in use.seconds.items()
    ]
    return (
        f"{phase} CPU per workspace: {', '.join(parts)}; other processes on the machine used "
        f"{use.others / use.wall * 100:,.0f}% of a core meanwhile ({_cpus()} cores)."
    )


def _requests_line(requests: Counter[str], n: int) -> str:
    """etcd requests per workspace, by gRPC method."""
    parts = [f"{method} {count / n:.1f}" for method, count in requests.most_common() if count / n >= 0.05]
    return f"etcd requests per workspace: {sum(requests.values()) / n:.1f} ({', '.join(parts)})."


def _cpus() -> int:
    return os.cpu_count() or 0


def _run_row(f: Figures) -> str:
    assert f.create and f.delete
    return (
        f"| {datetime.now(UTC):%Y-%m-%d %H:%M} | {f.tree.count:,} | {f.create.per_second:,.1f}/s "
        f"({f.create.per_second / f.etcd_creates_per_second:.3f} of etcd) | {f.delete.per_second:,.1f}/s, "
        f"{f.delete.seconds:,.0f} s ({f.delete.per_second / f.etcd_deletes_per_second:.3f} of etcd) | "
        f"{f.bytes_per_workspace / KIB:,.1f} KiB ({f.rss_before / MIB:,.0f} MiB base) |"
    )


SKELETON = f"""
{SECTION}

Produced by `python -m bench.workspaces` (bench/workspaces.py; `--count N`, `--parents`, `--concurrency`,
`--profile DIR` for py-spy stacks of the shard). Embedded etcd and `kplane start --etcd-servers`; N leaf
workspaces under a small tree (parents in root, not measured), each created by a closed-loop HTTPS client
that POSTs and waits until the watch of its parent shows it `Ready`, then each deleted the same way (DELETE,
wait until gone). Memory per empty workspace is the shard's VmRSS after creation minus before, divided by
N. Baselines in the same run: raw etcd puts (as many as creation wrote, values of the same mean size) and
deletes, through our etcd client, turned into workspaces/s by the writes one workspace costs.

kcp's figures: 8 creates/s, about 1 h to delete 10,000, 7.4–9.8 MiB per empty workspace. Goals: ≥ 200
creates/s, 10,000 deletes in ≤ 60 s, ≤ 20 KiB per empty workspace.

### Latest workspace run

{LATEST_START}
{LATEST_END}

### Workspace runs

| run (UTC) | N | create | delete | memory per empty workspace |
|---|---|---|---|---|
{RUNS_END}
"""


def write_doc(f: Figures, text: str) -> None:
    doc = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if SECTION not in doc:
        doc = doc.rstrip("\n") + "\n" + SKELETON
    head, _, rest = doc.partition(LATEST_START)
    _, _, tail = rest.partition(LATEST_END)
    doc = f"{head}{LATEST_START}\n{text.strip()}\n{LATEST_END}{tail}"
    doc = doc.replace(RUNS_END, _run_row(f) + "\n" + RUNS_END)
    DOC.write_text(doc)
