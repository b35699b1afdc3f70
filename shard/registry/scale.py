"""The `scale` subresource of custom resources: an autoscaling/v1 Scale read from and written to the
paths the CRD names (`specReplicasPath`, `statusReplicasPath`, `labelSelectorPath`)."""

from __future__ import annotations

from typing import Any

from apimachinery import errors
from apimachinery.apis.types import Object, ScalePaths


def _segments(path: str) -> list[str]:
    return [part for part in path.lstrip(".").split(".") if part]


def read_path(obj: Object, path: str) -> Any:
    value: Any = obj
    for part in _segments(path):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def write_path(obj: Object, path: str, value: Any) -> None:
    parts = _segments(path)
    target = obj
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def to_scale(obj: Object, paths: ScalePaths) -> Object:
    meta = obj.get("metadata") or {}
    scale: Object = {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in meta
        },
        "spec": {"replicas": int(read_path(obj, paths.spec_replicas) or 0)},
        "status": {"replicas": int(read_path(obj, paths.status_replicas) or 0)},
    }
    selector = read_path(obj, paths.label_selector) if paths.label_selector else None
    if selector:
        scale["status"]["selector"] = selector
    return scale


def apply_scale(obj: Object, scale: Object, paths: ScalePaths) -> Object:
    """The object with the Scale's spec.replicas written to its spec replicas path (422 if invalid)."""
    replicas = (scale.get("spec") or {}).get("replicas")
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        cause = errors.Cause(
            "FieldValueInvalid", f"Invalid value: {replicas}: must be greater than or equal to 0", "spec.replicas"
        )
        raise errors.invalid("Scale", (obj.get("metadata") or {}).get("name", ""), [cause], group="autoscaling")
    given_rv = (scale.get("metadata") or {}).get("resourceVersion")
    if given_rv:
        obj.setdefault("metadata", {})["resourceVersion"] = given_rv
    write_path(obj, paths.spec_replicas, replicas)
    return obj
