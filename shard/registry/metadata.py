"""Server-owned ObjectMeta: uid, creationTimestamp, generation, generateName, and the rules on update."""

from __future__ import annotations

import functools
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from apimachinery.apis.types import Object

CLUSTER_ANNOTATION = "kcp.io/cluster"


def now_rfc3339() -> str:
    """The current UTC time to the second (every write stamps a time or two: formatted once a second)."""
    return _rfc3339(int(time.time()))


@functools.lru_cache(maxsize=1)
def _rfc3339(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta(obj: Object) -> dict[str, Any]:
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
        obj["metadata"] = metadata
    return metadata


def fill_on_create(obj: Object, *, cluster: str, namespace: str, tracks_generation: bool) -> None:
    """Set what the server owns on a new object; the client's values for these are discarded."""
    metadata = meta(obj)
    metadata["annotations"] = {**(metadata.get("annotations") or {}), CLUSTER_ANNOTATION: cluster}
    metadata["uid"] = str(uuid.uuid4())
    metadata["creationTimestamp"] = now_rfc3339()
    for server_owned in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
        metadata.pop(server_owned, None)
    if namespace:
        metadata["namespace"] = namespace
    if tracks_generation:
        metadata["generation"] = 1
    else:
        metadata.pop("generation", None)


def carry_on_update(new: Object, old: Object) -> None:
    """Keep the fields a client cannot change through an update (uid, creation, deletion state)."""
    new_meta, old_meta = meta(new), meta(old)
    for key in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"):
        if key in old_meta:
            new_meta[key] = old_meta[key]
        else:
            new_meta.pop(key, None)
    new_meta.pop("selfLink", None)
    cluster = (old_meta.get("annotations") or {}).get(CLUSTER_ANNOTATION)
    if cluster:
        new_meta["annotations"] = {**(new_meta.get("annotations") or {}), CLUSTER_ANNOTATION: cluster}


def bump_generation(obj: Object) -> None:
    metadata = meta(obj)
    metadata["generation"] = int(metadata.get("generation") or 0) + 1


def set_type_meta(obj: Object, api_version: str, kind: str) -> Object:
    obj["apiVersion"] = api_version
    obj["kind"] = kind
    return obj


def is_deleting(obj: Object) -> bool:
    return bool(meta(obj).get("deletionTimestamp"))


def finalizers(obj: Object) -> list[str]:
    return list(meta(obj).get("finalizers") or [])
