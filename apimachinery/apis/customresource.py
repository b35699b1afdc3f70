"""ResourceDefinitions of the custom resources a CRD object describes: one per served version.

All versions of a CRD share one storage location (`/registry/<group>/<plural>/customresources/...`);
objects are stored with the storage version's apiVersion and read back with the requested one (the
`None` conversion strategy).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apimachinery.apis.columns import age_column, name_column
from apimachinery.apis.schema import kind_header, meta_schemas
from apimachinery.apis.types import Object, PrinterColumn, ResourceDefinition, ScalePaths, Schema, Subresource
from apimachinery.crd.printer import cell

CUSTOM_RESOURCES_INFIX = "customresources/"
DEFAULT_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
PRESERVE_ALL: Schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def definitions_from_crd(crd: Object) -> list[ResourceDefinition]:
    spec = crd.get("spec") or {}
    storage_version = next((v["name"] for v in spec.get("versions") or [] if v.get("storage")), "")
    return [
        _definition(crd, version, storage_version) for version in spec.get("versions") or [] if version.get("served")
    ]


def schema_name(group: str, version: str, kind: str) -> str:
    """Upstream's definition name for a CR: the group reversed (`com.example.v1.Widget`)."""
    return ".".join([*reversed(group.split(".")), version, kind])


def _definition(crd: Object, version: Object, storage_version: str) -> ResourceDefinition:
    spec = crd["spec"]
    names = (crd.get("status") or {}).get("acceptedNames") or spec["names"]
    group, kind = spec["group"], names["kind"]
    name = schema_name(group, version["name"], kind)
    return ResourceDefinition(
        group=group,
        version=version["name"],
        kind=kind,
        plural=names["plural"],
        singular=names.get("singular") or kind.lower(),
        namespaced=spec.get("scope") == "Namespaced",
        schema_name=name,
        schemas={**meta_schemas(), name: _top_schema(version, group, kind)},
        short_names=tuple(names.get("shortNames") or ()),
        categories=tuple(names.get("categories") or ()),
        verbs=DEFAULT_VERBS,
        subresources=_subresources(version),
        columns=_columns(version),
        field_selectors=_selectable(version),
        storage_infix=CUSTOM_RESOURCES_INFIX,
        to_storage=_with_api_version(f"{group}/{storage_version}"),
        deprecation_warning=_deprecation(version, group, kind),
        scale=_scale(version),
    )


def _top_schema(version: Object, group: str, kind: str) -> Schema:
    schema: Schema = dict((version.get("schema") or {}).get("openAPIV3Schema") or PRESERVE_ALL)
    properties = dict(schema.get("properties") or {})
    header = kind_header("")
    properties.setdefault("apiVersion", header["apiVersion"])
    properties.setdefault("kind", header["kind"])
    properties["metadata"] = header["metadata"]
    schema["properties"] = properties
    schema["type"] = "object"
    schema["x-kubernetes-group-version-kind"] = [{"group": group, "version": version["name"], "kind": kind}]
    return schema


def _subresources(version: Object) -> tuple[Subresource, ...]:
    declared = version.get("subresources") or {}
    subs = []
    if "status" in declared:
        subs.append(Subresource("status"))
    if "scale" in declared:
        subs.append(Subresource("scale", kind="Scale", group_version="autoscaling/v1"))
    return tuple(subs)


def _scale(version: Object) -> ScalePaths | None:
    scale = (version.get("subresources") or {}).get("scale")
    if not scale:
        return None
    return ScalePaths(
        scale.get("specReplicasPath", ""), scale.get("statusReplicasPath", ""), scale.get("labelSelectorPath", "")
    )


def _columns(version: Object) -> tuple[PrinterColumn, ...]:
    declared = version.get("additionalPrinterColumns")
    if declared is None:
        return (name_column(), age_column())
    columns = [name_column()]
    for column in declared:
        columns.append(
            PrinterColumn(
                column["name"],
                column.get("type", "string"),
                column.get("description", ""),
                _cell_of(column),
                format=column.get("format", ""),
                priority=int(column.get("priority", 0)),
            )
        )
    return tuple(columns)


def _cell_of(column: Object) -> Callable[[Object], Any]:
    path, kind = column.get("jsonPath", ""), column.get("type", "string")
    return lambda obj: cell(obj, path, kind)


def _selectable(version: Object) -> dict[str, Callable[[Object], str]]:
    fields: dict[str, Callable[[Object], str]] = {}
    for field in version.get("selectableFields") or []:
        path = field.get("jsonPath", "")
        fields[path.lstrip(".")] = _field_getter(path)
    return fields


def _field_getter(path: str) -> Callable[[Object], str]:
    return lambda obj: str(cell(obj, path, "string") or "")


def _with_api_version(api_version: str) -> Callable[[Object], Object]:
    return lambda obj: {**obj, "apiVersion": api_version}


def _deprecation(version: Object, group: str, kind: str) -> str:
    if not version.get("deprecated"):
        return ""
    return version.get("deprecationWarning") or f"{group}/{version['name']} {kind} is deprecated"
