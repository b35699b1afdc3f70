"""Weighted rendezvous placement of workspaces on shards, and the pure path index lookup."""

from __future__ import annotations

from collections import Counter
from typing import Any

from apimachinery.index.state import Located, PathIndex, lookup
from shard.controllers.workspace.placement import choose_shard

WORKSPACES = [f"parent/ws-{i}" for i in range(2000)]


def shard(
    name: str, weight: int = 1, labels: dict[str, str] | None = None, unschedulable: bool = False
) -> dict[str, Any]:
    annotations = {"experimental.core.kcp.io/unschedulable": "true"} if unschedulable else {}
    return {
        "metadata": {"name": name, "labels": labels or {}, "annotations": annotations},
        "status": {"capacity": {"workspaces": str(weight)}},
    }


def placements(shards: list[dict[str, Any]], selector: dict[str, Any] | None = None) -> dict[str, str]:
    out = {}
    for key in WORKSPACES:
        chosen = choose_shard(shards, key, selector)
        out[key] = chosen["metadata"]["name"] if chosen else ""
    return out


def test_adding_a_shard_moves_only_workspaces_to_the_new_shard() -> None:
    before = placements([shard("a"), shard("b"), shard("c")])
    after = placements([shard("a"), shard("b"), shard("c"), shard("d")])
    moved = [key for key in WORKSPACES if before[key] != after[key]]
    assert moved and all(after[key] == "d" for key in moved)
    assert 0.15 < len(moved) / len(WORKSPACES) < 0.35  # about a quarter


def test_placement_is_deterministic_and_order_independent() -> None:
    assert placements([shard("a"), shard("b")]) == placements([shard("b"), shard("a")])


def test_weights_share_workspaces_proportionally() -> None:
    counts = Counter(placements([shard("small", 1), shard("big", 3)]).values())
    assert 0.68 < counts["big"] / len(WORKSPACES) < 0.82


def test_selector_and_unschedulable_narrow_the_candidates() -> None:
    shards = [
        shard("eu", labels={"region": "eu"}),
        shard("us", labels={"region": "us"}),
        shard("x", unschedulable=True),
    ]
    assert set(placements(shards).values()) == {"eu", "us"}
    assert set(placements(shards, {"matchLabels": {"region": "eu"}}).values()) == {"eu"}
    assert set(placements(shards, {"matchLabels": {"region": "mars"}}).values()) == {""}
    assert set(placements([shard("x", unschedulable=True)]).values()) == {""}


def test_path_index_follows_workspaces_from_a_known_cluster() -> None:
    index = PathIndex()
    index.set_cluster("root", "s1")
    index.set_cluster("orgcluster", "s1")
    index.set_cluster("teamcluster", "s2")
    index.set_workspace("root", "org", "orgcluster")
    index.set_workspace("orgcluster", "team", "teamcluster")
    assert lookup(index, "root:org:team") == Located("teamcluster", "s2")
    assert lookup(index, "orgcluster:team") == Located("teamcluster", "s2")
    assert lookup(index, "root") == Located("root", "s1")
    assert lookup(index, "root:nope") is None
    assert lookup(index, "nope:org") is None
    index.drop_cluster("teamcluster")
    assert lookup(index, "root:org:team") is None
