"""The front-proxy's metrics in Prometheus form (its own registry; bounded label sets only).

Besides requests by method and code: how each `/clusters/` path was resolved (`index` hit or
`read_through` to a shard), the index feeder's events and relists per resource, and the size of the index,
so tests and operators can see the feeder doing its work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from apimachinery.index.sharded import ShardedIndex

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


@dataclass
class ProxyMetrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    # labels() takes a lock and builds a key on every call; the per-request metrics keep their children
    # here instead (bounded: methods are mapped to a fixed set, codes are three digits).
    children: dict[tuple[object, ...], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        r = self.registry
        self.requests = Counter(
            "kplane_front_proxy_requests", "Proxied requests by method and code.", ["method", "code"], registry=r
        )
        self.latency = Histogram(
            "kplane_front_proxy_request_duration_seconds",
            "Time to the response headers, by method.",
            ["method"],
            buckets=BUCKETS,
            registry=r,
        )
        self.lookups = Counter(
            "kplane_front_proxy_lookups",
            "Workspace path resolutions by how they were answered.",
            ["source"],
            registry=r,
        )
        self.events = Counter(
            "kplane_front_proxy_index_events",
            "Watch events applied to the index, by resource.",
            ["resource"],
            registry=r,
        )
        self.relists = Counter(
            "kplane_front_proxy_index_relists",
            "Lists that (re)filled the index, by resource.",
            ["resource"],
            registry=r,
        )
        self.watch_errors = Counter(
            "kplane_front_proxy_index_watch_errors",
            "List or watch failures of the index feeder, by resource.",
            ["resource"],
            registry=r,
        )
        self.index_size = Gauge(
            "kplane_front_proxy_index_entries", "Entries of the index, by kind.", ["kind"], registry=r
        )

    def count(self, method: str, code: int) -> None:
        key = ("requests", _method(method), code)
        self._child(key, self.requests, key[1], str(code)).inc()

    def headers_after(self, method: str, seconds: float) -> None:
        """How long a shard took to send its response headers (a watch's stream time is not latency)."""
        key = ("latency", _method(method))
        self._child(key, self.latency, key[1]).observe(seconds)

    def resolved(self, source: str) -> None:
        self._child(("lookups", source), self.lookups, source).inc()

    def measure(self, index: ShardedIndex) -> None:
        self.index_size.labels("shards").set(len(index.shard_urls))
        self.index_size.labels("logicalclusters").set(len(index.paths.cluster_shards))
        self.index_size.labels("workspaces").set(len(index.paths.children))

    def _child(self, key: tuple[object, ...], metric: Counter | Histogram, *labels: str) -> Any:
        child = self.children.get(key)
        if child is None:
            child = self.children[key] = metric.labels(*labels)
        return child

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def _method(method: str) -> str:
    return method if method in METHODS else "other"
