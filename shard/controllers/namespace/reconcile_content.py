"""Steps of namespace termination: delete the content, then remove the `kubernetes` finalizer."""

from __future__ import annotations

from apimachinery import errors
from apimachinery.apis.core_v1 import NAMESPACES
from shard.registry import keys
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.namespaces import FINALIZER
from shard.registry.options import DeleteRequest
from shard.registry.registry import Registry
from shard.storage.interface import ListOptions, Object

CONTROLLER_USER = UserInfo("system:serviceaccount:kube-system:namespace-controller", ("system:masters",))


async def delete_content(registry: Registry, cluster: str, namespace: str) -> int:
    """Delete everything in the namespace; returns how many objects are still there."""
    remaining = 0
    for store in registry.stores_in(cluster):
        if not store.resource.namespaced:
            continue
        prefix = keys.collection_prefix(store.resource, cluster, namespace)
        items = (await registry.storage.list(prefix, ListOptions())).items
        ctx = RequestContext(cluster, CONTROLLER_USER, namespace)
        for item in items:
            remaining += await _delete_one(store.delete, ctx, item)
    return remaining


async def _delete_one(delete: object, ctx: RequestContext, item: Object) -> int:
    try:
        _, gone = await delete(ctx, item["metadata"]["name"], DeleteRequest())  # type: ignore[operator]
    except errors.StatusError as err:
        if err.code == 404:
            return 0
        raise
    return 0 if gone else 1


async def finalize(registry: Registry, cluster: str, namespace: str) -> None:
    store = registry.store_of(NAMESPACES)
    ctx = RequestContext(cluster, CONTROLLER_USER)

    async def drop_finalizer(current: Object) -> Object:
        spec = current.setdefault("spec", {})
        spec["finalizers"] = [f for f in spec.get("finalizers") or [] if f != FINALIZER]
        return current

    try:
        await store.update(ctx, namespace, drop_finalizer, WriteOptions(), subresource="finalize")
    except errors.StatusError as err:
        if err.code != 404:
            raise
