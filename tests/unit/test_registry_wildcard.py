"""The wildcard cluster's storage view: which prefixes it spans, namespace narrowing, the `kcp.io/cluster`
annotation taken from keys, continue tokens re-issued for the wildcard prefix, writes refused."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from apimachinery import errors
from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS
from apimachinery.apis.core_v1 import CONFIGMAPS, NAMESPACES
from apimachinery.apis.customresource import definitions_from_crd
from shard.registry import keys
from shard.registry.context import RequestContext, UserInfo
from shard.registry.kinds import strategy_for
from shard.registry.listing import list_objects
from shard.registry.options import ListRequest
from shard.registry.store import Store
from shard.registry.wildcard import (
    Span,
    WildcardStorage,
    annotate,
    cluster_in_key,
    names_wildcard,
    narrowed,
    reissue,
    span_of,
)
from shard.storage import errors as storage_errors
from shard.storage import paging
from shard.storage.interface import ListOptions, ListResult, Object
from tests.unit.paging_storage import PagingStorage

CRD = {
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
        "versions": [{"name": "v1", "served": True, "storage": True}],
    },
}


@pytest.mark.parametrize(
    ("prefix", "span"),
    [
        (keys.collection_prefix(CONFIGMAPS, "*"), Span("/registry/core/configmaps/")),
        (keys.collection_prefix(CONFIGMAPS, "*", "default"), Span("/registry/core/configmaps/", "default")),
        (keys.collection_prefix(NAMESPACES, "*"), Span("/registry/core/namespaces/")),
        (keys.collection_prefix(LOGICALCLUSTERS, "*"), Span("/registry/core.kcp.io/logicalclusters/")),
        (
            keys.collection_prefix(definitions_from_crd(CRD)[0], "*", "ns"),
            Span("/registry/example.com/widgets/customresources/", "ns"),
        ),
        (keys.collection_prefix(CONFIGMAPS, "root"), None),
        (keys.collection_prefix(CONFIGMAPS, "root", "default"), None),
        (keys.object_key(CONFIGMAPS, "root", "default", "*"), None),  # a name, not the cluster
        ("/registry/core/configmaps/*/a/b/", None),
        ("/other/core/configmaps/*/", None),
        ("/registry/core/", None),
    ],
)
def test_span_of(prefix: str, span: Span | None) -> None:
    assert span_of(prefix) == span


def test_names_wildcard_only_for_the_cluster_segment() -> None:
    assert names_wildcard(keys.object_key(CONFIGMAPS, "*", "default", "x"))
    assert names_wildcard(keys.collection_prefix(CONFIGMAPS, "*"))
    assert not names_wildcard(keys.object_key(CONFIGMAPS, "root", "default", "*"))
    assert not names_wildcard(keys.object_key(NAMESPACES, "root", "", "*"))
    assert not names_wildcard("/registry/core/configmaps/*")


def test_cluster_in_key_and_annotation() -> None:
    span = Span("/registry/core/configmaps/")
    assert cluster_in_key(span, "/registry/core/configmaps/abc/default/x") == "abc"
    assert annotate({"metadata": {}}, "abc")["metadata"]["annotations"] == {"kcp.io/cluster": "abc"}
    stored = {"metadata": {"annotations": {"kcp.io/cluster": "stored", "a": "b"}}}
    assert annotate(stored, "abc")["metadata"]["annotations"] == {"kcp.io/cluster": "stored", "a": "b"}
    assert annotate({}, "abc")["metadata"]["annotations"]["kcp.io/cluster"] == "abc"


def test_narrowed_keeps_the_namespace_and_the_predicate() -> None:
    assert narrowed(Span("/p/"), None) is None
    only = narrowed(Span("/p/", "a"), lambda obj: obj["metadata"]["name"] == "x")
    assert only is not None
    assert only({"metadata": {"namespace": "a", "name": "x"}})
    assert not only({"metadata": {"namespace": "b", "name": "x"}})
    assert not only({"metadata": {"namespace": "a", "name": "y"}})


def test_reissue_keeps_position_and_latest() -> None:
    real, virtual = "/registry/core/configmaps/", "/registry/core/configmaps/*/"
    token = paging.encode_continue(real, paging.ContinueToken(7, real + "c1/default/x\x00"))
    back = paging.decode_continue(virtual, reissue(token, real, virtual))
    assert back == paging.ContinueToken(7, virtual + "c1/default/x\x00")
    latest = paging.encode_continue(virtual, paging.ContinueToken(paging.LATEST, virtual + "c2/"))
    assert paging.decode_continue(real, reissue(latest, virtual, real)) == paging.ContinueToken(0, real + "c2/")
    with pytest.raises(storage_errors.InvalidContinueError):
        reissue(token, virtual, real)  # a token of another prefix


def _cm(namespace: str, name: str, cluster: str = "") -> Object:
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if cluster:
        meta["annotations"] = {"kcp.io/cluster": cluster}
    return {"metadata": meta}


async def _filled() -> PagingStorage:
    storage = PagingStorage()
    for cluster in ("c1", "c2"):
        for namespace in ("a", "b"):
            # objects in c2 lack the annotation: the view takes it from the key
            obj = _cm(namespace, "x", cluster if cluster == "c1" else "")
            await storage.create(keys.object_key(CONFIGMAPS, cluster, namespace, "x"), obj)
    await storage.create(keys.object_key(NAMESPACES, "c1", "", "a"), {"metadata": {"name": "a"}})
    return storage


async def test_list_spans_every_cluster_and_annotates() -> None:
    storage = await _filled()
    view = WildcardStorage(storage)
    result = await view.list(keys.collection_prefix(CONFIGMAPS, "*"), ListOptions())
    assert storage.lists == ["/registry/core/configmaps/"]
    assert [
        (item["metadata"]["annotations"]["kcp.io/cluster"], item["metadata"]["namespace"]) for item in result.items
    ] == [("c1", "a"), ("c1", "b"), ("c2", "a"), ("c2", "b")]


async def test_list_of_one_namespace_in_every_cluster_pages_with_tokens_of_its_own_prefix() -> None:
    view = WildcardStorage(await _filled())
    prefix = keys.collection_prefix(CONFIGMAPS, "*", "b")
    first = await view.list(prefix, ListOptions(limit=1))
    assert [item["metadata"]["annotations"]["kcp.io/cluster"] for item in first.items] == ["c1"]
    assert paging.decode_continue(prefix, first.continue_token).start_key.startswith(prefix)
    second = await view.list(prefix, ListOptions(limit=1, continue_token=first.continue_token))
    assert [
        (item["metadata"]["annotations"]["kcp.io/cluster"], item["metadata"]["namespace"]) for item in second.items
    ] == [("c2", "b")]
    assert second.continue_token == ""
    other = keys.collection_prefix(CONFIGMAPS, "*", "a")
    with pytest.raises(storage_errors.InvalidContinueError):
        await view.list(other, ListOptions(continue_token=first.continue_token))


async def test_named_clusters_pass_through_and_the_wildcard_holds_nothing() -> None:
    storage = await _filled()
    view = WildcardStorage(storage)
    named = await view.list(keys.collection_prefix(CONFIGMAPS, "c2", "a"), ListOptions())
    assert [item["metadata"].get("annotations") for item in named.items] == [None]  # untouched
    assert (await view.get(keys.object_key(CONFIGMAPS, "c1", "a", "x")))["metadata"]["name"] == "x"
    wildcard_key = keys.object_key(CONFIGMAPS, "*", "a", "x")
    with pytest.raises(storage_errors.KeyNotFoundError):
        await view.get(wildcard_key)
    with pytest.raises(storage_errors.KeyNotFoundError):
        await view.create(wildcard_key, _cm("a", "x"))
    with pytest.raises(storage_errors.KeyNotFoundError):
        await view.delete(wildcard_key)
    assert wildcard_key not in storage.objects
    assert await view.count(keys.collection_prefix(CONFIGMAPS, "*")) == 4
    assert await view.count(keys.collection_prefix(CONFIGMAPS, "*", "a")) == 2
    assert await view.count(keys.collection_prefix(CONFIGMAPS, "c1")) == 2


async def test_watch_spans_every_cluster_and_annotates() -> None:
    storage = await _filled()
    view = WildcardStorage(storage)
    events = view.watch(keys.collection_prefix(CONFIGMAPS, "*", "a"), revision=storage.revision)
    received = asyncio.ensure_future(anext(events))
    await asyncio.sleep(0)
    assert storage.watchers[0][0] == "/registry/core/configmaps/"
    await storage.create(keys.object_key(CONFIGMAPS, "c3", "b", "y"), _cm("b", "y"))  # another namespace
    await storage.create(keys.object_key(CONFIGMAPS, "c3", "a", "y"), _cm("a", "y"))
    event = await asyncio.wait_for(received, 5)
    assert event.type == "ADDED" and event.object["metadata"]["annotations"] == {"kcp.io/cluster": "c3"}
    await events.aclose()  # type: ignore[attr-defined]


class CompactedStorage(PagingStorage):
    """Every continued list finds its first page's revision compacted, unless it asks for the latest."""

    async def list(self, prefix: str, options: ListOptions) -> ListResult:
        if options.continue_token and paging.decode_continue(prefix, options.continue_token).revision:
            raise storage_errors.ExpiredError(prefix, 3, 5)
        return await super().list(prefix, options)


async def test_an_expired_continue_token_gets_a_fresh_one_for_the_wildcard_prefix() -> None:
    storage = CompactedStorage()
    for cluster in ("c1", "c2"):
        await storage.create(keys.object_key(CONFIGMAPS, cluster, "a", "x"), _cm("a", "x"))
    store = Store(CONFIGMAPS, strategy_for(CONFIGMAPS), WildcardStorage(storage))
    ctx = RequestContext("*", UserInfo("admin", ("system:masters",)), "a")
    first = await list_objects(store, ctx, ListRequest(limit=1))
    with pytest.raises(errors.StatusError) as raised:
        await list_objects(store, ctx, ListRequest(limit=1, continue_token=first["metadata"]["continue"]))
    assert raised.value.code == 410
    fresh = raised.value.extra_metadata["continue"]
    rest = await list_objects(store, ctx, ListRequest(continue_token=fresh))
    assert [item["metadata"]["annotations"]["kcp.io/cluster"] for item in rest["items"]] == ["c2"]
