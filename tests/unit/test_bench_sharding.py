"""The pure parts of the sharding benchmark: /proc parsing and process naming, per-operation CPU, the
report and its scaling estimate, and the docs/benchmarks.md splicing (which must keep the sections that
`make bench` and `bench.workspaces` write, and be kept by them)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import run as bench_run
from bench import workspace_report
from bench.footprint import CpuUse
from bench.loadgen import Result
from bench.procs import ProcInfo, name_processes, own_core, parse_stat, read_processes
from bench.sharding_estimate import estimate
from bench.sharding_figures import (
    CreationRun,
    ProxyRun,
    ShardingFigures,
    by_parent_shard,
    kplane_ms,
    per_operation_ms,
    proxy_ratio,
)
from bench.sharding_report import LATEST_END, LATEST_START, RUNS_END, SECTION, report, run_row, splice
from bench.workspace_load import Tree

STAT = "4242 (python3 (x) y) S 4200 4242 4200 0 -1 4194560 1234 0 0 0 150 25 3 4 20 0 3 0 100 0 0"
PYTHON, KPLANE = "/v/bin/python", "/v/bin/kplane"


def test_parse_stat_counts_fields_after_the_last_parenthesis() -> None:
    stat = parse_stat(STAT)
    assert (stat.pid, stat.ppid, stat.cpu_ticks) == (4242, 4200, 175)  # utime 150 + stime 25, not children's


def test_parse_stat_rejects_a_truncated_line() -> None:
    with pytest.raises(IndexError):
        parse_stat("1 (init) S 0")


def _sharded_tree() -> dict[int, ProcInfo]:
    return {
        10: ProcInfo(1, (PYTHON, KPLANE, "start", "--shards", "2")),
        11: ProcInfo(10, (PYTHON, KPLANE, "shard", "--name", "root", "--port", "1")),
        12: ProcInfo(11, ("/x/etcd", "--name=kplane")),
        13: ProcInfo(10, (PYTHON, KPLANE, "shard", "--name", "shard-1")),
        14: ProcInfo(13, ("/x/etcd",)),
        15: ProcInfo(10, (PYTHON, KPLANE, "front-proxy", "--port", "2")),
        20: ProcInfo(1, ("/x/etcd",)),  # another installation's etcd: not ours
    }


def test_sharded_installation_names_every_process_in_a_stable_order() -> None:
    names = name_processes(10, _sharded_tree())
    assert names == {
        "shard root": 11,
        "etcd root": 12,
        "shard shard-1": 13,
        "etcd shard-1": 14,
        "front-proxy": 15,
        "supervisor": 10,
    }
    assert list(names) == ["shard root", "etcd root", "shard shard-1", "etcd shard-1", "front-proxy", "supervisor"]


def test_single_shard_start_is_itself_the_root_shard() -> None:
    tree = {10: ProcInfo(1, (PYTHON, KPLANE, "start", "--port", "1")), 11: ProcInfo(10, ("/x/etcd",))}
    assert name_processes(10, tree) == {"shard root": 10, "etcd root": 11}


def test_read_processes_skips_entries_that_vanish_or_are_not_processes(tmp_path: Path) -> None:
    (tmp_path / "4242").mkdir()
    (tmp_path / "4242" / "stat").write_text(STAT)
    (tmp_path / "4242" / "cmdline").write_bytes(b"/v/bin/python\0/v/bin/kplane\0shard\0")
    (tmp_path / "4300").mkdir()  # exited between listing and reading: no files
    (tmp_path / "self").mkdir()
    assert read_processes(tmp_path) == {4242: ProcInfo(4200, (PYTHON, KPLANE, "shard"))}


def _result(name: str, operations: int, seconds: float, latency: float) -> Result:
    return Result(name, operations, seconds, [latency] * operations)


def _cpu(wall: float, **seconds: float) -> CpuUse:
    return CpuUse(
        seconds={k.replace("_", " ").replace("shard1", "shard-1"): v for k, v in seconds.items()},
        machine=sum(seconds.values()),
        wall=wall,
    )


def _proxy() -> ProxyRun:
    figures = ("create", "get", "list", "watch")
    direct = {f: _result(f"{f} configmap", 1000, 1.0, 0.010) for f in figures}
    proxied = {f: _result(f"{f} configmap", 1000, 1.25, 0.020) for f in figures}
    direct_cpu = {f: _cpu(1.0, shard_root=1.0, etcd_root=0.2) for f in figures}
    # per request through the proxy: shard 0.5 ms + etcd 0.1 ms, front-proxy 0.3 ms, load generator 0.2 ms
    proxied_cpu = {
        f: _cpu(1.25, shard_root=0.5, etcd_root=0.1, **{"front-proxy": 0.3}, load_generator=0.2) for f in figures
    }
    return ProxyRun(direct, proxied, direct_cpu, proxied_cpu)


def _creation(shards: int, per_second: float) -> CreationRun:
    cpu = _cpu(4.0, shard_root=4.0, etcd_root=1.0, shard_shard1=2.0, etcd_shard1=1.0, **{"front-proxy": 0.5})
    ready = {"root": [2.0, 3.0, 4.0], "shard-1": [0.1]}
    return CreationRun(shards, _result("create workspace", 400, 400 / per_second, 1.0), {"root": 150}, cpu, ready)


def test_per_operation_cpu_leaves_the_load_generator_out_of_the_kplane_total() -> None:
    use = _proxy().proxied_cpu["get"]
    assert per_operation_ms(use, 1000)["front-proxy"] == pytest.approx(0.3)
    assert kplane_ms(use, 1000) == pytest.approx(0.9)
    assert per_operation_ms(use, 0) == {}


def test_proxy_ratio_is_throughput_but_latency_for_watch() -> None:
    proxy = _proxy()
    assert proxy_ratio(proxy, "get") == pytest.approx(0.8)
    assert proxy_ratio(proxy, "watch") == pytest.approx(0.5)


def test_estimate_states_its_arithmetic() -> None:
    text = estimate(_proxy(), _creation(2, 20.0))
    assert "estimate" in text and "not a measurement" in text
    # shard core 0.60 ms → 1,667/s; proxy 0.30 ms → 3,333/s; K = 2.00 → 16 shards need 8 proxy cores
    assert "K = 0.60 / 0.30 = 2.00" in text
    assert "16 shards + 8 proxy cores ≈ 26,667/s on 24 cores" in text
    # workspaces: root 12.5 ms, shard-1 7.5 ms; excess 5 ms stays on root, 15 ms spreads
    assert "1000 / (15.00 / S + 5.00)" in text
    assert "4 shards ≈ 114/s" in text and "1000 / 5.00 = 200/s" in text


def test_estimate_without_a_sharded_creation_run_covers_only_requests() -> None:
    text = estimate(_proxy(), CreationRun(1, _result("c", 10, 1.0, 0.1), {}, _cpu(1.0, shard_root=1.0)))
    assert "A get through" in text and "workspace created" not in text


def test_report_has_every_figure_with_its_baseline_and_ratio() -> None:
    figures = ShardingFigures(count=1000, concurrency=32, watchers=100, tree=Tree(parents=8, count=400))
    figures.proxy = _proxy()
    figures.creation = [_creation(1, 20.0), _creation(2, 30.0), _creation(4, 25.0)]
    text = report(figures)
    row = "| get configmap | 1,000/s (p99 10.0 ms) | 800/s (p99 20.0 ms) | **0.80**, met | 1.20 ÷ 1.10 ms = 1.09 |"
    assert row in text
    assert "**0.50** (of p50 latencies, direct / proxy), not met" in text
    assert "| shard root | 1.00 → 0.50 |" in text
    assert "| front-proxy | – → 0.30 |" in text
    assert "| 2 | **30.0/s** (400 in 13.3 s) | p50 1,000.0 ms, p99 1,000.0 ms | 1.50 |" in text
    assert "| root 3,000 ms (3), shard-1 100 ms (1) | 0% |" in text
    assert "| other processes on the machine (share of a core) | 0% → 0% |" in text
    assert "CPU per workspace during creation with 4 shards" in text


DOC_BEFORE = """# Benchmarks

