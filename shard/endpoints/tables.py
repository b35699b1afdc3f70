"""Table and PartialObjectMetadata conversion for `kubectl get` and metadata-only clients."""

from __future__ import annotations

from typing import Any

from apimachinery.apis.columns import age_column, name_column
from apimachinery.apis.types import Object, ResourceDefinition

META_GROUP = "meta.k8s.io"


def partial_metadata(obj: Object, version: str = "v1") -> Object:
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": f"{META_GROUP}/{version}",
        "metadata": obj.get("metadata") or {},
    }


def partial_metadata_list(body: Object, version: str = "v1") -> Object:
    return {
        "kind": "PartialObjectMetadataList",
        "apiVersion": f"{META_GROUP}/{version}",
        "metadata": body.get("metadata") or {},
        "items": [partial_metadata(item, version) for item in body.get("items") or []],
    }


def column_definitions(resource: ResourceDefinition) -> list[dict[str, Any]]:
    columns = resource.columns or (name_column(), age_column())
    return [
        {"name": c.name, "type": c.type, "format": c.format, "description": c.description, "priority": c.priority}
        for c in columns
    ]


def rows(
    resource: ResourceDefinition, objects: list[Object], include_object: str, version: str
) -> list[dict[str, Any]]:
    columns = resource.columns or (name_column(), age_column())
    out = []
    for obj in objects:
        row: dict[str, Any] = {"cells": [column.value(obj) for column in columns]}
        if include_object == "Object":
            row["object"] = obj
        elif include_object != "None":
            row["object"] = partial_metadata(obj, version)
        out.append(row)
    return out


def table(
    resource: ResourceDefinition,
    objects: list[Object],
    *,
    list_meta: dict[str, Any] | None,
    include_object: str = "Metadata",
    version: str = "v1",
    with_columns: bool = True,
) -> Object:
    return {
        "kind": "Table",
        "apiVersion": f"{META_GROUP}/{version}",
        "metadata": list_meta or {},
        "columnDefinitions": column_definitions(resource) if with_columns else [],
        "rows": rows(resource, objects, include_object, version),
    }
