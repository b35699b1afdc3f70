"""The path index fed shard by shard: walks that stop at the longest known prefix, Unavailable
workspaces, and per-shard replace/drop that never removes another shard's entries."""

from __future__ import annotations

import pytest

from apimachinery.index.sharded import ShardedIndex, WorkspaceEntry
from apimachinery.index.state import Located, PathIndex, Walk, lookup, valid_path, walk


def _index() -> ShardedIndex:
    index = ShardedIndex()
    index.set_shard("root", "https://root")
    index.set_shard("s1", "https://s1")
    index.replace_clusters("root", ["root", "orgc"])
    index.replace_clusters("s1", ["teamc"])
    entries = {("root", "org"): WorkspaceEntry("orgc"), ("orgc", "team"): WorkspaceEntry("teamc")}
    index.replace_workspaces("root", entries)
    return index


def test_a_path_leads_across_shards() -> None:
    index = _index()
    assert lookup(index.paths, "root:org:team") == Located("teamc", "s1")
    assert lookup(index.paths, "orgc:team") == Located("teamc", "s1")
    assert index.url_of("s1") == "https://s1"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("root:org:team", Walk("root", "teamc", "s1", ())),
        ("root:org:nope:deeper", Walk("root", "orgc", "root", ("nope", "deeper"))),
        ("unknown:a", Walk("unknown", "", "", ("a",))),
        ("unknown", Walk("unknown", "", "", ())),
    ],
)
def test_walk_stops_at_the_longest_known_prefix(path: str, expected: Walk) -> None:
    assert walk(_index().paths, path) == expected


def test_a_child_whose_cluster_is_not_listed_yet_stops_the_walk_at_its_parent() -> None:
    index = _index()
    index.replace_clusters("s1", [])
    assert walk(index.paths, "root:org:team") == Walk("root", "orgc", "root", ("team",))
    assert lookup(index.paths, "root:org:team") is None


def test_an_unavailable_workspace_stops_the_walk_and_says_so() -> None:
    index = _index()
    index.set_workspace("root", ("orgc", "team"), WorkspaceEntry("teamc", unavailable=True))
    progress = walk(index.paths, "root:org:team")
    assert progress.unavailable and progress.remaining == ("team",) and progress.located is None
    index.set_workspace("root", ("orgc", "team"), WorkspaceEntry("teamc"))
    assert walk(index.paths, "root:org:team").located == Located("teamc", "s1")


def test_home_paths_start_at_the_home_cluster() -> None:
    index = _index()
    index.set_cluster("root", "v1u4alow0iv9")
    index.set_workspace("root", ("v1u4alow0iv9", "x"), WorkspaceEntry("teamc"))
    assert lookup(index.paths, "user:alice:x") == Located("teamc", "s1")


def test_a_relist_replaces_only_that_shards_entries() -> None:
    index = _index()
    index.replace_workspaces("s1", {("teamc", "sub"): WorkspaceEntry("subc")})
    index.replace_workspaces("root", {("root", "org"): WorkspaceEntry("orgc")})
    assert ("orgc", "team") not in index.paths.children
    assert index.paths.children[("teamc", "sub")] == "subc"
    index.replace_clusters("root", ["root"])
    assert "orgc" not in index.paths.cluster_shards and "teamc" in index.paths.cluster_shards


def test_a_shard_that_disappears_takes_its_entries_and_url() -> None:
    index = _index()
    index.drop_shard("s1")
    assert index.url_of("s1") is None
    assert "teamc" not in index.paths.cluster_shards
    assert index.paths.children[("orgc", "team")] == "teamc"  # root's entry: kept, unroutable without teamc


def test_dropping_a_stale_claim_keeps_the_newer_one() -> None:
    index = _index()
    index.set_cluster("root", "teamc")  # the cluster moved: root lists it now
    index.drop_cluster("s1", "teamc")  # s1's late delete
    assert index.paths.cluster_shards["teamc"] == "root"
    index.set_workspace("s1", ("orgc", "team"), WorkspaceEntry("newc"))
    index.drop_workspace("root", ("orgc", "team"))  # root's older entry pointed elsewhere
    assert index.paths.children[("orgc", "team")] == "newc"


def test_drop_and_replace_on_the_plain_index_forget_unavailability() -> None:
    index = PathIndex()
    index.set_workspace("p", "w", "c", unavailable=True)
    index.drop_workspace("p", "w")
    assert not index.unavailable
    index.set_workspace("p", "w", "c", unavailable=True)
    index.replace_workspaces({("p", "w"): "c"})
    assert not index.unavailable


@pytest.mark.parametrize(
    ("path", "valid"),
    [
        ("root", True),
        ("root:org-1:team", True),
        ("*", False),
        ("", False),
        ("root::x", False),
        ("Root", False),
        ("root:-x", False),
        ("a" * 63, True),
        ("a" * 64, False),
        ("root:", False),
    ],
)
def test_valid_paths_are_kcps(path: str, valid: bool) -> None:
    assert valid_path(path) is valid


def test_the_generation_changes_with_everything_a_route_depends_on_and_only_then() -> None:
    index = _index()
    changes = [
        lambda: index.set_shard("s1", "https://s1-new"),
        lambda: index.set_cluster("root", "teamc"),  # moved from s1
        lambda: index.drop_cluster("root", "teamc"),
        lambda: index.set_workspace("root", ("orgc", "team"), WorkspaceEntry("newc")),
        lambda: index.set_workspace("root", ("orgc", "team"), WorkspaceEntry("newc", unavailable=True)),
        lambda: index.drop_workspace("root", ("orgc", "team")),
        lambda: index.replace_clusters("root", ["root"]),  # orgc gone
        lambda: index.drop_shard("s1"),
    ]
    for change in changes:
        before = index.generation
        change()
        assert index.generation > before
    unchanged = [
        lambda: index.set_shard("root", "https://root"),
        lambda: index.set_cluster("root", "root"),
        lambda: index.set_workspace("root", ("root", "org"), WorkspaceEntry("orgc")),
        lambda: index.drop_workspace("root", ("nosuch", "x")),
        lambda: index.drop_cluster("root", "nosuch"),
    ]
    before = index.generation
    for change in unchanged:
        change()
    assert index.generation == before
