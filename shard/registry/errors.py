"""Storage errors → StatusError, translated once, here, with the resource and name they concern; and the
Conflict of a failed delete precondition."""

from __future__ import annotations

from apimachinery import errors
from apimachinery.apis.types import Object, ResourceDefinition
from shard.storage import errors as storage_errors
from shard.storage.interface import Preconditions


def translate(err: storage_errors.StorageError, resource: ResourceDefinition, name: str) -> errors.StatusError:
    plural, group = resource.plural, resource.group
    if isinstance(err, storage_errors.KeyNotFoundError):
        return errors.not_found(plural, name, group=group)
    if isinstance(err, storage_errors.KeyExistsError):
        return errors.already_exists(plural, name, group=group)
    if isinstance(err, storage_errors.ResourceVersionConflictError):
        return errors.stale_resource_version(plural, name, group=group)
    if isinstance(err, storage_errors.UIDConflictError):
        return errors.conflict(plural, name, str(err), group=group)
    if isinstance(err, storage_errors.ExpiredError):
        return errors.expired(f"too old resource version: {err.requested} ({err.compacted})")
    if isinstance(err, storage_errors.TooLargeResourceVersionError):
        return errors.timeout(
            f"Too large resource version: {err.requested}, current: {err.current}",
            causes=[
                errors.Cause(
                    "ResourceVersionTooLarge", f"Too large resource version: {err.requested}, current: {err.current}"
                )
            ],
        )
    if isinstance(err, storage_errors.InvalidContinueError):
        return errors.bad_request(f"invalid continue token: {err}")
    if isinstance(err, storage_errors.UnavailableError):
        return errors.service_unavailable(f"storage is unavailable: {err}")
    return errors.internal(str(err))


def check_preconditions(current: Object, pre: Preconditions, resource: ResourceDefinition, name: str) -> None:
    """A delete's uid and resourceVersion preconditions against the current object: 409 with upstream's text."""
    meta = current.get("metadata") or {}
    if pre.uid is not None and pre.uid != meta.get("uid"):
        raise errors.conflict(
            resource.plural,
            name,
            f"Precondition failed: UID in precondition: {pre.uid}, UID in object meta: {meta.get('uid')}",
            group=resource.group,
        )
    if pre.resource_version is not None and pre.resource_version != meta.get("resourceVersion"):
        raise errors.conflict(
            resource.plural,
            name,
            "Precondition failed: ResourceVersion in precondition: "
            f"{pre.resource_version}, ResourceVersion in object meta: "
            f"{meta.get('resourceVersion')}",
            group=resource.group,
        )
