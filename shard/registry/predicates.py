"""Label and field selectors of a request → one storage predicate over stored objects."""

from __future__ import annotations

from apimachinery.apis.types import Object, ResourceDefinition
from apimachinery.selectors import fields, labels
from shard.storage.interface import Predicate


def build(resource: ResourceDefinition, label_selector: str, field_selector: str) -> Predicate | None:
    """None when both selectors are empty, so storage can skip filtering altogether."""
    if not label_selector.strip() and not field_selector.strip():
        return None
    label_match = labels.parse_label_selector(label_selector)
    supported = set(resource.field_set({"metadata": {}})) | {"metadata.namespace"} if resource.field_selectors else None
    field_match = fields.parse_field_selector(field_selector, supported=supported)

    def matches(obj: Object) -> bool:
        object_labels = (obj.get("metadata") or {}).get("labels") or {}
        return label_match.matches(object_labels) and field_match.matches(resource.field_set(obj))

    return matches
