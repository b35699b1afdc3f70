"""Requests to `/clusters/*/…` without sockets: who may make them, which verbs (kcp's 405 text), which
resources, and the list across clusters (JSON and Table) served from an in-memory registry."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from multidict import MultiDict

from apimachinery import errors
from apimachinery.apis.catalog import builtin_catalog
from apimachinery.apis.core_v1 import CONFIGMAPS, NAMESPACES
from shard.endpoints import wildcard
from shard.endpoints.requestinfo import ApiPath, parse, split_cluster
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.registry import Registry
from tests.unit.paging_storage import PagingStorage

ADMIN = UserInfo("kplane-admin", ("system:masters", "system:authenticated"))
TENANT = UserInfo("tenant", ("tenants", "system:authenticated"))
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"
CONFIGMAPS_PATH = "/clusters/*/api/v1/configmaps"


def _attributes(method: str, path: str, user: UserInfo = TENANT, query: dict[str, str] | None = None) -> Any:
    split = split_cluster(path)
    assert split is not None
    return wildcard.attributes_of(method, MultiDict(query or {}), parse(split[1]), user, split[1])


@pytest.mark.parametrize(
    ("method", "path", "query", "verb", "namespace"),
    [
        ("GET", "/clusters/*/api/v1/configmaps", {}, "list", ""),
        ("GET", "/clusters/*/api/v1/configmaps", {"watch": "true"}, "watch", ""),
        ("GET", "/clusters/*/api/v1/watch/namespaces/a/configmaps", {}, "watch", "a"),
        ("GET", "/clusters/*/api/v1/namespaces/a/configmaps/x", {}, "get", "a"),
        ("POST", "/clusters/*/api/v1/namespaces/a/configmaps", {}, "create", "a"),
        ("DELETE", "/clusters/*/api/v1/namespaces/a/configmaps", {}, "deletecollection", "a"),
        ("PATCH", "/clusters/*/apis/tenancy.kcp.io/v1alpha1/workspaces/w", {}, "patch", ""),
    ],
)
def test_attributes(method: str, path: str, query: dict[str, str], verb: str, namespace: str) -> None:
    attributes = _attributes(method, path, query=query)
    assert (attributes.verb, attributes.cluster, attributes.namespace) == (verb, "*", namespace)


def test_only_system_masters_are_allowed() -> None:
    assert wildcard.authorize(_attributes("GET", "/clusters/*/api/v1/configmaps", ADMIN)).allowed
    denied = _attributes("GET", "/clusters/*/api/v1/configmaps")
    assert not wildcard.authorize(denied).allowed
    assert not wildcard.authorize(_attributes("GET", "/clusters/*/api", TENANT)).allowed


@pytest.mark.parametrize(
    ("method", "path", "verb", "kind"),
    [
        ("POST", "/clusters/*/api/v1/namespaces/a/configmaps", "create", "configmaps"),
        ("DELETE", "/clusters/*/apis/apps/v1/deployments", "deletecollection", "deployments.apps"),
        ("GET", "/clusters/*/apis/tenancy.kcp.io/v1alpha1/workspaces/w", "get", "workspaces.tenancy.kcp.io"),
    ],
)
def test_verbs_but_list_and_watch_are_405_with_kcps_text(method: str, path: str, verb: str, kind: str) -> None:
    with pytest.raises(errors.StatusError) as raised:
        wildcard.check_verb(_attributes(method, path, ADMIN))
    status = raised.value.to_status()
    assert (status["code"], status["reason"]) == (405, "MethodNotAllowed")
    assert status["message"] == f'{verb} is not supported on resources of kind "{kind}" in the `*` logical cluster'


async def _registry() -> Registry:
    registry = Registry(builtin_catalog(), PagingStorage())
    for cluster, value in (("c1", "one"), ("c2", "two")):
        ctx = RequestContext(cluster, ADMIN)
        await registry.store_of(NAMESPACES).create(ctx, {"metadata": {"name": "a"}}, WriteOptions())
        inner = RequestContext(cluster, ADMIN, "a")
        await registry.store_of(CONFIGMAPS).create(
            inner, {"metadata": {"name": "x"}, "data": {"v": value}}, WriteOptions()
        )
    return registry


def _serve_api(request: web.Request, path: ApiPath) -> web.StreamResponse:
    return web.json_response({"served": path.kind})


async def _serve(
    path: str, user: UserInfo = ADMIN, method: str = "GET", accept: str = "", headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    request = make_mocked_request(method, path, headers={**({"Accept": accept} if accept else {}), **(headers or {})})
    split = split_cluster(request.path)
    assert split is not None
    try:
        response = await wildcard.serve(
            request, parse(split[1]), user, api_path=split[1], registry=await _registry(), serve_api=_serve_api
        )
    except errors.StatusError as err:
        return err.code, err.to_status()
    assert isinstance(response, web.Response) and isinstance(response.body, bytes)
    return response.status, json.loads(response.body)


def _owners(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(cluster, value) of the test's ConfigMaps (each namespace also holds kube-root-ca.crt)."""
    items = [item for item in body["items"] if item["metadata"]["name"] == "x"]
    return [(item["metadata"]["annotations"]["kcp.io/cluster"], item["data"]["v"]) for item in items]