intro

## Latest run

old table

## History

history rows

## Workspaces: 10,000 empty workspaces

<!-- workspaces:latest -->
ws figures
<!-- /workspaces:latest -->

| run |
<!-- /workspaces:runs -->

hand-written analysis
"""


def test_splice_appends_the_section_once_and_replaces_only_its_latest_run() -> None:
    first = splice(DOC_BEFORE, "figures one", "| row one |")
    assert first.startswith(DOC_BEFORE.rstrip("\n"))
    assert first.index("## History") < first.index(SECTION)
    assert f"{LATEST_START}\nfigures one\n{LATEST_END}" in first
    second = splice(first + "\nnotes by hand\n", "figures two", "| row two |")
    assert second.count(SECTION) == 1 and "figures one" not in second and "figures two" in second
    assert f"| row one |\n| row two |\n{RUNS_END}" in second
    assert second.endswith("notes by hand\n") and "hand-written analysis" in second


def test_the_three_writers_keep_each_others_sections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(splice(DOC_BEFORE, "sharding figures", "| sharding row |"))
    monkeypatch.setattr(bench_run, "DOC", doc)
    bench_run.write_doc("new make-bench table\n")
    text = doc.read_text()
    assert "new make-bench table" in text and "old table" not in text
    assert "sharding figures" in text and "ws figures" in text and "history rows" in text
    monkeypatch.setattr(workspace_report, "DOC", doc)
    monkeypatch.setattr(workspace_report, "_run_row", lambda f: "| ws row |")
    workspace_report.write_doc(None, "new ws figures")  # type: ignore[arg-type]
    text = doc.read_text()
    assert "new ws figures" in text and "sharding figures" in text and "| sharding row |" in text


def test_leaf_latencies_are_grouped_by_the_shard_of_their_parent() -> None:
    tree = Tree(parents=2, count=4)  # leaves 0, 2 under bench-p0; 1, 3 under bench-p1
    grouped = by_parent_shard({0: 1.0, 1: 0.1, 2: 3.0, 3: 0.2}, tree, {"bench-p0": "root", "bench-p1": "shard-1"})
    assert grouped == {"root": [1.0, 3.0], "shard-1": [0.1, 0.2]}
    assert by_parent_shard({0: 1.0}, tree, {}) == {"?": [1.0]}


def test_report_shows_the_own_core_figures_only_when_measured() -> None:
    figures = ShardingFigures(count=1000, concurrency=32, watchers=100, tree=Tree(parents=8, count=400))
    figures.proxy = _proxy()
    assert "on a core of its own" not in report(figures)
    assert "core of its own" not in run_row(figures)
    figures.proxy_own_core = _proxy()
    assert "| 0.80, 0.80, 0.80, 0.50 (front-proxy on a core of its own: 0.80, 0.80, 0.80, 0.50) |" in run_row(figures)
    text = report(figures)
    heading = text.index("**The same figures with the front-proxy on a core of its own**")
    assert "| get configmap | 1,000/s (p99 10.0 ms) | 800/s (p99 20.0 ms) | **0.80**, met |" in text[heading:]


def test_own_core_pins_every_thread_apart_and_gives_every_cpu_back() -> None:
    everything = os.sched_getaffinity(0)
    if len(everything) < 2:
        pytest.fail("needs 2 CPUs: the benchmark's machine has them")
    last = max(everything)
    script = "import threading, time; threading.Thread(target=time.sleep, args=(30,)).start(); time.sleep(30)"
    children = {name: subprocess.Popen([sys.executable, "-c", script]) for name in ("front-proxy", "shard root")}
    try:
        time.sleep(0.3)  # both threads of each child started
        pids = {name: child.pid for name, child in children.items()}
        threads = {name: [int(t.name) for t in Path(f"/proc/{pid}/task").iterdir()] for name, pid in pids.items()}
        assert all(len(tids) == 2 for tids in threads.values())
        with own_core(pids, "front-proxy"):
            assert {frozenset(os.sched_getaffinity(t)) for t in threads["front-proxy"]} == {frozenset({last})}
            assert {frozenset(os.sched_getaffinity(t)) for t in threads["shard root"]} == {
                frozenset(everything - {last})
            }
        assert all(os.sched_getaffinity(t) == everything for tids in threads.values() for t in tids)
    finally:
        for child in children.values():
            child.kill()
            child.wait()
