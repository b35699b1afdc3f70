"""A delete's verdict and its write: the object is marked deleting (it has finalizers, or its kind or the
propagation policy keeps it for now) or deleted at once.

The verdict starts from the watch cache's state (upstream's registry reads etcd for it; this saves that
read per DELETE). Every write is guarded by the state the verdict was made on and checks the verdict again
on the state it is about to change: a write that finds the verdict no longer holds (another writer came in
between, or the cache was behind) raises `JudgeAgain`, and the verdict is made again on etcd's state. A
name the cache does not know is confirmed by a linearizable read, so an object created a moment ago is
never reported missing. The client's preconditions (uid, resourceVersion) are checked on the state each
write changes; a mismatch found on the cache's state alone is judged again on etcd's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apimachinery import errors
from apimachinery.apis.types import Object
from apimachinery.jsoncopy import json_copy
from shard.registry import metadata
from shard.registry.context import RequestContext
from shard.registry.errors import check_preconditions
from shard.registry.options import DeleteRequest
from shard.storage import errors as storage_errors
from shard.storage.interface import Preconditions

if TYPE_CHECKING:
    from shard.registry.store import Store

# propagationPolicy → the finalizer that makes the garbage collector finish the deletion
GC_FINALIZERS = {"Orphan": "orphan", "Foreground": "foregroundDeletion"}
# verdicts in a row that a concurrent writer may overturn before the client is told to try again
VERDICTS = 4


class JudgeAgain(Exception):
    """The state a verdict was made on is not the state the write found."""


async def delete(store: Store, ctx: RequestContext, name: str, request: DeleteRequest) -> tuple[Object, bool]:
    """(object, gone): gone False means the object stays, marked for deletion. Storage errors propagate."""
    key = store.key(ctx, name)
    try:
        current, fresh = await store.storage.get(key, consistent=False), False
    except storage_errors.KeyNotFoundError:
        current, fresh = await store.storage.get(key), True
    for _ in range(VERDICTS):
        try:
            return await _carry_out(store, ctx, name, request, current, fresh=fresh)
        except JudgeAgain:
            current, fresh = await store.storage.get(key), True
    raise errors.conflict(
        store.resource.plural,
        name,
        "the object has been modified; please apply your changes to the latest version and try again",
        group=store.resource.group,
    )


async def _carry_out(
    store: Store, ctx: RequestContext, name: str, request: DeleteRequest, current: Object, *, fresh: bool
) -> tuple[Object, bool]:
    preconditions = Preconditions(request.precondition_uid, request.precondition_resource_version)
    try:
        check_preconditions(current, preconditions, store.resource, name)
    except errors.StatusError:
        if fresh:
            raise
        raise JudgeAgain from None
    gc_finalizer = GC_FINALIZERS.get(request.propagation_policy) if store.resource.kind != "Namespace" else None
    if _stays(store, current, gc_finalizer):
        return await _mark(store, ctx, name, request, gc_finalizer, current), False
    if request.dry_run:
        return store.output(current), True

    async def still_goes(obj: Object) -> None:
        check_preconditions(obj, preconditions, store.resource, name)
        if _stays(store, obj, gc_finalizer):
            raise JudgeAgain

    deleted = await store.storage.delete(store.key(ctx, name), validate=still_goes, cached=current)
    return store.output(deleted), True


def _stays(store: Store, obj: Object, gc_finalizer: str | None) -> bool:
    """Whether deleting `obj` only marks it (the strategy's verdict is asked of a copy)."""
    return bool(store.strategy.on_delete(json_copy(obj)) or metadata.finalizers(obj) or gc_finalizer)


async def _mark(
    store: Store, ctx: RequestContext, name: str, request: DeleteRequest, gc_finalizer: str | None, current: Object
) -> Object:
    """Set deletionTimestamp (once) and the finalizer of an orphan or foreground propagation."""
    preconditions = Preconditions(request.precondition_uid, request.precondition_resource_version)

    async def mark(obj: Object) -> Object:
        check_preconditions(obj, preconditions, store.resource, name)
        if not _stays(store, obj, gc_finalizer):
            raise JudgeAgain  # its finalizers went meanwhile: it is deleted at once instead
        meta = metadata.meta(obj)
        if not meta.get("deletionTimestamp"):
            meta["deletionTimestamp"] = metadata.now_rfc3339()
            meta["deletionGracePeriodSeconds"] = 0
        if gc_finalizer and gc_finalizer not in metadata.finalizers(obj):
            meta["finalizers"] = [*metadata.finalizers(obj), gc_finalizer]
        store.strategy.on_delete(obj)
        return obj

    return await store.raw_update(ctx, name, mark, dry_run=request.dry_run, cached=current)
