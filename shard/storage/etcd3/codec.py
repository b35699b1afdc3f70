"""How objects are written to and read from etcd values: orjson, without metadata.resourceVersion.

The resourceVersion is never stored: on every read it is set from the key's mod_revision (or, for a
delete, the delete revision), so it always equals the etcd revision that produced the state.
"""

from __future__ import annotations

from typing import Any

import orjson

from shard.storage.interface import Object


def encode(obj: Object) -> bytes:
    """The stored form of `obj`: everything except metadata.resourceVersion."""
    metadata = obj.get("metadata")
    if isinstance(metadata, dict) and "resourceVersion" in metadata:
        stripped = {k: v for k, v in metadata.items() if k != "resourceVersion"}
        obj = {**obj, "metadata": stripped}
    return orjson.dumps(obj)


def decode(data: bytes, revision: int) -> Object:
    """A fresh object from its stored form, with resourceVersion = `revision`."""
    obj: Any = orjson.loads(data)
    if not isinstance(obj, dict):
        raise ValueError("stored value is not a JSON object")
    return with_resource_version(obj, revision)


def with_resource_version(obj: Object, revision: int) -> Object:
    """Set metadata.resourceVersion in place (creating metadata if needed) and return `obj`."""
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
        obj["metadata"] = metadata
    metadata["resourceVersion"] = str(revision)
    return obj


def decoded_if_changed(data: bytes, stored: bytes) -> Object | None:
    """None if the stored form `data` holds what `stored` holds (key order aside, JSON types not), else
    `data` decoded (a fresh object without resourceVersion): a write needs it as its answer once it
    succeeds."""
    if data == stored:
        return None
    written: Object = orjson.loads(data)
    previous = orjson.loads(stored)
    if written != previous:
        return written
    # equal as Python values, where 1, 1.0 and true are one value; JSON tells them apart
    return None if _canonical(written) == _canonical(previous) else written


def _canonical(obj: Any) -> bytes:
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
