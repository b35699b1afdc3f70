"""Storage errors → StatusError, translated once, here, with the resource and name they concern."""

from __future__ import annotations

from apimachinery import errors
from apimachinery.apis.types import ResourceDefinition
from shard.storage import errors as storage_errors


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
