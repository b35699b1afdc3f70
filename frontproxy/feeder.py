"""Feeds the front-proxy's index from every shard: Shards on the root shard, then per shard its
Workspaces and LogicalClusters across all of its logical clusters (wildcard list+watch).

A Shard that appears gets two reflectors against its `spec.baseURL`; one whose baseURL changes gets them
restarted against the new URL; one that disappears (deleted, or missing from a relist) has them stopped
and its entries dropped. Objects name their logical cluster in the `kcp.io/cluster` annotation. A
Workspace is indexed once it has `spec.cluster` (not while `Scheduling`), and marked unavailable in phase
`Unavailable`. While a shard cannot be listed its last entries stay: its requests then fail at the shard
(503), which is more honest than a 403.

Each resource is followed by a `Reflector`: list, then watch from the list's resourceVersion, forever. A
watch the shard ends normally (its timeout) is resumed from the last resourceVersion seen; an `ERROR`
event (410 Gone: the history was compacted), an unexpected status or a lost connection starts over with a
relist after a backoff (doubling from 0.2 s to 10 s, with jitter; reset by a list that succeeds), so a
sink never misses a change silently: `replace` tells it the whole state again. A watch that ends without
any event (not even a bookmark) counts as an error too, so a misbehaving shard never makes the loop spin.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from apimachinery.index.sharded import ShardedIndex, WorkspaceEntry, WorkspaceKey
from frontproxy.metrics import ProxyMetrics
from frontproxy.shardclient import Object, ShardError, ShardUnreachable, ShardWatcher

log = logging.getLogger("kplane.frontproxy")
Sleep = Callable[[float], Awaitable[None]]
INITIAL_BACKOFF = 0.2
MAX_BACKOFF = 10.0


class Sink(Protocol):
    def replace(self, items: list[Object]) -> None:
        """The complete state, as a list found it."""
        ...

    def apply(self, event_type: str, obj: Object) -> None:
        """One ADDED, MODIFIED or DELETED event."""
        ...


class WatchExpired(Exception):
    """The shard ended the watch with an ERROR event (410 Gone, or another Status)."""


@dataclass
class Reflector:
    client: ShardWatcher
    base_url: str
    path: str
    sink: Sink
    resource: str  # the metrics label
    metrics: ProxyMetrics
    sleep: Sleep

    async def run(self) -> None:
        backoff = INITIAL_BACKOFF
        while True:
            try:
                resource_version = await self._list()
                backoff = INITIAL_BACKOFF
                while True:  # resume after a normal end; leave for a relist on any error
                    resource_version = await self._watch(resource_version)
            except (ShardError, ShardUnreachable, WatchExpired) as err:
                self.metrics.watch_errors.labels(self.resource).inc()
                log.debug("%s of %s: %s; relisting", self.resource, self.base_url, err)
            except Exception:  # a bug must not end this shard's feed for good: log it, start over
                self.metrics.watch_errors.labels(self.resource).inc()
                log.exception("%s of %s: unexpected error; relisting", self.resource, self.base_url)
            await self.sleep(backoff * random.uniform(0.8, 1.2))
            backoff = min(backoff * 2, MAX_BACKOFF)

    async def _list(self) -> str:
        listed = await self.client.list(self.base_url, self.path)
        self.sink.replace(listed.items)
        self.metrics.relists.labels(self.resource).inc()
        return listed.resource_version

    async def _watch(self, resource_version: str) -> str:
        seen = 0
        # aclosing: leaving early (an ERROR event, a failing sink) closes the shard connection at once
        async with contextlib.aclosing(self.client.watch(self.base_url, self.path, resource_version)) as events:
            async for event in events:
                seen += 1
                event_type, obj = str(event.get("type", "")), event.get("object") or {}
                if event_type == "ERROR":
                    raise WatchExpired(str(obj.get("message", obj)))
                resource_version = str((obj.get("metadata") or {}).get("resourceVersion") or resource_version)
                if event_type in ("ADDED", "MODIFIED", "DELETED"):
                    self.sink.apply(event_type, obj)
                    self.metrics.events.labels(self.resource).inc()
        if not seen:  # a watch that ends with nothing to say is not resumed in a tight loop
            raise WatchExpired("the watch ended without an event")
        return resource_version


# --- the index feeder -------------------------------------------------------------------------

SHARDS_PATH = "/clusters/root/apis/core.kcp.io/v1alpha1/shards"
WORKSPACES_PATH = "/clusters/*/apis/tenancy.kcp.io/v1alpha1/workspaces"
LOGICAL_CLUSTERS_PATH = "/clusters/*/apis/core.kcp.io/v1alpha1/logicalclusters"
CLUSTER_ANNOTATION = "kcp.io/cluster"
LOGICAL_CLUSTER_NAME = "cluster"  # the singleton LogicalCluster of every logical cluster


def _metadata(obj: Object) -> dict[str, object]:
    return obj.get("metadata") or {}


def cluster_of(obj: Object) -> str:
    annotations = _metadata(obj).get("annotations") or {}
    value = annotations.get(CLUSTER_ANNOTATION, "") if isinstance(annotations, dict) else ""
    return value if isinstance(value, str) else ""


def workspace_entry(obj: Object) -> tuple[WorkspaceKey, WorkspaceEntry | None]:
    """The index key of a Workspace, and its entry (None while it has no logical cluster)."""
    key = (cluster_of(obj), str(_metadata(obj).get("name", "")))
    child = (obj.get("spec") or {}).get("cluster") or ""
    if not child or not key[0]:
        return key, None
    return key, WorkspaceEntry(str(child), (obj.get("status") or {}).get("phase") == "Unavailable")


def shard_address(obj: Object) -> tuple[str, str]:
    return str(_metadata(obj).get("name", "")), str((obj.get("spec") or {}).get("baseURL", "")).rstrip("/")


@dataclass
class LogicalClusterSink:
    index: ShardedIndex
    shard_name: str

    def replace(self, items: list[Object]) -> None:
        names = [cluster_of(item) for item in items if _metadata(item).get("name") == LOGICAL_CLUSTER_NAME]
        self.index.replace_clusters(self.shard_name, [name for name in names if name])

    def apply(self, event_type: str, obj: Object) -> None:
        cluster_name = cluster_of(obj)
        if not cluster_name or _metadata(obj).get("name") != LOGICAL_CLUSTER_NAME:
            return
        if event_type == "DELETED":
            self.index.drop_cluster(self.shard_name, cluster_name)
        else:
            self.index.set_cluster(self.shard_name, cluster_name)


@dataclass
class WorkspaceSink:
    index: ShardedIndex
    shard_name: str

    def replace(self, items: list[Object]) -> None:
        entries = dict(workspace_entry(item) for item in items)
        self.index.replace_workspaces(self.shard_name, {k: e for k, e in entries.items() if e is not None})

    def apply(self, event_type: str, obj: Object) -> None:
        key, entry = workspace_entry(obj)
        if event_type == "DELETED" or entry is None:
            self.index.drop_workspace(self.shard_name, key)
        else:
            self.index.set_workspace(self.shard_name, key, entry)


@dataclass
class ShardSink:
    feeder: IndexFeeder

    def replace(self, items: list[Object]) -> None:
        shards = dict(shard_address(item) for item in items)
        for gone in set(self.feeder.watched) - set(shards):
            self.feeder.forget(gone)
        for name, base_url in shards.items():
            self.feeder.follow(name, base_url)

    def apply(self, event_type: str, obj: Object) -> None:
        name, base_url = shard_address(obj)
        if event_type == "DELETED":
            self.feeder.forget(name)
        else:
            self.feeder.follow(name, base_url)


@dataclass
class IndexFeeder:
    index: ShardedIndex
    client: ShardWatcher
    root_shard_url: str
    metrics: ProxyMetrics
    sleep: Sleep = asyncio.sleep
    watched: dict[str, tuple[str, list[asyncio.Task[None]]]] = field(default_factory=dict)

    async def run(self) -> None:
        shards = self._reflector(self.root_shard_url, SHARDS_PATH, ShardSink(self), "shards")
        try:
            await shards.run()
        finally:
            for name in list(self.watched):
                await self._stop(name)

    def follow(self, shard_name: str, base_url: str) -> None:
        """Watch a shard's Workspaces and LogicalClusters at `base_url` (again, if its URL changed)."""
        if not shard_name or not base_url:
            return
        current = self.watched.get(shard_name)
        if current is not None and current[0] == base_url:
            return
        if current is not None:
            for task in current[1]:
                task.cancel()
        self.index.set_shard(shard_name, base_url)
        sinks: list[tuple[str, str, Sink]] = [
            (LOGICAL_CLUSTERS_PATH, "logicalclusters", LogicalClusterSink(self.index, shard_name)),
            (WORKSPACES_PATH, "workspaces", WorkspaceSink(self.index, shard_name)),
        ]
        tasks = [asyncio.create_task(self._reflector(base_url, path, sink, label).run()) for path, label, sink in sinks]
        self.watched[shard_name] = (base_url, tasks)

    def forget(self, shard_name: str) -> None:
        """Stop watching a shard that is gone and drop everything it contributed."""
        entry = self.watched.pop(shard_name, None)
        for task in entry[1] if entry else []:
            task.cancel()
        self.index.drop_shard(shard_name)

    async def _stop(self, shard_name: str) -> None:
        _, tasks = self.watched.pop(shard_name)
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _reflector(self, base_url: str, path: str, sink: Sink, resource: str) -> Reflector:
        return Reflector(self.client, base_url, path, sink, resource, self.metrics, self.sleep)