async def test_list_across_clusters() -> None:
    status, body = await _serve("/clusters/*/api/v1/configmaps?labelSelector=")
    assert status == 200 and body["kind"] == "ConfigMapList"
    assert _owners(body) == [("c1", "one"), ("c2", "two")]
    status, body = await _serve("/clusters/*/api/v1/namespaces/a/configmaps?fieldSelector=metadata.name%3Dx")
    assert status == 200 and _owners(body) == [("c1", "one"), ("c2", "two")] and len(body["items"]) == 2
    status, body = await _serve("/clusters/*/api/v1/namespaces")
    names = {(item["metadata"]["annotations"]["kcp.io/cluster"], item["metadata"]["name"]) for item in body["items"]}
    assert names == {("c1", "a"), ("c2", "a")}


async def test_table_across_clusters() -> None:
    status, body = await _serve("/clusters/*/api/v1/namespaces/a/configmaps", accept=TABLE)
    assert status == 200 and body["kind"] == "Table"
    assert [row["cells"][0] for row in body["rows"]] == ["kube-root-ca.crt", "x", "kube-root-ca.crt", "x"]


async def test_refusals() -> None:
    status, body = await _serve("/clusters/*/api/v1/configmaps", TENANT)
    assert status == 403 and body["message"] == (
        'configmaps is forbidden: User "tenant" cannot list resource "configmaps" in API group "" at the cluster scope'
    )
    status, body = await _serve("/clusters/*/api/v1/namespaces/a/configmaps?watch=1", TENANT)
    assert status == 403 and body["message"].endswith(
        'cannot watch resource "configmaps" in API group "" in the namespace "a"'
    )
    assert (await _serve("/clusters/*/api/v1/namespaces/a/configmaps", TENANT, "POST"))[0] == 403  # authz first
    assert (await _serve("/clusters/*/api/v1/namespaces/a/configmaps", ADMIN, "POST"))[0] == 405
    assert (await _serve("/clusters/*/apis/example.com/v1/widgets"))[0] == 404  # custom resources
    assert (await _serve("/clusters/*/api/v1/namespaces/a/namespaces"))[0] == 404
    assert (await _serve("/clusters/*/api", TENANT))[0] == 403
    # a subject bound to one cluster (a service account) is nobody in particular in `*`
    bound = UserInfo("sa", ("system:masters",), extra={"authentication.kcp.io/cluster-name": ("c1",)})
    status, body = await _serve("/clusters/*/api/v1/configmaps", bound)
    assert status == 403 and 'User "system:anonymous"' in body["message"]


async def test_discovery_is_the_routers() -> None:
    assert await _serve("/clusters/*/apis") == (200, {"served": "apis"})


async def test_impersonation_changes_who_asks() -> None:
    as_jane = {"Impersonate-User": "jane"}
    status, body = await _serve(CONFIGMAPS_PATH, ADMIN, headers=as_jane)
    assert status == 403 and 'User "jane" cannot list' in body["message"]
    as_master = {"Impersonate-User": "other-admin", "Impersonate-Group": "system:masters"}
    assert (await _serve(CONFIGMAPS_PATH, ADMIN, headers=as_master))[0] == 200
    status, body = await _serve(CONFIGMAPS_PATH, TENANT, headers=as_jane)
    assert status == 403 and 'User "tenant" cannot impersonate resource "users"' in body["message"]
