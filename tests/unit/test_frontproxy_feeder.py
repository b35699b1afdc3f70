"""Feeding the front-proxy's index from watch events: the sinks per resource, the reflector's relist and
resume rules, and the feeder following Shards as they come, move and go."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from apimachinery.index.sharded import ShardedIndex, WorkspaceEntry
from apimachinery.index.state import Located, lookup
from frontproxy.feeder import (
    LOGICAL_CLUSTERS_PATH,
    MAX_BACKOFF,
    WORKSPACES_PATH,
    IndexFeeder,
    LogicalClusterSink,
    Reflector,
    ShardSink,
    WorkspaceSink,
)
from frontproxy.metrics import ProxyMetrics
from frontproxy.shardclient import Listed, Object, ShardUnreachable


def _lc(cluster: str, name: str = "cluster") -> Object:
    return {"metadata": {"name": name, "annotations": {"kcp.io/cluster": cluster}}}


def _ws(parent: str, name: str, cluster: str = "", phase: str = "Ready") -> Object:
    return {
        "metadata": {"name": name, "annotations": {"kcp.io/cluster": parent}},
        "spec": {"cluster": cluster} if cluster else {},
        "status": {"phase": phase},
    }


def _shard(name: str, url: str) -> Object:
    return {"metadata": {"name": name}, "spec": {"baseURL": url}}


def test_logical_clusters_feed_cluster_to_shard() -> None:
    index = ShardedIndex()
    sink = LogicalClusterSink(index, "s1")
    sink.replace([_lc("a"), _lc("b"), _lc("c", name="not-the-singleton"), {"metadata": {"name": "cluster"}}])
    assert index.paths.cluster_shards == {"a": "s1", "b": "s1"}
    sink.apply("ADDED", _lc("d"))
    sink.apply("DELETED", _lc("a"))
    assert index.paths.cluster_shards == {"b": "s1", "d": "s1"}


def test_workspaces_feed_children_and_unavailability() -> None:
    index = ShardedIndex()
    sink = WorkspaceSink(index, "root")
    sink.replace([_ws("root", "org", "orgc"), _ws("root", "new"), _ws("root", "down", "downc", "Unavailable")])
    assert index.paths.children == {("root", "org"): "orgc", ("root", "down"): "downc"}
    assert index.paths.unavailable == {("root", "down")}
    sink.apply("MODIFIED", _ws("root", "new", "newc"))
    sink.apply("MODIFIED", _ws("root", "down", "downc", "Ready"))
    sink.apply("DELETED", _ws("root", "org", "orgc"))
    assert index.paths.children == {("root", "new"): "newc", ("root", "down"): "downc"}
    assert not index.paths.unavailable


class Watcher:
    """Scripted shard: each list returns the next listing; each watch yields the next script of events
    (an exception in a script is raised there). When the listings run out, list raises `Finished`."""

    def __init__(self, listings: list[Listed | Exception], watches: list[list[Object | Exception]]) -> None:
        self.listings = listings
        self.watches = watches
        self.calls: list[tuple[str, str]] = []

    async def list(self, base_url: str, path: str) -> Listed:
        self.calls.append(("list", ""))
        if not self.listings:
            raise Finished()
        listing = self.listings.pop(0)
        if isinstance(listing, Exception):
            raise listing
        return listing

    async def watch(self, base_url: str, path: str, resource_version: str) -> AsyncIterator[Object]:
        self.calls.append(("watch", resource_version))
        for event in self.watches.pop(0) if self.watches else []:
            if isinstance(event, Exception):
                raise event
            yield event


class Finished(BaseException):
    """Ends a test's reflector (which starts over after any Exception)."""


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, object]] = []

    def replace(self, items: list[Object]) -> None:
        self.seen.append(("replace", [item["metadata"]["name"] for item in items]))

    def apply(self, event_type: str, obj: Object) -> None:
        self.seen.append((event_type, obj["metadata"]["name"]))


def _event(event_type: str, name: str, rv: str) -> Object:
    return {"type": event_type, "object": {"metadata": {"name": name, "resourceVersion": rv}}}


async def _run(watcher: Watcher) -> tuple[Recorder, list[float]]:
    sink, sleeps = Recorder(), []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    with pytest.raises(Finished):
        await Reflector(watcher, "https://s", "/p", sink, "things", ProxyMetrics(), sleep).run()
    return sink, sleeps


