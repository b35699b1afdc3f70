"""The state a path index keeps, and the lookup of a workspace path in it (kcp's front-proxy algorithm).

State is fed from LogicalCluster objects (cluster → shard) and Workspace objects ((parent cluster, name)
→ child cluster, and whether that workspace is `Unavailable`). A lookup starts at a known logical
cluster name (the first path segment) and follows one workspace name per further segment; `walk` says
how far it got, so a caller can resolve the rest another way (the front-proxy asks the parent's shard).
No I/O: the shard and the front-proxy feed it their own way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from apimachinery.index.home import rewrite_home_path

_SEGMENT = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_PATH = re.compile(f"^{_SEGMENT}(:{_SEGMENT})*$")


def valid_path(workspace_path: str) -> bool:
    """kcp's path validity: colon-separated DNS labels. `*` (the wildcard) and empty paths are not paths."""
    return bool(_PATH.match(workspace_path))


@dataclass(frozen=True)
class Located:
    """Where a path leads: the logical cluster name and the shard that holds it."""

    cluster_name: str
    shard_name: str


@dataclass(frozen=True)
class Walk:
    """How far a path resolves in the index.

    `cluster_name`/`shard_name` are the deepest logical cluster reached ("" when even the first segment is
    unknown), `remaining` the workspace names still to follow from there, and `unavailable` whether the
    walk stopped at a workspace in phase `Unavailable` (`remaining` then starts with its name)."""

    first: str
    cluster_name: str
    shard_name: str
    remaining: tuple[str, ...]
    unavailable: bool = False

    @property
    def located(self) -> Located | None:
        if self.cluster_name and not self.remaining and not self.unavailable:
            return Located(self.cluster_name, self.shard_name)
        return None


@dataclass
class PathIndex:
    cluster_shards: dict[str, str] = field(default_factory=dict)
    children: dict[tuple[str, str], str] = field(default_factory=dict)
    unavailable: set[tuple[str, str]] = field(default_factory=set)

    def set_cluster(self, cluster_name: str, shard_name: str) -> None:
        self.cluster_shards[cluster_name] = shard_name

    def drop_cluster(self, cluster_name: str) -> None:
        self.cluster_shards.pop(cluster_name, None)

    def set_workspace(
        self, parent_cluster: str, workspace_name: str, child_cluster: str, *, unavailable: bool = False
    ) -> None:
        key = (parent_cluster, workspace_name)
        self.children[key] = child_cluster
        if unavailable:
            self.unavailable.add(key)
        else:
            self.unavailable.discard(key)

    def drop_workspace(self, parent_cluster: str, workspace_name: str) -> None:
        self.children.pop((parent_cluster, workspace_name), None)
        self.unavailable.discard((parent_cluster, workspace_name))

    def replace_clusters(self, cluster_shards: dict[str, str]) -> None:
        self.cluster_shards = dict(cluster_shards)

    def replace_workspaces(self, children: dict[tuple[str, str], str]) -> None:
        self.children = dict(children)
        self.unavailable = set()


def walk(index: PathIndex, workspace_path: str) -> Walk:
    """Follow `workspace_path` (`user:<name>:…` rewritten to the home cluster first) as far as the index
    knows it."""
    first, *rest = rewrite_home_path(workspace_path).split(":")
    if first not in index.cluster_shards:
        return Walk(first, "", "", tuple(rest))
    current = first
    for position, segment in enumerate(rest):
        key = (current, segment)
        child = index.children.get(key)
        if key in index.unavailable:
            return Walk(first, current, index.cluster_shards[current], tuple(rest[position:]), unavailable=True)
        if child is None or child not in index.cluster_shards:
            return Walk(first, current, index.cluster_shards[current], tuple(rest[position:]))
        current = child
    return Walk(first, current, index.cluster_shards[current], ())


def lookup(index: PathIndex, workspace_path: str) -> Located | None:
    """The logical cluster at `workspace_path` (`root:org:team`, `user:<name>:…` or a bare cluster name),
    or None."""
    return walk(index, workspace_path).located
