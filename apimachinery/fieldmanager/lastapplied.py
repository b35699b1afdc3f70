"""kubectl's `last-applied-configuration` annotation, as the API server treats it for the manager `kubectl`.

After `kubectl apply` (client-side), a first `kubectl apply --server-side` must not conflict with the
client-side manager over fields whose live value is still the one last applied client-side: those
conflicts are *allowed* and the apply is forced. And while the annotation exists, every server-side
apply by `kubectl` rewrites it to the applied configuration, so that a later client-side apply still
computes the right patch.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from apimachinery.fieldmanager.compare import compare
from apimachinery.fieldmanager.fieldset import FieldSet
from apimachinery.fieldmanager.fieldsof import SchemaError, fields_of
from apimachinery.fieldmanager.typeinfo import TypeRef
from apimachinery.fieldmanager.values import go_json

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
KUBECTL = "kubectl"
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024


def annotations_of(obj: Any) -> dict[str, Any]:
    metadata = obj.get("metadata") if isinstance(obj, dict) else None
    found = metadata.get("annotations") if isinstance(metadata, dict) else None
    return found if isinstance(found, dict) else {}


def has_last_applied(obj: Any) -> bool:
    return bool(annotations_of(obj).get(LAST_APPLIED))


def build(config: dict[str, Any]) -> str:
    """The annotation's value for an applied configuration: the configuration without the annotation."""
    trimmed = copy.deepcopy(config)
    metadata = trimmed.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("annotations"), dict):
        metadata["annotations"].pop(LAST_APPLIED, None)
        if not metadata["annotations"]:
            del metadata["annotations"]
    return go_json(trimmed) + "\n"


def store(obj: dict[str, Any], value: str) -> None:
    """Set the annotation, unless that makes the annotations too large (then it is dropped)."""
    metadata = obj.setdefault("metadata", {})
    current = dict(metadata.get("annotations") or {})
    current[LAST_APPLIED] = value
    if sum(len(k.encode()) + len(str(v).encode()) for k, v in current.items()) > TOTAL_ANNOTATION_SIZE_LIMIT:
        del current[LAST_APPLIED]
    metadata["annotations"] = current


def allowed_conflicts(live: dict[str, Any], root: TypeRef, api_version: str) -> FieldSet | None:
    """Fields of the last client-side apply whose live value is unchanged; None if there is none."""
    raw = annotations_of(live).get(LAST_APPLIED)
    if not raw:
        return None
    try:
        last = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(last, dict) or last.get("apiVersion") != api_version:
        return None
    try:
        applied = fields_of(last, root)
        changes = compare(last, live, root)
    except SchemaError:
        return None
    return applied.difference(changes.modified).difference(changes.added).difference(changes.removed)