async def test_a_watch_that_ends_normally_is_resumed_from_the_last_resource_version() -> None:
    watcher = Watcher(
        [Listed([{"metadata": {"name": "a"}}], "10")],
        [[_event("ADDED", "b", "11"), _event("BOOKMARK", "", "15")], [_event("DELETED", "a", "16")], []],
    )
    sink, _ = await _run(watcher)
    assert sink.seen == [("replace", ["a"]), ("ADDED", "b"), ("DELETED", "a")]
    assert watcher.calls[:4] == [("list", ""), ("watch", "10"), ("watch", "15"), ("watch", "16")]


async def test_410_errors_and_lost_connections_relist_after_a_growing_backoff() -> None:
    gone = {"type": "ERROR", "object": {"kind": "Status", "code": 410, "message": "too old resource version"}}
    watcher = Watcher(
        [Listed([], "1"), ShardUnreachable("down"), Listed([{"metadata": {"name": "x"}}], "20"), Listed([], "30")],
        [[gone], [ShardUnreachable("reset")]],
    )
    sink, sleeps = await _run(watcher)
    assert sink.seen == [("replace", []), ("replace", ["x"]), ("replace", [])]
    assert [call for call, _ in watcher.calls] == ["list", "watch", "list", "list", "watch", "list", "watch", "list"]
    assert len(sleeps) == 4 and sleeps[1] > sleeps[0] and max(sleeps) <= MAX_BACKOFF * 1.2
    assert sleeps[2] < sleeps[1]  # a successful list resets the backoff


async def test_an_unexpected_error_starts_over_rather_than_ending_the_feed() -> None:
    watcher = Watcher([Listed([{"metadata": {}}], "1"), Listed([], "2")], [[_event("ADDED", "a", "3")]])
    sink, sleeps = await _run(watcher)  # the first replace fails: the item has no name
    assert sink.seen == [("replace", []), ("ADDED", "a")] and len(sleeps) == 2


async def test_a_watch_without_any_event_is_not_resumed_in_a_tight_loop() -> None:
    watcher = Watcher([Listed([], "1"), Listed([], "1")], [[], []])
    _, sleeps = await _run(watcher)
    assert [call for call, _ in watcher.calls] == ["list", "watch", "list", "watch", "list"]
    assert len(sleeps) == 2


class Idle:
    """A shard whose lists never answer: the feeder's reflectors stay running until cancelled."""

    def __init__(self) -> None:
        self.listed: list[tuple[str, str]] = []

    async def list(self, base_url: str, path: str) -> Listed:
        self.listed.append((base_url, path))
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def watch(self, base_url: str, path: str, resource_version: str) -> AsyncIterator[Object]:
        raise AssertionError("never watched")
        yield {}


async def test_the_feeder_follows_shards_as_they_come_move_and_go() -> None:
    index, idle = ShardedIndex(), Idle()
    feeder = IndexFeeder(index, idle, "https://root", ProxyMetrics())
    sink = ShardSink(feeder)
    sink.replace([_shard("root", "https://root/"), _shard("s1", "https://s1")])
    await asyncio.sleep(0)
    assert index.shard_urls == {"root": "https://root", "s1": "https://s1"}
    assert sorted(idle.listed) == sorted(
        (url, path) for url in ("https://root", "https://s1") for path in (LOGICAL_CLUSTERS_PATH, WORKSPACES_PATH)
    )
    index.set_cluster("s1", "c1")
    index.set_workspace("s1", ("c1", "w"), WorkspaceEntry("c2"))
    old_tasks = feeder.watched["s1"][1]
    sink.apply("MODIFIED", _shard("s1", "https://s1-new"))
    await asyncio.sleep(0)
    assert all(task.cancelled() for task in old_tasks)
    assert feeder.watched["s1"][0] == "https://s1-new" and index.paths.cluster_shards["c1"] == "s1"
    sink.replace([_shard("root", "https://root")])  # s1 is gone from the list
    await asyncio.sleep(0)
    assert "s1" not in feeder.watched and index.url_of("s1") is None
    assert "c1" not in index.paths.cluster_shards and lookup(index.paths, "c1:w") is None
    sink.apply("DELETED", _shard("root", "https://root"))
    assert not feeder.watched and not index.shard_urls


async def test_a_watched_index_routes_a_new_workspace_from_events_alone() -> None:
    index = ShardedIndex()
    LogicalClusterSink(index, "root").replace([_lc("root")])
    WorkspaceSink(index, "root").replace([])
    LogicalClusterSink(index, "s1").apply("ADDED", _lc("xc"))
    WorkspaceSink(index, "root").apply("MODIFIED", _ws("root", "x", "xc"))
    assert lookup(index.paths, "root:x") == Located("xc", "s1")
