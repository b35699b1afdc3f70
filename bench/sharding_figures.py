"""What the sharding benchmark measures (bench/sharding.py), and the per-operation arithmetic on it that both
the report and the scaling estimate use."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.footprint import CpuUse
from bench.loadgen import Result
from bench.procs import LOAD_GENERATOR
from bench.workspace_load import Tree

FIGURES = ("create", "get", "list", "watch")


@dataclass
class ProxyRun:
    """Phase 1: the same figures directly against the root shard and through the front-proxy, and the CPU
    each process used during each figure."""

    direct: dict[str, Result]
    proxied: dict[str, Result]
    direct_cpu: dict[str, CpuUse]
    proxied_cpu: dict[str, CpuUse]


@dataclass
class CreationRun:
    """Phase 2: workspace creation on a fresh installation of `shards` shards."""

    shards: int
    result: Result
    placement: dict[str, int]  # leaves per shard
    cpu: CpuUse
    # time to Ready of the leaves, by the shard of their parent: the shard whose workspace controller
    # reconciles them (the leaf's logical cluster may be elsewhere)
    ready_by_parent_shard: dict[str, list[float]] = field(default_factory=dict)


@dataclass
class ShardingFigures:
    count: int
    concurrency: int
    watchers: int
    tree: Tree
    proxy: ProxyRun | None = None
    proxy_own_core: ProxyRun | None = None  # the front-proxy on a core of its own, the rest on the others
    creation: list[CreationRun] = field(default_factory=list)
    wall_seconds: float = 0.0


def per_operation_ms(use: CpuUse, operations: int) -> dict[str, float]:
    """Milliseconds of CPU per operation of each process during a phase."""
    return {name: seconds / operations * 1000 for name, seconds in use.seconds.items()} if operations else {}


def kplane_ms(use: CpuUse, operations: int) -> float:
    """CPU per operation of every kplane process (shards, etcds, front-proxy, supervisor), not the load."""
    return sum(ms for name, ms in per_operation_ms(use, operations).items() if name != LOAD_GENERATOR)


def shard_ms(per: dict[str, float], shard: str) -> float:
    """CPU per operation of one shard process and its etcd: what one core per shard has to carry."""
    return per.get(f"shard {shard}", 0.0) + per.get(f"etcd {shard}", 0.0)


def shard_names(per: dict[str, float]) -> list[str]:
    return [name.partition(" ")[2] for name in per if name.startswith("shard ")]


def proxy_ratio(proxy: ProxyRun, figure: str) -> float:
    """Throughput through the front-proxy over direct; for watch, direct p50 delivery latency over proxied."""
    direct, proxied = proxy.direct[figure], proxy.proxied[figure]
    if figure == "watch":
        return direct.median / proxied.median if proxied.median else 0.0
    return proxied.per_second / direct.per_second if direct.per_second else 0.0


def by_parent_shard(latencies: dict[int, float], tree: Tree, parents: dict[str, str]) -> dict[str, list[float]]:
    """Leaf latencies (by leaf index) grouped by the shard of the leaf's parent (parent name → shard)."""
    grouped: dict[str, list[float]] = {}
    for index, latency in sorted(latencies.items()):
        parent = tree.leaf(index)[0].rpartition(":")[2]
        grouped.setdefault(parents.get(parent, "?"), []).append(latency)
    return dict(sorted(grouped.items()))
