"""Discovery documents: legacy (/api, /apis, per group-version) and aggregated v2/v2beta1."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from apimachinery.apis.catalog import Catalog
from apimachinery.apis.types import ResourceDefinition
from shard.endpoints.negotiation import parse_accept

AGGREGATED = "APIGroupDiscoveryList"


def aggregated_version(accept: str) -> str:
    """`v2` or `v2beta1` if the client asks for aggregated discovery first, else ""."""
    for media in parse_accept(accept):
        if media.as_kind == AGGREGATED and media.params.get("g") == "apidiscovery.k8s.io":
            if media.params.get("v") in ("v2", "v2beta1"):
                return media.params["v"]
        elif media.type in ("application/json", "*/*", "application/*"):
            return ""
    return ""


def aggregated_content_type(version: str) -> str:
    return f"application/json;g=apidiscovery.k8s.io;v={version};as={AGGREGATED}"


def storage_version_hash(resource: ResourceDefinition) -> str:
    digest = hashlib.sha256(f"{resource.group}/{resource.version}/{resource.kind}".encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def api_versions(server_address: str) -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _group_entry(group: str, versions: list[str]) -> dict[str, Any]:
    listed = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": listed, "preferredVersion": listed[0]}


def _groups(catalog: Catalog) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for group, version in catalog.group_versions():
        if group:
            groups.setdefault(group, []).append(version)
    return groups


def api_group_list(catalog: Catalog) -> dict[str, Any]:
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [_group_entry(g, vs) for g, vs in _groups(catalog).items()],
    }


def api_group(catalog: Catalog, group: str) -> dict[str, Any] | None:
    versions = _groups(catalog).get(group)
    if not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group_entry(group, versions)}


def api_resource_list(catalog: Catalog, group: str, version: str) -> dict[str, Any] | None:
    resources = catalog.in_group_version(group, version)
    if not resources:
        return None
    entries: list[dict[str, Any]] = []
    for resource in resources:
        entries.append(_resource_entry(resource))
        entries.extend(_subresource_entry(resource, sub.name) for sub in resource.subresources)
    group_version = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": entries}


def _resource_entry(resource: ResourceDefinition) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": resource.plural,
        "singularName": resource.singular,
        "namespaced": resource.namespaced,
        "kind": resource.kind,
        "verbs": list(resource.verbs),
    }
    if resource.persisted:  # upstream gives a hash only to what it stores
        entry["storageVersionHash"] = storage_version_hash(resource)
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.categories:
        entry["categories"] = list(resource.categories)
    return entry


def _subresource_entry(resource: ResourceDefinition, name: str) -> dict[str, Any]:
    sub = resource.subresource(name)
    assert sub is not None
    entry: dict[str, Any] = {
        "name": f"{resource.plural}/{name}",
        "singularName": "",
        "namespaced": resource.namespaced,
        "kind": sub.kind or resource.kind,
        "verbs": list(sub.verbs),
    }
    if sub.group_version:
        group, _, version = sub.group_version.rpartition("/")
        entry["group"], entry["version"] = group, version
    return entry


def aggregated(catalog: Catalog, *, legacy: bool, version: str) -> dict[str, Any]:
    """The APIGroupDiscoveryList for /api (legacy=True: one item named "") or /apis."""
    items = []
    if legacy:
        items.append(_aggregated_group(catalog, "", ["v1"]))
    else:
        items.extend(_aggregated_group(catalog, g, vs) for g, vs in _groups(catalog).items())
    return {"kind": AGGREGATED, "apiVersion": f"apidiscovery.k8s.io/{version}", "metadata": {}, "items": items}


def _aggregated_group(catalog: Catalog, group: str, versions: list[str]) -> dict[str, Any]:
    return {
        "metadata": {"name": group, "creationTimestamp": None},
        "versions": [
            {
                "version": v,
                "freshness": "Current",
                "resources": [_aggregated_resource(r) for r in catalog.in_group_version(group, v)],
            }
            for v in versions
        ],
    }


def _aggregated_resource(resource: ResourceDefinition) -> dict[str, Any]:
    kind = {"group": resource.group, "version": resource.version, "kind": resource.kind}
    entry: dict[str, Any] = {
        "resource": resource.plural,
        "responseKind": kind,
        "scope": "Namespaced" if resource.namespaced else "Cluster",
        "singularResource": resource.singular,
        "verbs": list(resource.verbs),
    }
    if resource.short_names:
        entry["shortNames"] = list(resource.short_names)
    if resource.categories:
        entry["categories"] = list(resource.categories)
    subs = []
    for sub in resource.subresources:
        sub_kind = kind
        if sub.kind:
            group, _, version = sub.group_version.rpartition("/")
            sub_kind = {"group": group, "version": version, "kind": sub.kind}
        subs.append({"subresource": sub.name, "responseKind": sub_kind, "verbs": list(sub.verbs)})
    if subs:
        entry["subresources"] = subs
    return entry
