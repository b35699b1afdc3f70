"""The state a path index keeps, and the lookup of a workspace path in it (kcp's front-proxy algorithm).

State is fed from LogicalCluster objects (cluster → shard) and Workspace objects ((parent cluster, name)
→ child cluster). A lookup starts at a known logical cluster name (the first path segment) and follows
one workspace name per further segment. No I/O: the shard and the front-proxy feed it their own way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apimachinery.index.home import rewrite_home_path


@dataclass(frozen=True)
class Located:
    """Where a path leads: the logical cluster name and the shard that holds it."""

    cluster_name: str
    shard_name: str


@dataclass
class PathIndex:
    cluster_shards: dict[str, str] = field(default_factory=dict)
    children: dict[tuple[str, str], str] = field(default_factory=dict)

    def set_cluster(self, cluster_name: str, shard_name: str) -> None:
        self.cluster_shards[cluster_name] = shard_name

    def drop_cluster(self, cluster_name: str) -> None:
        self.cluster_shards.pop(cluster_name, None)

    def set_workspace(self, parent_cluster: str, workspace_name: str, child_cluster: str) -> None:
        self.children[(parent_cluster, workspace_name)] = child_cluster

    def drop_workspace(self, parent_cluster: str, workspace_name: str) -> None:
        self.children.pop((parent_cluster, workspace_name), None)

    def replace_clusters(self, cluster_shards: dict[str, str]) -> None:
        self.cluster_shards = dict(cluster_shards)

    def replace_workspaces(self, children: dict[tuple[str, str], str]) -> None:
        self.children = dict(children)


def lookup(index: PathIndex, workspace_path: str) -> Located | None:
    """The logical cluster at `workspace_path` (`root:org:team`, `user:<name>:…` or a bare cluster name),
    or None."""
    first, *rest = rewrite_home_path(workspace_path).split(":")
    current = first
    if current not in index.cluster_shards:
        return None
    for segment in rest:
        child = index.children.get((current, segment))
        if child is None or child not in index.cluster_shards:
            return None
        current = child
    return Located(current, index.cluster_shards[current])
