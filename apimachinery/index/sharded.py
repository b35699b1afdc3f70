"""An index fed shard by shard (the front-proxy's): which shard contributed which entry, and its URL.

Each shard's LogicalClusters and Workspaces are listed and watched separately, so a relist of one
shard replaces only that shard's entries and a Shard that disappears takes its entries with it. The
merged view is a `PathIndex` for `walk`/`lookup`: a logical cluster is on the shard that listed it; a
workspace entry ((parent cluster, name) → child cluster) comes from the shard that holds the parent.
When two shards claim one key (a logical cluster moving), the latest write wins, and dropping one
shard's claim never removes the other's. Pure state, no I/O.

`generation` changes whenever anything a route is computed from changes (a shard's URL, a logical
cluster's shard, a workspace's child or availability), so a reader may keep routes computed at one
generation for as long as it is current. Change the index through these methods only, never through
`paths` directly, or the generation does not tell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from apimachinery.index.state import PathIndex

WorkspaceKey = tuple[str, str]  # (parent logical cluster, workspace name)


@dataclass(frozen=True)
class WorkspaceEntry:
    """What the index keeps of one Workspace: its logical cluster and whether it is `Unavailable`."""

    child_cluster: str
    unavailable: bool = False


@dataclass
class ShardedIndex:
    paths: PathIndex = field(default_factory=PathIndex)
    shard_urls: dict[str, str] = field(default_factory=dict)
    clusters_of: dict[str, set[str]] = field(default_factory=dict)
    workspaces_of: dict[str, dict[WorkspaceKey, WorkspaceEntry]] = field(default_factory=dict)
    generation: int = 0

    # --- shards -----------------------------------------------------------------------------------

    def set_shard(self, shard_name: str, base_url: str) -> None:
        if self.shard_urls.get(shard_name) != base_url:
            self.generation += 1
        self.shard_urls[shard_name] = base_url

    def drop_shard(self, shard_name: str) -> None:
        """Forget a shard: its URL, and every entry it contributed."""
        self.generation += 1
        self.shard_urls.pop(shard_name, None)
        self.replace_clusters(shard_name, ())
        self.replace_workspaces(shard_name, {})
        self.clusters_of.pop(shard_name, None)
        self.workspaces_of.pop(shard_name, None)

    def url_of(self, shard_name: str) -> str | None:
        return self.shard_urls.get(shard_name)

    # --- logical clusters ---------------------------------------------------------------------------

    def set_cluster(self, shard_name: str, cluster_name: str) -> None:
        self.clusters_of.setdefault(shard_name, set()).add(cluster_name)
        if self.paths.cluster_shards.get(cluster_name) != shard_name:
            self.generation += 1
        self.paths.set_cluster(cluster_name, shard_name)

    def drop_cluster(self, shard_name: str, cluster_name: str) -> None:
        self.clusters_of.get(shard_name, set()).discard(cluster_name)
        if self.paths.cluster_shards.get(cluster_name) == shard_name:
            self.generation += 1
            self.paths.drop_cluster(cluster_name)

    def replace_clusters(self, shard_name: str, cluster_names: Iterable[str]) -> None:
        """What a relist of the shard's LogicalClusters found: everything else it had claimed is gone."""
        wanted = set(cluster_names)
        for gone in self.clusters_of.get(shard_name, set()) - wanted:
            self.drop_cluster(shard_name, gone)
        for cluster_name in wanted:
            self.set_cluster(shard_name, cluster_name)

    # --- workspaces ---------------------------------------------------------------------------------

    def set_workspace(self, shard_name: str, key: WorkspaceKey, entry: WorkspaceEntry) -> None:
        self.workspaces_of.setdefault(shard_name, {})[key] = entry
        paths = self.paths
        if paths.children.get(key) != entry.child_cluster or (key in paths.unavailable) != entry.unavailable:
            self.generation += 1
        paths.set_workspace(*key, entry.child_cluster, unavailable=entry.unavailable)

    def drop_workspace(self, shard_name: str, key: WorkspaceKey) -> None:
        entry = self.workspaces_of.get(shard_name, {}).pop(key, None)
        if entry is not None and self.paths.children.get(key) == entry.child_cluster:
            self.generation += 1
            self.paths.drop_workspace(*key)

    def replace_workspaces(self, shard_name: str, entries: Mapping[WorkspaceKey, WorkspaceEntry]) -> None:
        """What a relist of the shard's Workspaces found: everything else it had contributed is gone."""
        for gone in set(self.workspaces_of.get(shard_name, {})) - set(entries):
            self.drop_workspace(shard_name, gone)
        for key, entry in entries.items():
            self.set_workspace(shard_name, key, entry)
