"""The generic Store: create, get, update, delete of one resource in one logical cluster.

Everything kind-specific is asked of the Strategy; everything about keys, revisions and concurrency is
asked of the Storage. Storage errors are translated here, once (see errors.py). Listing and watching
live in listing.py; patches in patching.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from apimachinery import errors
from apimachinery.apis.types import Object, ResourceDefinition
from apimachinery.jsoncopy import json_copy
from apimachinery.validation.names import generate_name
from shard.registry import deletion, fieldmanagement, keys, metadata, validation
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.errors import translate
from shard.registry.options import DeleteRequest
from shard.registry.strategy import Strategy
from shard.storage import errors as storage_errors
from shard.storage.interface import Storage

Mutation = Callable[[Object], Awaitable[Object]]
Step = tuple[Mutation, str]  # a mutation and the subresource it writes through ("" for the object itself)
CreateHook = Callable[[RequestContext, Object], Awaitable[None]]
# Writes a new object's stored form under its key and returns it as stored; KeyExistsError if taken.
CreateWriter = Callable[[RequestContext, str, Object], Awaitable[Object]]

GENERATE_NAME_ATTEMPTS = 8


class _DeleteInstead(Exception):
    """Raised inside an update when the new state has no finalizers left on a deleting object."""

    def __init__(self, final_state: Object) -> None:
        super().__init__("delete")
        self.final_state = final_state


@dataclass
class Store:
    resource: ResourceDefinition
    strategy: Strategy
    storage: Storage
    admission: tuple[CreateHook, ...] = ()
    after_create: tuple[CreateHook, ...] = ()
    writer: CreateWriter | None = None  # None: storage.create; a kind may write more in the same transaction

    # ---- helpers -------------------------------------------------------------------------------
    def key(self, ctx: RequestContext, name: str) -> str:
        return keys.object_key(self.resource, ctx.cluster, ctx.namespace, name)

    def output(self, obj: Object) -> Object:
        """Stored form → the wire form of this resource's group-version."""
        if self.resource.from_storage:
            obj = self.resource.from_storage(obj)
        metadata.set_type_meta(obj, self.resource.api_version, self.resource.kind)
        return self.strategy.to_output(obj)

    def stored(self, obj: Object) -> Object:
        """Wire form → the stored form (events.k8s.io events are stored as core/v1)."""
        return self.resource.to_storage(obj) if self.resource.to_storage else obj

    # ---- create --------------------------------------------------------------------------------
    async def create(self, ctx: RequestContext, obj: Object, options: WriteOptions) -> Object:
        obj = await self._admitted_for_create(ctx, obj, options, admission=True)
        meta = metadata.meta(obj)
        generated = not meta.get("name") and bool(meta.get("generateName"))
        for _ in range(GENERATE_NAME_ATTEMPTS if generated else 1):
            self._named_for_create(ctx, obj, generated)
            if options.dry_run:
                return self.output(obj)
            try:
                created = await (self.writer or self._write)(ctx, self.key(ctx, meta["name"]), self.stored(obj))
            except storage_errors.KeyExistsError as err:
                if generated:
                    continue
                raise translate(err, self.resource, meta["name"]) from None
            for hook in self.after_create:
                await hook(ctx, created)
            return self.output(created)
        raise errors.StatusError(500, "AlreadyExists", "generated name collided too often; try again")

    async def prepared(
        self, ctx: RequestContext, obj: Object, options: WriteOptions, *, admission: bool = True
    ) -> tuple[str, Object]:
        """What `create` would write, without writing it: (key, stored form). `admission=False` skips the
        admission hooks (for an object whose namespace is written in the same transaction); after_create
        hooks never run. A generateName is resolved once, with no retry."""
        obj = await self._admitted_for_create(ctx, obj, options, admission=admission)
        meta = metadata.meta(obj)
        self._named_for_create(ctx, obj, not meta.get("name") and bool(meta.get("generateName")))
        return self.key(ctx, meta["name"]), self.stored(obj)

    async def _admitted_for_create(
        self, ctx: RequestContext, obj: Object, options: WriteOptions, *, admission: bool
    ) -> Object:
        """The steps before a name is final: field management, metadata, the strategy's preparation,
        admission hooks."""
        obj = fieldmanagement.tracking(self.resource, self.strategy, ctx, options).on_create(obj)
        validation.check_type_meta(self.resource, obj)
        meta = metadata.meta(obj)
        if meta.get("resourceVersion"):
            raise errors.bad_request("resourceVersion should not be set on objects to be created")
        self._check_namespace_field(ctx, meta)
        metadata.fill_on_create(
            obj, cluster=ctx.cluster, namespace=ctx.namespace, tracks_generation=self.strategy.tracks_generation
        )
        self.strategy.prepare_for_create(obj)
        for hook in self.admission if admission else ():
            await hook(ctx, obj)
        return obj

    def _named_for_create(self, ctx: RequestContext, obj: Object, generated: bool) -> None:
        """One attempt's checks: a fresh generated name if asked, validation, the strategy's admission."""
        meta = metadata.meta(obj)
        if generated:
            meta["name"] = generate_name(meta["generateName"])
        validation.check_create(self.resource, self.strategy, obj)
        if ctx.permissions is not None:
            self.strategy.admit(ctx, obj, None)

    async def _write(self, ctx: RequestContext, key: str, obj: Object) -> Object:
        return await self.storage.create(key, obj)

    def _check_namespace_field(self, ctx: RequestContext, meta: dict[str, Any]) -> None:
        given = meta.get("namespace", "")
        if self.resource.namespaced and given and given != ctx.namespace:
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        if not self.resource.namespaced:
            meta.pop("namespace", None)

    # ---- read ----------------------------------------------------------------------------------
    async def get(self, ctx: RequestContext, name: str) -> Object:
        try:
            return self.output(await self.storage.get(self.key(ctx, name)))
        except storage_errors.StorageError as err:
            raise translate(err, self.resource, name) from None

    # ---- update --------------------------------------------------------------------------------
    async def update(
        self,
        ctx: RequestContext,
        name: str,
        mutate: Mutation,
        options: WriteOptions,
        *,
        subresource: str = "",
        cached: Object | None = None,
        then: tuple[Step, ...] = (),
    ) -> Object:
        """Read-modify-write: `mutate` gets the current wire object and returns the desired one. `cached`: the
        object as this Store returned it (a controller's own last write), to start from instead of the watch
        cache's state, which may not show that write yet; the write is guarded by its resourceVersion as usual.
        `then`: more (mutation, subresource) steps, each admitted and tracked as its own write would be, stored
        with the first as one write (a controller's spec and status change that belong together)."""
        key = self.key(ctx, name)
        steps = ((mutate, subresource), *then)
        trackers = self._trackers(ctx, options, steps)

        async def apply(current: Object) -> Object:
            # the storage hands each attempt a fresh object of its own
            new = await self._stepped(ctx, self.output(current), steps, trackers, name)
            if metadata.is_deleting(new) and not metadata.finalizers(new) and self._deletion_ready(new):
                raise _DeleteInstead(new)
            if options.dry_run:
                metadata.meta(new)["resourceVersion"] = metadata.meta(current).get("resourceVersion")
                raise _DryRunResult(new)
            return self.stored(new)

        try:
            start = None if cached is None else self.stored(json_copy(cached))
            return self.output(await self.storage.guaranteed_update(key, apply, cached=start))
        except _DryRunResult as result:
            return result.obj
        except _DeleteInstead as signal:
            return await self._delete_final(key, signal.final_state, name)
        except storage_errors.StorageError as err:
            raise translate(err, self.resource, name) from None

    async def as_updated(
        self, ctx: RequestContext, obj: Object, steps: tuple[Step, ...], options: WriteOptions
    ) -> Object:
        """`obj` (wire form, not stored yet) after `steps`, each admitted and tracked as its own update would
        be: what `update` would store after a create of `obj`, for a writer that stores both as one create
        (the workspace controller's creation in one transaction). `obj` is left as it is."""
        new = json_copy(obj)
        metadata.meta(new)["resourceVersion"] = "0"  # an update must name one; gone again from the result
        return await self._stepped(ctx, new, steps, self._trackers(ctx, options, steps), metadata.meta(new)["name"])

    def _trackers(
        self, ctx: RequestContext, options: WriteOptions, steps: tuple[Step, ...]
    ) -> list[fieldmanagement.Tracking]:
        return [fieldmanagement.tracking(self.resource, self.strategy, ctx, options, sub) for _, sub in steps]

    async def _stepped(
        self,
        ctx: RequestContext,
        new: Object,
        steps: tuple[Step, ...],
        trackers: list[fieldmanagement.Tracking],
        name: str,
    ) -> Object:
        """`new` after each step in turn; each step's result is the next one's old state."""
        for (step, sub), field_tracking in zip(steps, trackers, strict=True):
            old, revision = new, metadata.meta(new).get("resourceVersion")
            new = self._admit_update(ctx, field_tracking.on_update(old, await step(json_copy(old))), old, name, sub)
            metadata.meta(new)["resourceVersion"] = revision  # the next step's guard; dropped below
        metadata.meta(new).pop("resourceVersion", None)
        return new

    def _admit_update(self, ctx: RequestContext, desired: Object, old: Object, name: str, subresource: str) -> Object:
        validation.check_type_meta(self.resource, desired)
        desired_meta = metadata.meta(desired)
        current_rv = metadata.meta(old).get("resourceVersion")
        given_rv = desired_meta.get("resourceVersion")
        if given_rv and given_rv != current_rv:
            raise errors.stale_resource_version(self.resource.plural, name, group=self.resource.group)
        desired_meta["resourceVersion"] = current_rv
        if desired_meta.get("name", name) != name:
            raise errors.bad_request("the name of the object does not match the name on the URL")
        desired_meta["name"] = name
        if self.resource.namespaced:
            desired_meta["namespace"] = metadata.meta(old).get("namespace", "")
        metadata.carry_on_update(desired, old)
        if subresource:
            managed = desired_meta.get("managedFields")
            self.strategy.prepare_for_subresource_update(subresource, desired, old)
            fieldmanagement.set_managed_fields(desired, managed)
        else:
            self.strategy.prepare_for_update(desired, old)
            if self.strategy.tracks_generation and self.strategy.spec_changed(desired, old):
                metadata.bump_generation(desired)
        validation.check_update(self.resource, self.strategy, desired, old)
        if ctx.permissions is not None and not subresource:  # a subresource write changes nothing admission guards
            self.strategy.admit(ctx, desired, old)
        desired_meta.pop("resourceVersion", None)
        return desired

    def _deletion_ready(self, obj: Object) -> bool:
        return not self.strategy.on_delete(json_copy(obj))

    async def _delete_final(self, key: str, final_state: Object, name: str) -> Object:
        try:
            deleted = await self.storage.delete(key)
        except storage_errors.StorageError as err:
            raise translate(err, self.resource, name) from None
        final_state.setdefault("metadata", {})["resourceVersion"] = deleted["metadata"]["resourceVersion"]
        return final_state

    # ---- delete --------------------------------------------------------------------------------
    async def delete(self, ctx: RequestContext, name: str, request: DeleteRequest) -> tuple[Object, bool]:
        """Returns (object, gone): gone=False means the object stays, marked for deletion (deletion.py)."""
        try:
            return await deletion.delete(self, ctx, name, request)
        except storage_errors.StorageError as err:
            raise translate(err, self.resource, name) from None

    async def raw_update(
        self, ctx: RequestContext, name: str, mutate: Mutation, *, dry_run: bool, cached: Object | None = None
    ) -> Object:
        """An update that may change server-owned metadata (deletion marks); used by the server only."""

        async def apply(current: Object) -> Object:
            new = await mutate(json_copy(current))
            new["metadata"].pop("resourceVersion", None)
            if dry_run:
                raise _DryRunResult(new)
            return new

        try:
            return self.output(await self.storage.guaranteed_update(self.key(ctx, name), apply, cached=cached))
        except _DryRunResult as result:
            return result.obj
        except storage_errors.StorageError as err:
            raise translate(err, self.resource, name) from None


class _DryRunResult(Exception):
    def __init__(self, obj: Object) -> None:
        super().__init__("dry run")
        self.obj = obj
