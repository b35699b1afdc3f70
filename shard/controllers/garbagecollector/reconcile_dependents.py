"""A dependent whose owner may be gone: delete it when no owner remains, else drop dangling references."""

from __future__ import annotations

from typing import Any

from apimachinery import errors
from shard.controllers.garbagecollector.access import context_for, ignore_missing, lookup_owner, store_for_key
from shard.controllers.garbagecollector.graph import Graph, Node, Object
from shard.registry.context import WriteOptions
from shard.registry.options import DeleteRequest
from shard.registry.registry import Registry

FOREGROUND = "foregroundDeletion"


async def verify_dependent(registry: Registry, graph: Graph, uid: str) -> None:
    node = graph.nodes.get(uid)
    if node is None or not node.owners or node.deleting:
        return
    await settle(registry, node)


async def settle(registry: Registry, node: Node) -> None:
    """With a live owner left, only references to gone or foreground-deleting owners are removed;
    with none left, the dependent is deleted (upstream's attemptToDeleteItem)."""
    solid, dangling, waiting = await _classify(registry, node)
    if solid is None:
        return
    if solid:
        if dangling or waiting:
            await drop_references(registry, node, {ref.get("uid", "") for ref in [*dangling, *waiting]})
        return
    if dangling or waiting:
        await delete_object(registry, node)


async def _classify(
    registry: Registry, node: Node
) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]], list[dict[str, Any]]]:
    """Owners that are alive, gone, or being deleted in the foreground; (None, …) if one is unknown."""
    solid, dangling, waiting = [], [], []
    for reference in node.owners:
        owner = await lookup_owner(registry, node, reference)
        if not owner.resolvable:
            return None, [], []
        if owner.found is None:
            dangling.append(reference)
        elif _foreground_deleting(owner.found):
            waiting.append(reference)
        else:
            solid.append(reference)
    return solid, dangling, waiting


def _foreground_deleting(obj: Object) -> bool:
    meta = obj.get("metadata") or {}
    return bool(meta.get("deletionTimestamp")) and FOREGROUND in (meta.get("finalizers") or [])


async def delete_object(registry: Registry, node: Node) -> None:
    store = store_for_key(registry, node.key)
    if store is None:
        return
    try:
        await store.delete(context_for(node), node.name, DeleteRequest(precondition_uid=node.uid))
    except errors.StatusError as err:
        if err.code != 409:
            ignore_missing(err)


async def drop_references(registry: Registry, node: Node, owner_uids: set[str]) -> None:
    store = store_for_key(registry, node.key)
    if store is None:
        return

    async def drop(current: Object) -> Object:
        meta = current.setdefault("metadata", {})
        remaining = [ref for ref in meta.get("ownerReferences") or [] if ref.get("uid") not in owner_uids]
        if remaining:
            meta["ownerReferences"] = remaining
        else:
            meta.pop("ownerReferences", None)
        return current

    try:
        await store.update(context_for(node), node.name, drop, WriteOptions(field_manager="garbage-collector"))
    except errors.StatusError as err:
        ignore_missing(err)
