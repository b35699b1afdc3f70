"""Field management of the Store's writes: who manages a write, which fields it may own, and apply.

The Store asks `tracking(...)` once per request and passes each object through it: on create before
the server fills in its own metadata, on update right after the mutation (before the strategy's
preparation), as the upstream API server runs its field manager in the handlers. A write with
`options.apply` carries the applied configuration instead of a desired object: tracking merges it into
the live object (conflicts → 409) instead of recording an Update.

Which fields a write may own follows the strategy: the main resource of a kind with a status
subresource never owns `status`; `/status` owns only `status`; `/finalize` only `spec.finalizers`;
other subresources are not tracked. The manager is `fieldManager`, else the User-Agent's prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from apimachinery.apis.types import Object, ResourceDefinition
from apimachinery.fieldmanager import FieldManager, prefix_from_user_agent
from apimachinery.fieldmanager.fieldset import FieldSet
from apimachinery.fieldmanager.path import Path, path_of
from apimachinery.fieldmanager.updater import FieldFilter
from apimachinery.jsoncopy import json_copy
from shard.registry import metadata
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.strategy import Strategy

STATUS = path_of("status")
CREATE_SHAPES_KEPT = 512
# (resource, manager, object without its name) → (resource, managedFields of its create): see on_create
_CREATE_SHAPES: dict[tuple[int, str, bytes], tuple[ResourceDefinition, list[Object]]] = {}
SUBRESOURCE_FIELDS: dict[str, Path] = {"status": STATUS, "finalize": path_of("spec", "finalizers")}


@dataclass(frozen=True)
class Tracking:
    field_manager: FieldManager | None
    manager: str
    options: WriteOptions
    resource: ResourceDefinition | None = None  # which objects share create shapes (None: none do)

    def on_create(self, obj: Object) -> Object:
        if self.resource is None or self.options.apply or "managedFields" in metadata.meta(obj):
            return self._record({}, obj)
        return self._create_from_shape(self.resource, obj)

    def _create_from_shape(self, resource: ResourceDefinition, obj: Object) -> Object:
        """The entries of an Update on create depend on the object's fields and not on its name: computed
        once per shape (a new logical cluster's namespaces, ServiceAccounts and ConfigMaps are the same
        every time, and so are the Workspaces a client creates in a loop), time-stamped per write."""
        meta = metadata.meta(obj)
        # the resource by identity (a changed CRD schema is a new one), kept alive by the entry that names it
        content = orjson.dumps({**obj, "metadata": {**meta, "name": ""}}, option=orjson.OPT_SORT_KEYS)
        shape = (id(resource), self.manager, content)
        known = _CREATE_SHAPES.get(shape)
        if known is None:
            recorded = self._record({}, obj)
            if len(_CREATE_SHAPES) >= CREATE_SHAPES_KEPT:
                _CREATE_SHAPES.clear()
            _CREATE_SHAPES[shape] = (resource, json_copy(metadata.meta(recorded).get("managedFields") or []))
            return recorded
        entries = known[1]
        now = metadata.now_rfc3339()
        stamped = [{**entry, "time": now} for entry in json_copy(entries)]
        return {**obj, "metadata": {**meta, "managedFields": stamped}} if stamped else obj

    def on_update(self, old: Object, desired: Object) -> Object:
        return self._record(old, desired)

    def _record(self, live: Object, obj: Object) -> Object:
        if self.field_manager is None:
            return obj
        now = metadata.now_rfc3339()
        if self.options.apply:
            return self.field_manager.apply(live, obj, self.manager, force=self.options.force, now=now)
        return self.field_manager.update(live, obj, self.manager, now=now)


def tracking(
    resource: ResourceDefinition,
    strategy: Strategy,
    ctx: RequestContext,
    options: WriteOptions,
    subresource: str = "",
) -> Tracking:
    manager = options.field_manager or prefix_from_user_agent(ctx.user_agent)
    if subresource and subresource not in SUBRESOURCE_FIELDS:
        return Tracking(None, manager, options)
    ignore = _only(SUBRESOURCE_FIELDS[subresource]) if subresource else _writable(strategy)
    field_manager = FieldManager.of(
        resource.schemas,
        resource.schema_name,
        resource.group,
        resource.version,
        resource.kind,
        subresource=subresource,
        ignore=ignore,
    )
    return Tracking(field_manager, manager, options, None if subresource else resource)


def set_managed_fields(obj: Object, entries: Any) -> None:
    """Put `entries` back on `obj` (after a strategy replaced its metadata); None removes them."""
    meta = {k: v for k, v in metadata.meta(obj).items() if k != "managedFields"}
    if entries:
        meta["managedFields"] = entries
    obj["metadata"] = meta


def _writable(strategy: Strategy) -> FieldFilter:
    if not strategy.has_status:
        return _everything
    excluded = FieldSet.of([STATUS])
    return lambda fields: fields.recursive_difference(excluded)


def _everything(fields: FieldSet) -> FieldSet:
    return fields


def _only(prefix: Path) -> FieldFilter:
    def keep(fields: FieldSet) -> FieldSet:
        return FieldSet.of(path for path in fields.paths() if path[: len(prefix)] == prefix)

    return keep
