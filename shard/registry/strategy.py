"""Per-kind behaviour the generic Store delegates to: defaulting, validation, update rules, deletion.

`Strategy` holds the defaults every kind shares; a kind overrides only what differs (see the sibling
modules). Methods mutate the object they are given; validation returns causes, never raises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apimachinery.apis.types import Object, ResourceDefinition
from apimachinery.errors import Cause
from apimachinery.validation import names
from shard.registry.context import RequestContext


class Strategy:
    """Default behaviour of a stored kind; `status` and `spec` handling follow upstream built-ins."""

    tracks_generation = False
    has_status = False
    allow_create_on_update = False
    name_validator: Callable[[str, bool], list[str]] = staticmethod(names.name_is_dns_subdomain)

    def __init__(self, definition: ResourceDefinition) -> None:
        self.definition = definition
        # core-group kinds only accept qualified finalizer names (plus kubernetes, orphan, foregroundDeletion)
        self.kube_finalizers = definition.group in ("", "events.k8s.io")

    def name_validator_for(self, obj: Object) -> Callable[[str, bool], list[str]]:
        """How this object's name is checked; kinds whose rule depends on the object override it."""
        return self.name_validator

    def prepare_for_create(self, obj: Object) -> None:
        """Server-owned defaults before validation (for example status fields)."""

    def validate(self, obj: Object) -> list[Cause]:
        return []

    def prepare_for_update(self, new: Object, old: Object) -> None:
        """Carry over what the main endpoint may not change (status, when there is a status subresource)."""
        if self.has_status:
            _copy_field(new, old, "status")

    def prepare_for_subresource_update(self, subresource: str, new: Object, old: Object) -> None:
        """A write through a subresource changes only what that subresource owns (here: status)."""
        status = new.get("status")
        new.clear()
        new.update({k: v for k, v in old.items() if k != "status"})
        new["metadata"] = dict(old.get("metadata") or {})
        if status is not None:
            new["status"] = status

    def validate_update(self, new: Object, old: Object) -> list[Cause]:
        return self.validate(new)

    def spec_changed(self, new: Object, old: Object) -> bool:
        """Whether `generation` must grow: anything but metadata and status changed."""
        skip = ("metadata", "status", "apiVersion", "kind")
        return {k: v for k, v in new.items() if k not in skip} != {k: v for k, v in old.items() if k not in skip}

    def admit(self, ctx: RequestContext, new: Object, old: Object | None) -> None:
        """Whether the caller may write `new` (`old` None on create), after validation, before the write
        (dry runs too); raise StatusError to refuse. Not called for the shard's own callers."""

    def on_delete(self, obj: Object) -> bool:
        """Mark `obj` for a graceful deletion if the kind needs one; True if it was changed."""
        return False

    def to_output(self, obj: Object) -> Object:
        return obj


def _copy_field(new: Object, old: Object, key: str) -> None:
    value: Any = old.get(key)
    if value is None:
        new.pop(key, None)
    else:
        new[key] = value
