"""Resolving `/clusters/<path>` in the front-proxy: index hits, read-through along the parent chain (also
across shards), probes for unknown names, and the 403/503 outcomes."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.index.home import home_cluster_name
from apimachinery.index.sharded import ShardedIndex, WorkspaceEntry
from frontproxy.lookup import NotAvailable, Resolver, Route, WorkspaceDenied
from frontproxy.metrics import ProxyMetrics
from frontproxy.shardclient import Object, ShardUnreachable

ROOT_URL = "https://root"
S1_URL = "https://s1"
WS = "/apis/tenancy.kcp.io/v1alpha1/workspaces/"
LC = "/apis/core.kcp.io/v1alpha1/logicalclusters/cluster"


def _workspace(cluster: str, *, phase: str = "Ready", shard: str = "") -> Object:
    annotations = {"core.kcp.io/shard": shard} if shard else {}
    return {"metadata": {"annotations": annotations}, "spec": {"cluster": cluster}, "status": {"phase": phase}}


class Shards:
    """What each shard answers to GET (objects by URL); unreachable shards raise; every question recorded."""

    def __init__(self, objects: dict[str, Object], unreachable: tuple[str, ...] = ()) -> None:
        self.objects = objects
        self.unreachable = unreachable
        self.asked: list[str] = []

    async def get(self, base_url: str, path: str) -> Object | None:
        self.asked.append(base_url + path)
        if base_url in self.unreachable:
            raise ShardUnreachable(base_url)
        return self.objects.get(base_url + path)


def _resolver(shards: Shards, index: ShardedIndex | None = None) -> Resolver:
    return Resolver(index or ShardedIndex(), shards, ROOT_URL, ProxyMetrics())


def _lookups(resolver: Resolver) -> dict[str, float]:
    return {
        sample.labels["source"]: sample.value
        for metric in resolver.metrics.lookups.collect()
        for sample in metric.samples
        if sample.name.endswith("_total")
    }


def _indexed() -> ShardedIndex:
    index = ShardedIndex()
    index.set_shard("root", ROOT_URL)
    index.set_shard("s1", S1_URL)
    index.replace_clusters("root", ["root", "orgc"])
    index.replace_clusters("s1", ["teamc"])
    entries = {("root", "org"): WorkspaceEntry("orgc"), ("orgc", "team"): WorkspaceEntry("teamc")}
    index.replace_workspaces("root", entries)
    return index


async def test_an_indexed_path_is_answered_without_asking_any_shard() -> None:
    shards = Shards({})
    resolver = _resolver(shards, _indexed())
    assert await resolver.resolve("root:org:team") == Route(S1_URL, "teamc")
    assert await resolver.resolve("teamc") == Route(S1_URL, "teamc")
    assert shards.asked == [] and _lookups(resolver) == {"index": 2}


async def test_a_miss_is_read_through_from_the_longest_known_prefix() -> None:
    shards = Shards(
        {
            f"{ROOT_URL}/clusters/orgc{WS}new": _workspace("newc", shard="s1"),
            f"{S1_URL}/clusters/newc{WS}deep": _workspace("deepc", shard="s1"),
        }
    )
    index = _indexed()
    index.set_cluster("s1", "newc")  # the LogicalCluster is listed, its Workspace not yet
    resolver = _resolver(shards, index)
    assert await resolver.resolve("root:org:new:deep") == Route(S1_URL, "deepc")
    assert shards.asked == [f"{ROOT_URL}/clusters/orgc{WS}new", f"{S1_URL}/clusters/newc{WS}deep"]
    assert _lookups(resolver) == {"read_through": 1}
    assert ("orgc", "new") not in index.paths.children  # read-through answers are not indexed


async def test_with_an_empty_index_root_is_probed_on_the_root_shard_and_the_chain_followed() -> None:
    shards = Shards(
        {
            f"{ROOT_URL}/clusters/root{LC}": {"metadata": {"name": "cluster"}},
            f"{ROOT_URL}/clusters/root{WS}org": _workspace("orgc"),  # no shard annotation: the parent's shard
        }
    )
    assert await _resolver(shards).resolve("root:org") == Route(ROOT_URL, "orgc")


async def test_a_workspace_on_a_shard_the_index_does_not_know_is_probed() -> None:
    shards = Shards(
        {
            f"{ROOT_URL}/clusters/root{WS}x": _workspace("xc", shard="s9"),
            f"{S1_URL}/clusters/xc{LC}": {"metadata": {"name": "cluster"}},
        }
    )
    index = ShardedIndex()
    index.set_shard("root", ROOT_URL)
    index.set_shard("s1", S1_URL)
    index.set_cluster("root", "root")
    assert await _resolver(shards, index).resolve("root:x") == Route(S1_URL, "xc")


@pytest.mark.parametrize("path", ["root:org:missing", "root:org:team:missing", "nosuchcluster", "nosuch:org"])
async def test_unknown_paths_are_denied(path: str) -> None:
    with pytest.raises(WorkspaceDenied):
        await _resolver(Shards({}), _indexed()).resolve(path)


@pytest.mark.parametrize("path", ["*", "root:*", "", "root:Org", "root::x", "root/x"])
async def test_invalid_paths_and_the_wildcard_are_denied_without_asking(path: str) -> None:
    shards = Shards({})
    with pytest.raises(WorkspaceDenied):
        await _resolver(shards, _indexed()).resolve(path)
    assert shards.asked == []


async def test_a_scheduling_workspace_is_not_routable_yet() -> None:
    scheduling = {"metadata": {"name": "new"}, "status": {"phase": "Scheduling"}}
    shards = Shards({f"{ROOT_URL}/clusters/root{WS}new": scheduling})
    with pytest.raises(WorkspaceDenied):
        await _resolver(shards, _indexed()).resolve("root:new")


async def test_an_unavailable_workspace_is_503_from_the_index_and_from_read_through() -> None:
    index = _indexed()
    index.set_workspace("root", ("orgc", "team"), WorkspaceEntry("teamc", unavailable=True))
    with pytest.raises(NotAvailable):
        await _resolver(Shards({}), index).resolve("root:org:team")
    shards = Shards({f"{ROOT_URL}/clusters/orgc{WS}down": _workspace("downc", phase="Unavailable")})
    with pytest.raises(NotAvailable):
        await _resolver(shards, _indexed()).resolve("root:org:down")


async def test_an_unreachable_parent_shard_is_503() -> None:
    with pytest.raises(NotAvailable):
        await _resolver(Shards({}, unreachable=(ROOT_URL,)), _indexed()).resolve("root:org:new")


async def test_a_probe_that_could_not_ask_every_shard_is_503_not_403() -> None:
    index = _indexed()
    with pytest.raises(NotAvailable):
        await _resolver(Shards({}, unreachable=(S1_URL,)), index).resolve("elsewhere")
    with pytest.raises(WorkspaceDenied):
        await _resolver(Shards({}), index).resolve("elsewhere")


async def test_home_paths_are_rewritten_before_the_lookup() -> None:
    home = home_cluster_name("alice")
    shards = Shards({f"{ROOT_URL}/clusters/{home}{LC}": {}, f"{ROOT_URL}/clusters/{home}{WS}x": _workspace("xc")})
    assert await _resolver(shards).resolve("user:alice:x") == Route(ROOT_URL, "xc")


async def test_unexpected_errors_of_a_probe_are_not_hidden() -> None:
    class Broken(Shards):
        async def get(self, base_url: str, path: str) -> Any:
            raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        await _resolver(Broken({})).resolve("somecluster")


async def test_a_remembered_route_is_forgotten_the_moment_its_workspace_is_gone() -> None:
    index = _indexed()
    shards = Shards({})
    resolver = _resolver(shards, index)
    assert await resolver.resolve("root:org:team") == Route(S1_URL, "teamc")
    assert resolver.remembered.routes == {"root:org:team": Route(S1_URL, "teamc")}
    index.drop_workspace("root", ("orgc", "team"))
    with pytest.raises(WorkspaceDenied):  # read through: the parent's shard no longer has it
        await resolver.resolve("root:org:team")
    assert shards.asked == [f"{ROOT_URL}/clusters/orgc{WS}team"]


async def test_a_remembered_route_follows_a_moved_cluster_and_a_changed_shard_url() -> None:
    index = _indexed()
    resolver = _resolver(Shards({}), index)
    assert await resolver.resolve("root:org:team") == Route(S1_URL, "teamc")
    index.set_cluster("root", "teamc")
    assert await resolver.resolve("root:org:team") == Route(ROOT_URL, "teamc")
    index.set_shard("root", "https://root-new")
    assert await resolver.resolve("root:org:team") == Route("https://root-new", "teamc")
    index.set_workspace("root", ("orgc", "team"), WorkspaceEntry("teamc", unavailable=True))
    with pytest.raises(NotAvailable):
        await resolver.resolve("root:org:team")
    assert _lookups(resolver) == {"index": 3}


async def test_remembered_routes_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("frontproxy.lookup.MAX_REMEMBERED_ROUTES", 2)
    resolver = _resolver(Shards({}), _indexed())
    for path in ["root", "root:org", "root:org:team", "teamc"]:
        await resolver.resolve(path)
    assert len(resolver.remembered.routes) <= 2
    assert await resolver.resolve("root:org") == Route(ROOT_URL, "orgc")
