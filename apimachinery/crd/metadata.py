"""`metadata` of custom resources (at the root and in embedded resources) reduced to ObjectMeta.

Upstream decodes a custom resource's metadata into the ObjectMeta struct and writes it back, which drops
unknown fields (reported as `metadata.foo` for `fieldValidation`) and empty optional ones. A value of
the wrong type fails that decoding with Go's `json: cannot unmarshal ...` text (`decode_error`).

Not covered: fields inside `managedFields[*].fieldsV1` and missing required fields of owner references
(upstream writes them back as "").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

STRING, INT, TIME, STRING_MAP, STRING_LIST, OWNERS, MANAGED = (
    "string",
    "int64",
    "time",
    "map[string]string",
    "[]string",
    "owners",
    "managed",
)
OBJECT_META: dict[str, str] = {
    "name": STRING,
    "generateName": STRING,
    "namespace": STRING,
    "selfLink": STRING,
    "uid": STRING,
    "resourceVersion": STRING,
    "generation": INT,
    "creationTimestamp": TIME,
    "deletionTimestamp": TIME,
    "deletionGracePeriodSeconds": INT,
    "labels": STRING_MAP,
    "annotations": STRING_MAP,
    "ownerReferences": OWNERS,
    "finalizers": STRING_LIST,
    "managedFields": MANAGED,
}
OWNER_REFERENCE = {
    "apiVersion": STRING,
    "kind": STRING,
    "name": STRING,
    "uid": STRING,
    "controller": "bool",
    "blockOwnerDeletion": "bool",
}
MANAGED_FIELDS_ENTRY = {
    "manager": STRING,
    "operation": STRING,
    "apiVersion": STRING,
    "time": TIME,
    "fieldsType": STRING,
    "fieldsV1": "object",
    "subresource": STRING,
}
_ITEM_FIELDS = {OWNERS: OWNER_REFERENCE, MANAGED: MANAGED_FIELDS_ENTRY}
_GO_TYPES = {TIME: "string", OWNERS: "[]v1.OwnerReference", MANAGED: "[]v1.ManagedFieldsEntry", "object": "v1.FieldsV1"}


def normalize_object_meta(meta: dict[str, Any], prefix: str) -> list[str]:
    """Drop unknown and empty fields of `meta` in place; return the unknown ones as `<prefix>.<field>`."""
    unknown: list[str] = []
    for name in list(meta):
        value = meta[name]
        if name not in OBJECT_META:
            unknown.append(f"{prefix}.{name}")
            del meta[name]
        elif value is None or value in ("", [], {}) or (value == 0 and name != "deletionGracePeriodSeconds"):
            del meta[name]
        elif OBJECT_META[name] in _ITEM_FIELDS and isinstance(value, list):
            unknown += _normalize_items(value, _ITEM_FIELDS[OBJECT_META[name]], f"{prefix}.{name}")
    return unknown


def _normalize_items(items: list[Any], known: Mapping[str, str], prefix: str) -> list[str]:
    unknown: list[str] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        for name in list(item):
            if name not in known:
                unknown.append(f"{prefix}[{i}].{name}")
                del item[name]
            elif item[name] is None:
                del item[name]
    return unknown


def json_kind(value: Any) -> str:
    """How Go's decoder names a JSON value in `cannot unmarshal <kind>`."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _mismatch(value: Any, type_: str) -> bool:
    if value is None:
        return False
    if type_ in (STRING, TIME):
        return not isinstance(value, str)
    if type_ == INT:
        return (
            isinstance(value, bool)
            or not isinstance(value, int)
            and not (isinstance(value, float) and value.is_integer())
        )
    if type_ == "bool":
        return not isinstance(value, bool)
    if type_ in (STRING_MAP, "object"):
        return not isinstance(value, Mapping)
    return not isinstance(value, list)


def _unmarshal(value: Any, struct: str, name: str, type_: str) -> str:
    kind = json_kind(value)
    if kind == "number" and type_ == INT:
        kind = f"number {value}"
    go_type = _GO_TYPES.get(type_, type_)
    return f"json: cannot unmarshal {kind} into Go struct field {struct}.{name} of type {go_type}"


def decode_error(meta: Any) -> str:
    """Go's error for decoding `meta` into ObjectMeta, or "" when it decodes."""
    if not isinstance(meta, Mapping):
        return f"json: cannot unmarshal {json_kind(meta)} into Go value of type v1.ObjectMeta"
    for name, value in meta.items():
        type_ = OBJECT_META.get(name)
        if type_ is None:
            continue
        if _mismatch(value, type_):
            return _unmarshal(value, "ObjectMeta", name, type_)
        if message := _element_error(value, name, type_):
            return message
    return ""


def _element_error(value: Any, name: str, type_: str) -> str:
    if type_ == STRING_MAP and isinstance(value, Mapping):
        bad = next((v for v in value.values() if _mismatch(v, STRING)), None)
        return _unmarshal(bad, "ObjectMeta", name, STRING) if bad is not None else ""
    if type_ == STRING_LIST and isinstance(value, list):
        bad = next((v for v in value if _mismatch(v, STRING)), None)
        return _unmarshal(bad, "ObjectMeta", name, STRING) if bad is not None else ""
    if type_ in _ITEM_FIELDS and isinstance(value, list):
        struct = "OwnerReference" if type_ == OWNERS else "ManagedFieldsEntry"
        for item in value:
            if not isinstance(item, Mapping):
                kind = json_kind(item)
                return f"json: cannot unmarshal {kind} into Go struct field ObjectMeta.{name} of type v1.{struct}"
            for field_name, field_value in item.items():
                item_type = _ITEM_FIELDS[type_].get(field_name)
                if item_type and _mismatch(field_value, item_type):
                    return _unmarshal(field_value, struct, f"{name}.{field_name}", item_type)
    return ""
