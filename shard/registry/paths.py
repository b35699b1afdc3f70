"""Resolution of a `/clusters/<segment>` to a logical cluster name: bare names as they are, paths by index.

A workspace path (`root:org:team`) is looked up in the in-memory PathIndex first (fed by the path index
controller); a miss, or a hit that no longer exists, is resolved by reading storage along the parent
chain (root → Workspace `org` → its spec.cluster → Workspace `team` …), so a workspace is routable the
moment its LogicalCluster exists, before the index has seen it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apimachinery.apis.tenancy_kcp_io import WORKSPACES
from apimachinery.index.home import rewrite_home_path
from apimachinery.index.state import PathIndex, lookup
from shard.registry.clusters import LogicalClusters
from shard.registry.keys import object_key
from shard.storage import errors as storage_errors
from shard.storage.interface import Object, Storage

SYSTEM_PREFIX = "system:"  # system logical clusters (`system:admin`) are names, never workspace paths


@dataclass
class PathResolver:
    storage: Storage
    clusters: LogicalClusters
    index: PathIndex = field(default_factory=PathIndex)

    async def cluster_of(self, segment: str) -> str | None:
        """The logical cluster name `segment` addresses; a bare name is returned unchanged (the caller
        checks it exists); None for a path that leads nowhere. `user:<name>` paths start at that user's home."""
        segment = rewrite_home_path(segment)
        if ":" not in segment or segment.startswith(SYSTEM_PREFIX):
            return segment
        located = lookup(self.index, segment)
        if located is not None and await self.clusters.exists(located.cluster_name):
            return located.cluster_name
        return await self._walk(segment)

    async def _walk(self, workspace_path: str) -> str | None:
        first, *rest = workspace_path.split(":")
        if not first or not await self.clusters.exists(first):
            return None
        current = first
        for segment in rest:
            workspace = await self.read(object_key(WORKSPACES, current, "", segment))
            child = ((workspace or {}).get("spec") or {}).get("cluster", "")
            if not child:
                return None
            current = child
        return current if await self.clusters.exists(current) else None

    async def read(self, key: str) -> Object | None:
        try:
            try:
                return await self.storage.get(key, consistent=False)
            except storage_errors.KeyNotFoundError:
                return await self.storage.get(key)
        except storage_errors.KeyNotFoundError:
            return None
