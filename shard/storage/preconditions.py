"""Checking write preconditions (uid, resourceVersion) against the current stored object."""

from __future__ import annotations

from shard.storage.errors import ResourceVersionConflictError, UIDConflictError
from shard.storage.interface import Object, Preconditions


def check_preconditions(key: str, current: Object, preconditions: Preconditions | None) -> None:
    """Raise UIDConflictError / ResourceVersionConflictError if `current` does not satisfy them."""
    if preconditions is None:
        return
    metadata = current.get("metadata") or {}
    actual_uid = str(metadata.get("uid", ""))
    if preconditions.uid is not None and preconditions.uid != actual_uid:
        raise UIDConflictError(key, preconditions.uid, actual_uid)
    actual_rv = str(metadata.get("resourceVersion", ""))
    if preconditions.resource_version is not None and preconditions.resource_version != actual_rv:
        raise ResourceVersionConflictError(
            key,
            "Precondition failed: ResourceVersion in precondition: "
            f"{preconditions.resource_version}, ResourceVersion in object meta: {actual_rv}",
        )
