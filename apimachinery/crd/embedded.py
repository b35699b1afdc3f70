"""Validation of embedded resources (`x-kubernetes-embedded-resource: true`) inside custom resources.

Like upstream, an embedded resource must carry `apiVersion` and `kind` (strings, non-empty, a valid
group/version and a DNS-1035 kind in any case); its optional `metadata` must decode as ObjectMeta and
pass the create-time ObjectMeta checks, with `fakename` standing in for a missing name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apimachinery.crd import metadata
from apimachinery.crd.fieldpath import child, index, key
from apimachinery.errors import Cause
from apimachinery.validation import field, objectmeta
from apimachinery.validation.names import is_dns1035_label, name_is_path_segment

Schema = Mapping[str, Any]
_MIXED_CASE = "may have mixed case, but should otherwise match: "


def has_embedded_resources(schema: Any) -> bool:
    if not isinstance(schema, Mapping):
        return False
    if schema.get("x-kubernetes-embedded-resource"):
        return True
    nested = list((schema.get("properties") or {}).values()) + [schema.get("items"), schema.get("additionalProperties")]
    return any(has_embedded_resources(sub) for sub in nested)


def validate_embedded(
    value: Any, schema: Schema | None, path: str = "", *, is_resource_root: bool = False
) -> list[Cause]:
    """Every problem of the embedded resources inside `value`; the root is one if `is_resource_root`."""
    if schema is None:
        return []
    if is_resource_root and not schema.get("x-kubernetes-embedded-resource"):
        schema = {**schema, "x-kubernetes-embedded-resource": True}
    return _walk(value, schema, path)


def _walk(value: Any, schema: Schema | None, path: str) -> list[Cause]:
    if schema is None:
        return []
    causes: list[Cause] = []
    if isinstance(value, Mapping):
        if schema.get("x-kubernetes-embedded-resource"):
            causes += validate_resource(value, path)
        properties = schema.get("properties") or {}
        additional = schema.get("additionalProperties")
        for name, sub in value.items():
            if name in properties:
                causes += _walk(sub, properties[name], child(path, name))
            elif isinstance(additional, Mapping):
                causes += _walk(sub, additional, key(path, name))
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for i, sub in enumerate(value):
            causes += _walk(sub, schema["items"], index(path, i))
    return causes


def validate_resource(resource: Mapping[str, Any], path: str) -> list[Cause]:
    """apiVersion, kind and metadata of one embedded resource at `path`."""
    causes = [field.required(child(path, name)) for name in ("apiVersion", "kind") if name not in resource]
    for name, value in resource.items():
        if name == "apiVersion":
            causes += _api_version(value, child(path, name))
        elif name == "kind":
            causes += _kind(value, child(path, name))
        elif name == "metadata":
            causes += _metadata(value, child(path, name))
    return causes


def parse_group_version_error(api_version: str) -> str:
    if api_version in ("", "/") or api_version.count("/") <= 1:
        return ""
    return f"unexpected GroupVersion string: {api_version}"


def _api_version(value: Any, path: str) -> list[Cause]:
    if not isinstance(value, str):
        return [field.invalid(path, value, "must be a string")]
    if not value:
        return [field.invalid(path, value, "must not be empty")]
    error = parse_group_version_error(value)
    return [field.invalid(path, value, error)] if error else []


def _kind(value: Any, path: str) -> list[Cause]:
    if not isinstance(value, str):
        return [field.invalid(path, value, "must be a string")]
    if not value:
        return [field.invalid(path, value, "must not be empty")]
    if errs := is_dns1035_label(value.lower()):
        return [field.invalid(path, value, _MIXED_CASE + ",".join(errs))]
    return []


def _metadata(value: Any, path: str) -> list[Cause]:
    error = metadata.decode_error(value)
    if error:
        return [field.invalid(path, value, error)]
    meta = dict(value)
    if not meta.get("name"):
        meta["name"] = "fakename"
    namespaced = bool(meta.get("namespace"))
    return objectmeta.validate_create(meta, namespaced=namespaced, name_validator=name_is_path_segment, path=path)
