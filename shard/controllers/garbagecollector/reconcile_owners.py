"""An owner being deleted with a GC finalizer: orphan its dependents, or delete them first (foreground)."""

from __future__ import annotations

from apimachinery import errors
from shard.controllers.garbagecollector.access import context_for, ignore_missing, store_for_key
from shard.controllers.garbagecollector.graph import Graph, Node, Object
from shard.controllers.garbagecollector.reconcile_dependents import FOREGROUND, drop_references, settle
from shard.registry.context import WriteOptions
from shard.registry.registry import Registry

ORPHAN = "orphan"


async def finish_owner(registry: Registry, graph: Graph, uid: str) -> bool:
    """Returns True when the owner must be looked at again later (blocking dependents remain)."""
    node = graph.nodes.get(uid)
    if node is None or not node.deleting:
        return False
    if ORPHAN in node.finalizers:
        for dependent in graph.dependents_of(uid):
            await drop_references(registry, dependent, {uid})
        await _remove_finalizer(registry, node, ORPHAN)
        return False
    if FOREGROUND in node.finalizers:
        return await _foreground(registry, graph, node)
    return False


async def _foreground(registry: Registry, graph: Graph, node: Node) -> bool:
    dependents = graph.dependents_of(node.uid)
    for dependent in dependents:
        if not dependent.deleting:
            await settle(registry, dependent)
    blocking = [
        d for d in dependents if any(ref.get("uid") == node.uid and ref.get("blockOwnerDeletion") for ref in d.owners)
    ]
    if blocking:
        return True
    await _remove_finalizer(registry, node, FOREGROUND)
    return False


async def _remove_finalizer(registry: Registry, node: Node, finalizer: str) -> None:
    store = store_for_key(registry, node.key)
    if store is None:
        return

    async def drop(current: Object) -> Object:
        meta = current.setdefault("metadata", {})
        meta["finalizers"] = [f for f in meta.get("finalizers") or [] if f != finalizer]
        return current

    try:
        await store.update(context_for(node), node.name, drop, WriteOptions(field_manager="garbage-collector"))
    except errors.StatusError as err:
        ignore_missing(err)
