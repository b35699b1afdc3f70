"""Resolution of `/clusters/<path or name>` to a route (shard base URL, logical cluster name).

The index is asked first. On a miss the rest is read through: the longest known prefix is resolved, then
for each further segment the parent's shard is asked for `Workspace <segment>` in the parent logical
cluster (its `spec.cluster` is the next logical cluster, its `core.kcp.io/shard` annotation the shard
that holds it), so a workspace is routable the moment it is Ready, before any watch event arrived. A
first segment the index does not know (a bare logical cluster name, `root` before the first list) is
probed on the shards. Read-through answers are not written into the index: only watches feed it, so it
never holds an entry that nothing will ever remove.

Index hits are remembered by path for as long as the index's generation is the one they were computed
at: any change to the index (a workspace gone, a shard moved) forgets them all, so a remembered route is
always the one the index would give now. Only hits are remembered (bounded; a full table is cleared): a
read-through asks again every time, and a denial is never remembered.

Outcomes: a `Route`; `WorkspaceDenied` (403, kcp's "workspace access not permitted", for invalid paths
such as the wildcard `*`, unknown paths and workspaces without a logical cluster); `NotAvailable` (503,
kcp's "Not available.", for an `Unavailable` workspace or a shard that could not be asked).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from apimachinery.index.sharded import ShardedIndex
from apimachinery.index.state import valid_path, walk
from frontproxy.metrics import ProxyMetrics
from frontproxy.shardclient import Object, ShardError, ShardReader, ShardUnreachable

ROOT_CLUSTER = "root"
SHARD_ANNOTATION = "core.kcp.io/shard"
WORKSPACES = "/apis/tenancy.kcp.io/v1alpha1/workspaces/"
LOGICAL_CLUSTER = "/apis/core.kcp.io/v1alpha1/logicalclusters/cluster"
MAX_REMEMBERED_ROUTES = 10_000


class WorkspaceDenied(Exception):
    """The path leads to no workspace the proxy may route to: 403."""


class NotAvailable(Exception):
    """The workspace is `Unavailable`, or its shard could not be asked: 503."""


@dataclass(frozen=True)
class Route:
    base_url: str
    cluster_name: str


@dataclass
class RememberedRoutes:
    """Index hits by workspace path, all computed at index generation `generation`."""

    generation: int = -1
    routes: dict[str, Route] = field(default_factory=dict)

    def current(self, generation: int) -> dict[str, Route]:
        """The routes still valid at `generation` (none once the index changed)."""
        if generation != self.generation:
            self.routes.clear()
            self.generation = generation
        return self.routes

    def remember(self, workspace_path: str, route: Route) -> None:
        if len(self.routes) >= MAX_REMEMBERED_ROUTES:
            self.routes.clear()  # bounded: a burst of distinct paths costs walks, never memory
        self.routes[workspace_path] = route


@dataclass
class Resolver:
    index: ShardedIndex
    client: ShardReader
    root_shard_url: str
    metrics: ProxyMetrics
    remembered: RememberedRoutes = field(default_factory=RememberedRoutes)

    async def resolve(self, workspace_path: str) -> Route:
        route = self.remembered.current(self.index.generation).get(workspace_path)
        if route is not None:  # only valid paths are remembered
            self.metrics.resolved("index")
            return route
        if not valid_path(workspace_path):
            raise WorkspaceDenied(workspace_path)
        progress = walk(self.index.paths, workspace_path)
        if progress.unavailable:
            raise NotAvailable(workspace_path)
        base_url = self.index.url_of(progress.shard_name) if progress.cluster_name else None
        if base_url is not None and progress.located is not None:
            self.metrics.resolved("index")
            route = Route(base_url, progress.cluster_name)
            # no await since the generation was read: the route is the index's at that generation
            self.remembered.remember(workspace_path, route)
            return route
        self.metrics.resolved("read_through")
        if base_url is not None:
            route = Route(base_url, progress.cluster_name)
        else:
            route = await self._probe(progress.cluster_name or progress.first)
        for segment in progress.remaining:
            route = await self._follow(route, segment)
        return route

    async def _follow(self, parent: Route, name: str) -> Route:
        """One step down: the Workspace `name` in the parent logical cluster, asked of the parent's shard."""
        workspace = await self._get(parent.base_url, f"/clusters/{parent.cluster_name}{WORKSPACES}{name}")
        if workspace is None:
            raise WorkspaceDenied(name)
        child = str((workspace.get("spec") or {}).get("cluster") or "")
        if not child:
            raise WorkspaceDenied(name)  # still Scheduling: not routable yet, as kcp's index
        if (workspace.get("status") or {}).get("phase") == "Unavailable":
            raise NotAvailable(name)
        annotations = (workspace.get("metadata") or {}).get("annotations") or {}
        base_url = self._base_url_of_cluster(child, str(annotations.get(SHARD_ANNOTATION, "")), parent.base_url)
        return Route(base_url, child) if base_url else await self._probe(child)

    def _base_url_of_cluster(self, cluster_name: str, shard_name: str, parent_url: str) -> str | None:
        """Where the index says a logical cluster lives, else where its Workspace says it was placed (no
        shard named: the parent's shard); None when that shard's URL is not known (yet)."""
        indexed = self.index.paths.cluster_shards.get(cluster_name)
        if indexed and self.index.url_of(indexed):
            return self.index.url_of(indexed)
        return self.index.url_of(shard_name) if shard_name else parent_url

    async def _probe(self, cluster_name: str) -> Route:
        """The shard that holds a logical cluster the index does not know: every known shard is asked for its
        LogicalCluster at once (the root shard first for `root`). Nobody has it: 403, or 503 if a shard
        could not be asked (it may be the one)."""
        candidates = list(dict.fromkeys([self.root_shard_url, *self.index.shard_urls.values()]))
        path = f"/clusters/{cluster_name}{LOGICAL_CLUSTER}"
        if cluster_name == ROOT_CLUSTER:
            candidates = candidates[:1]
        answers = await asyncio.gather(*(self._get(url, path) for url in candidates), return_exceptions=True)
        for url, answer in zip(candidates, answers, strict=True):
            if isinstance(answer, dict):
                return Route(url, cluster_name)
            if isinstance(answer, BaseException) and not isinstance(answer, NotAvailable):
                raise answer
        if any(isinstance(answer, NotAvailable) for answer in answers):
            raise NotAvailable(cluster_name)
        raise WorkspaceDenied(cluster_name)

    async def _get(self, base_url: str, path: str) -> Object | None:
        try:
            return await self.client.get(base_url, path)
        except (ShardUnreachable, ShardError) as err:
            raise NotAvailable(str(err)) from err
