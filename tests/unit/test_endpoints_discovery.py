"""Discovery documents from the built-in catalog: legacy (/api, /apis, group-version) and aggregated v2."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.apis.catalog import builtin_catalog
from shard.endpoints import discovery

CATALOG = builtin_catalog()
KUBECTL_DISCOVERY = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
)
ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (KUBECTL_DISCOVERY, "v2"),
        ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", "v2"),
        ("application/json", ""),
        ("application/json, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", ""),
        ("*/*", ""),
        ("", ""),
        ("application/yaml", ""),
        ("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,application/json", ""),
        ("application/json;g=example.com;v=v2;as=APIGroupDiscoveryList,application/json", ""),
    ],
)
def test_aggregated_version(accept: str, expected: str) -> None:
    assert discovery.aggregated_version(accept) == expected


def test_aggregated_content_type() -> None:
    assert (
        discovery.aggregated_content_type("v2")
        == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    )


def _by_name(resource_list: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in resource_list["resources"]}


def test_core_resource_list() -> None:
    body = discovery.api_resource_list(CATALOG, "", "v1")
    assert body is not None
    assert (body["kind"], body["apiVersion"], body["groupVersion"]) == ("APIResourceList", "v1", "v1")
    entries = _by_name(body)
    configmaps = entries["configmaps"]
    assert configmaps["shortNames"] == ["cm"]
    assert configmaps["namespaced"] is True
    assert (configmaps["kind"], configmaps["singularName"]) == ("ConfigMap", "configmap")
    assert sorted(configmaps["verbs"]) == ALL_VERBS
    namespaces = entries["namespaces"]
    assert namespaces["namespaced"] is False
    assert namespaces["shortNames"] == ["ns"]
    assert sorted(namespaces["verbs"]) == ["create", "delete", "get", "list", "patch", "update", "watch"]


@pytest.mark.parametrize(
    ("name", "kind", "verbs", "namespaced"),
    [
        ("namespaces/status", "Namespace", ["get", "patch", "update"], False),
        ("namespaces/finalize", "Namespace", ["update"], False),
    ],
)
def test_namespace_subresources(name: str, kind: str, verbs: list[str], namespaced: bool) -> None:
    body = discovery.api_resource_list(CATALOG, "", "v1")
    assert body is not None
    entry = _by_name(body)[name]
    assert entry["kind"] == kind
    assert sorted(entry["verbs"]) == verbs
    assert entry["namespaced"] is namespaced
    assert entry["singularName"] == ""
    assert "storageVersionHash" not in entry


def test_service_account_token_subresource_names_its_own_group() -> None:
    body = discovery.api_resource_list(CATALOG, "", "v1")
    assert body is not None
    entry = _by_name(body)["serviceaccounts/token"]
    assert (entry["group"], entry["version"], entry["kind"], entry["verbs"]) == (
        "authentication.k8s.io",
        "v1",
        "TokenRequest",
        ["create"],
    )


@pytest.mark.parametrize(
    ("resource", "expected"),
    # the values a real kube-apiserver reports: base64(sha256("<group>/<version>/<kind>")[:8])
    [
        ("configmaps", "qFsyl6wFWjQ="),
        ("namespaces", "Q3oi5N2YM8M="),
        ("secrets", "S6u1pOWzb84="),
        ("serviceaccounts", "pbx9ZvyFpBE="),
        ("events", "r2yiGXH7wu8="),
    ],
)
def test_storage_version_hash(resource: str, expected: str) -> None:
    body = discovery.api_resource_list(CATALOG, "", "v1")
    assert body is not None
    assert _by_name(body)[resource]["storageVersionHash"] == expected


def test_group_resource_list() -> None:
    body = discovery.api_resource_list(CATALOG, "rbac.authorization.k8s.io", "v1")
    assert body is not None
    assert body["groupVersion"] == "rbac.authorization.k8s.io/v1"
    entries = _by_name(body)
    assert {"roles", "clusterroles", "rolebindings", "clusterrolebindings"} <= set(entries)
    assert entries["roles"]["namespaced"] is True
    assert entries["clusterroles"]["namespaced"] is False


@pytest.mark.parametrize(("group", "version"), [("", "v2"), ("apps", "v1"), ("rbac.authorization.k8s.io", "v1beta1")])
def test_unknown_group_version_has_no_resource_list(group: str, version: str) -> None:
    assert discovery.api_resource_list(CATALOG, group, version) is None


def test_api_group_list() -> None:
    body = discovery.api_group_list(CATALOG)
    assert (body["kind"], body["apiVersion"]) == ("APIGroupList", "v1")
    groups = {group["name"]: group for group in body["groups"]}
    assert "" not in groups
    expected_groups = {g for g, _ in CATALOG.group_versions() if g}
    assert set(groups) == expected_groups
    for name, group in groups.items():
        versions = [v["version"] for v in group["versions"]]
        assert group["preferredVersion"] == {"groupVersion": f"{name}/{versions[0]}", "version": versions[0]}
        assert all(v["groupVersion"] == f"{name}/{v['version']}" for v in group["versions"])
    assert groups["coordination.k8s.io"]["preferredVersion"]["groupVersion"] == "coordination.k8s.io/v1"


def test_api_group() -> None:
    body = discovery.api_group(CATALOG, "rbac.authorization.k8s.io")
    assert body is not None
    assert (body["kind"], body["apiVersion"], body["name"]) == ("APIGroup", "v1", "rbac.authorization.k8s.io")
    assert body["preferredVersion"] == {"groupVersion": "rbac.authorization.k8s.io/v1", "version": "v1"}
    assert discovery.api_group(CATALOG, "apps") is None
    assert discovery.api_group(CATALOG, "") is None


def test_api_versions() -> None:
    body = discovery.api_versions("10.0.0.1:6443")
    assert body["kind"] == "APIVersions"
    assert body["versions"] == ["v1"]
    assert body["serverAddressByClientCIDRs"] == [{"clientCIDR": "0.0.0.0/0", "serverAddress": "10.0.0.1:6443"}]


def test_aggregated_legacy() -> None:
    body = discovery.aggregated(CATALOG, legacy=True, version="v2")
    assert (body["kind"], body["apiVersion"]) == ("APIGroupDiscoveryList", "apidiscovery.k8s.io/v2")
    assert len(body["items"]) == 1
    item = body["items"][0]
    assert item["metadata"].get("name", "") == ""
    assert [v["version"] for v in item["versions"]] == ["v1"]
    assert item["versions"][0]["freshness"] == "Current"
    resources = {r["resource"]: r for r in item["versions"][0]["resources"]}
    configmaps = resources["configmaps"]
    assert configmaps["responseKind"] == {"group": "", "version": "v1", "kind": "ConfigMap"}
    assert (configmaps["scope"], configmaps["singularResource"], configmaps["shortNames"]) == (
        "Namespaced",
        "configmap",
        ["cm"],
    )
    assert sorted(configmaps["verbs"]) == ALL_VERBS
    namespaces = resources["namespaces"]
    assert namespaces["scope"] == "Cluster"
    subresources = {s["subresource"]: s for s in namespaces["subresources"]}
    assert sorted(subresources) == ["finalize", "status"]
    assert subresources["status"]["responseKind"] == {"group": "", "version": "v1", "kind": "Namespace"}
    assert sorted(subresources["status"]["verbs"]) == ["get", "patch", "update"]
    assert subresources["finalize"]["verbs"] == ["update"]
    token = {s["subresource"]: s for s in resources["serviceaccounts"]["subresources"]}["token"]
    assert token["responseKind"] == {
        "group": "authentication.k8s.io",
        "version": "v1",
        "kind": "TokenRequest",
    }


def test_aggregated_groups() -> None:
    body = discovery.aggregated(CATALOG, legacy=False, version="v2")
    assert body["apiVersion"] == "apidiscovery.k8s.io/v2"
    names = [item["metadata"]["name"] for item in body["items"]]
    assert "" not in names
    assert set(names) == {g for g, _ in CATALOG.group_versions() if g}
    rbac = next(item for item in body["items"] if item["metadata"]["name"] == "rbac.authorization.k8s.io")
    resources = {r["resource"]: r for r in rbac["versions"][0]["resources"]}
    assert resources["clusterroles"]["scope"] == "Cluster"
    assert resources["roles"]["responseKind"] == {
        "group": "rbac.authorization.k8s.io",
        "version": "v1",
        "kind": "Role",
    }


def test_aggregated_and_legacy_discovery_agree() -> None:
    """Each resource of a group-version's APIResourceList is in the aggregated document, and vice versa."""
    aggregated = {
        item["metadata"].get("name", ""): item
        for item in discovery.aggregated(CATALOG, legacy=True, version="v2")["items"]
        + discovery.aggregated(CATALOG, legacy=False, version="v2")["items"]
    }
    for group, version in CATALOG.group_versions():
        legacy = discovery.api_resource_list(CATALOG, group, version)
        assert legacy is not None
        legacy_names = {e["name"] for e in legacy["resources"]}
        versions = {v["version"]: v for v in aggregated[group]["versions"]}
        agg_names = set()
        for resource in versions[version]["resources"]:
            agg_names.add(resource["resource"])
            agg_names.update(f"{resource['resource']}/{s['subresource']}" for s in resource.get("subresources", []))
        assert agg_names == legacy_names, (group, version)
