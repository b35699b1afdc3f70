"""Type errors in a CRD body, worded as Go's JSON decoder words them (upstream answers 400 with them).

`decode_error` checks the typed fields validation relies on (group, scope, names, versions with their
`served`/`storage` booleans, columns, scale paths, `preserveUnknownFields`) and returns the first
problem, e.g. `json: cannot unmarshal string into Go struct field CustomResourceDefinitionVersion.spec.
versions.served of type bool`; upstream prefixes it with `CustomResourceDefinition in version "v1"
cannot be handled as a CustomResourceDefinition: `. Schemas themselves are checked by `crd_schema`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apimachinery.crd.metadata import json_kind

_STRING, _BOOL, _INT32, _STRINGS = "string", "bool", "int32", "[]string"
_COLUMN = (
    "CustomResourceColumnDefinition",
    {
        "name": _STRING,
        "type": _STRING,
        "format": _STRING,
        "description": _STRING,
        "priority": _INT32,
        "jsonPath": _STRING,
    },
)
_SCALE = (
    "CustomResourceSubresourceScale",
    {
        "specReplicasPath": _STRING,
        "statusReplicasPath": _STRING,
        "labelSelectorPath": _STRING,
    },
)
_SUBRESOURCES = ("CustomResourceSubresources", {"scale": ("object", _SCALE)})
_VERSION = (
    "CustomResourceDefinitionVersion",
    {
        "name": _STRING,
        "served": _BOOL,
        "storage": _BOOL,
        "deprecated": _BOOL,
        "deprecationWarning": _STRING,
        "subresources": ("object", _SUBRESOURCES),
        "additionalPrinterColumns": ("array", _COLUMN),
    },
)
_NAMES = (
    "CustomResourceDefinitionNames",
    {
        "plural": _STRING,
        "singular": _STRING,
        "kind": _STRING,
        "listKind": _STRING,
        "shortNames": _STRINGS,
        "categories": _STRINGS,
    },
)
_SPEC = (
    "CustomResourceDefinitionSpec",
    {
        "group": _STRING,
        "scope": _STRING,
        "names": ("object", _NAMES),
        "versions": ("array", _VERSION),
        "preserveUnknownFields": _BOOL,
    },
)
_GO_NAMES = {"object": "v1.{}", "array": "[]v1.{}"}


def decode_error(crd: Mapping[str, Any]) -> str:
    """The first decoding error of the CRD's typed fields, or ""."""
    spec = crd.get("spec")
    if spec is None:
        return ""
    if not isinstance(spec, Mapping):
        return _message(spec, "CustomResourceDefinition", "spec", "v1.CustomResourceDefinitionSpec")
    return _struct(spec, _SPEC, "spec")


def _message(value: Any, struct: str, path: str, go_type: str) -> str:
    kind = json_kind(value)
    if kind == "number" and go_type == _INT32:
        kind = f"number {value}"
    return f"json: cannot unmarshal {kind} into Go struct field {struct}.{path} of type {go_type}"


def _struct(value: Mapping[str, Any], shape: tuple[str, dict[str, Any]], path: str) -> str:
    struct, fields = shape
    for name, field_value in value.items():
        if name in fields and field_value is not None:
            error = _field(field_value, fields[name], struct, f"{path}.{name}")
            if error:
                return error
    return ""


def _field(value: Any, kind: Any, struct: str, path: str) -> str:
    if isinstance(kind, tuple):
        container, shape = kind
        go_type = _GO_NAMES[container].format(shape[0])
        if container == "object":
            return _struct(value, shape, path) if isinstance(value, Mapping) else _message(value, struct, path, go_type)
        if not isinstance(value, list):
            return _message(value, struct, path, go_type)
        for item in value:
            if not isinstance(item, Mapping):
                return _message(item, struct, path, f"v1.{shape[0]}")
            if error := _struct(item, shape, path):
                return error
        return ""
    return _scalar(value, kind, struct, path)


def _scalar(value: Any, kind: str, struct: str, path: str) -> str:
    if kind == _STRINGS:
        if not isinstance(value, list):
            return _message(value, struct, path, _STRINGS)
        bad = next((item for item in value if not isinstance(item, str)), None)
        return _message(bad, struct, path, _STRING) if bad is not None else ""
    ok = {
        _STRING: isinstance(value, str),
        _BOOL: isinstance(value, bool),
        _INT32: isinstance(value, int) and not isinstance(value, bool) and -(1 << 31) <= value < (1 << 31),
    }[kind]
    return "" if ok else _message(value, struct, path, kind)
