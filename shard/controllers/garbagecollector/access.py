"""How the collector reaches objects: the Store behind a storage key, and an owner by its reference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apimachinery import errors
from shard.controllers.garbagecollector.graph import Node, Object
from shard.registry import keys
from shard.registry.context import RequestContext, UserInfo
from shard.registry.registry import Registry
from shard.registry.store import Store
from shard.storage import errors as storage_errors

CUSTOM_RESOURCES = "customresources"
GC_USER = UserInfo("system:serviceaccount:kube-system:generic-garbage-collector", ("system:masters",))


@dataclass(frozen=True)
class Owner:
    """What a reference resolved to: `found` is the live owner (same uid), None if it is gone;
    `resolvable` is False when the kind is unknown here, so nothing may be concluded."""

    found: Object | None
    resolvable: bool = True


def split_key(key: str) -> tuple[str, str, str]:
    """`/registry/<group>/<resource>/[customresources/]<cluster>/...` → (group, resource, cluster)."""
    parts = key.split("/")
    cluster = parts[5] if parts[4] == CUSTOM_RESOURCES and len(parts) > 6 else parts[4]
    return parts[2], parts[3], cluster


def store_for_key(registry: Registry, key: str) -> Store | None:
    group, resource, cluster = split_key(key)
    for store in registry.stores_in(cluster):
        definition = store.resource
        if (definition.storage_group, definition.storage_resource) == (group, resource):
            return store
    return None


def context_for(node: Node) -> RequestContext:
    return RequestContext(node.cluster, GC_USER, node.namespace)


async def lookup_owner(registry: Registry, dependent: Node, reference: dict[str, Any]) -> Owner:
    catalog = registry.catalog_for(dependent.cluster)
    resource = catalog.by_kind(str(reference.get("apiVersion", "")), str(reference.get("kind", "")))
    if resource is None:
        return Owner(None, resolvable=False)
    if resource.namespaced and not dependent.namespace:
        return Owner(None)
    namespace = dependent.namespace if resource.namespaced else ""
    key = keys.object_key(resource, dependent.cluster, namespace, str(reference.get("name", "")))
    try:
        owner = await registry.storage.get(key)
    except storage_errors.KeyNotFoundError:
        return Owner(None)
    same = (owner.get("metadata") or {}).get("uid") == reference.get("uid")
    return Owner(owner if same else None)


def ignore_missing(err: errors.StatusError) -> None:
    if err.code != 404:
        raise err
