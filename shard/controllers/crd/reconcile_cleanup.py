"""Deletion of a CRD: delete its custom resources, stop serving it, release its finalizer."""

from __future__ import annotations

from apimachinery import errors
from apimachinery.apis.apiextensions_v1 import CLEANUP_FINALIZER, CUSTOMRESOURCEDEFINITIONS
from apimachinery.apis.types import Object
from shard.controllers.crd.reconcile_names import CONTROLLER_USER, set_condition
from shard.registry import keys
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.options import DeleteRequest
from shard.registry.registry import Registry
from shard.storage.interface import ListOptions


async def clean_up(registry: Registry, cluster: str, crd: Object) -> bool:
    """Returns True while custom resources remain (the CRD is looked at again later)."""
    name = crd["metadata"]["name"]
    served = registry.custom.served(cluster, name)
    if served and await _delete_instances(registry, cluster, crd, served[0].namespaced):
        await _mark_terminating(registry, cluster, name)
        return True
    registry.custom.withdraw(cluster, name)
    await _release(registry, cluster, name)
    return False


async def _delete_instances(registry: Registry, cluster: str, crd: Object, namespaced: bool) -> int:
    resource = registry.custom.served(cluster, crd["metadata"]["name"])[0]
    store = registry.custom.store_for(cluster, (resource.group, resource.version, resource.plural))
    assert store is not None
    listed = await registry.storage.list(keys.collection_prefix(resource, cluster), ListOptions())
    for item in listed.items:
        meta = item["metadata"]
        ctx = RequestContext(cluster, CONTROLLER_USER, meta.get("namespace", "") if namespaced else "")
        try:
            await store.delete(ctx, meta["name"], DeleteRequest())
        except errors.StatusError as err:
            if err.code != 404:
                raise
    return len(listed.items)


async def _mark_terminating(registry: Registry, cluster: str, name: str) -> None:
    condition = {
        "type": "Terminating",
        "status": "True",
        "reason": "InstanceDeletionInProgress",
        "message": "CustomResource deletion is in progress",
    }

    async def update(current: Object) -> Object:
        status = current.setdefault("status", {})
        status["conditions"] = set_condition(status.get("conditions") or [], condition)
        return current

    await _update(registry, cluster, name, update, subresource="status")


async def _release(registry: Registry, cluster: str, name: str) -> None:
    async def update(current: Object) -> Object:
        meta = current["metadata"]
        meta["finalizers"] = [f for f in meta.get("finalizers") or [] if f != CLEANUP_FINALIZER]
        return current

    await _update(registry, cluster, name, update)


async def _update(registry: Registry, cluster: str, name: str, update: object, *, subresource: str = "") -> None:
    store = registry.store_of(CUSTOMRESOURCEDEFINITIONS)
    try:
        await store.update(
            RequestContext(cluster, CONTROLLER_USER),
            name,
            update,  # type: ignore[arg-type]
            WriteOptions(field_manager="apiextensions-controller"),
            subresource=subresource,
        )
    except errors.StatusError as err:
        if err.code not in (404, 409):
            raise
