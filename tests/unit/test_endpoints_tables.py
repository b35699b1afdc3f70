"""Table (kubectl get) and PartialObjectMetadata conversion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from apimachinery.apis.catalog import builtin_catalog
from shard.endpoints import tables

CATALOG = builtin_catalog()
CONFIGMAPS = CATALOG.lookup("", "v1", "configmaps")
NAMESPACES = CATALOG.lookup("", "v1", "namespaces")
assert CONFIGMAPS is not None and NAMESPACES is not None


def _stamp(ago: timedelta) -> str:
    # microseconds kept so that second-precision cells do not depend on when in the second the test runs
    return (datetime.now(UTC) - ago).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _configmap(
    name: str,
    *,
    data: int = 0,
    binary: int = 0,
    ago: timedelta | None = timedelta(hours=3, minutes=5, seconds=10),
) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": "default",
        "uid": f"uid-{name}",
        "resourceVersion": "7",
        "labels": {"app": name},
    }
    if ago is not None:
        metadata["creationTimestamp"] = _stamp(ago)
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata}
    if data:
        obj["data"] = {f"k{i}": "v" for i in range(data)}
    if binary:
        obj["binaryData"] = {f"b{i}": "AA==" for i in range(binary)}
    return obj


def test_configmap_column_definitions() -> None:
    assert CONFIGMAPS is not None
    columns = tables.column_definitions(CONFIGMAPS)
    assert [c["name"] for c in columns] == ["Name", "Data", "Age"]
    assert [c["type"] for c in columns] == ["string", "string", "string"]
    assert columns[0]["format"] == "name"
    assert all(c["priority"] == 0 for c in columns)
    assert all(set(c) == {"name", "type", "format", "description", "priority"} for c in columns)
    assert all(c["description"] for c in columns)


def test_namespace_column_definitions() -> None:
    assert NAMESPACES is not None
    assert [c["name"] for c in tables.column_definitions(NAMESPACES)] == ["Name", "Status", "Age"]


@pytest.mark.parametrize(
    ("kwargs", "cells"),
    [
        ({"name": "a", "data": 2, "binary": 1}, ["a", 3, "3h5m"]),
        ({"name": "b"}, ["b", 0, "3h5m"]),
        ({"name": "c", "data": 1, "ago": timedelta(seconds=30, milliseconds=400)}, ["c", 1, "30s"]),
        ({"name": "d", "ago": timedelta(days=3, hours=4, minutes=1)}, ["d", 0, "3d4h"]),
        ({"name": "e", "ago": None}, ["e", 0, "<unknown>"]),
    ],
)
def test_configmap_cells(kwargs: dict[str, Any], cells: list[Any]) -> None:
    assert CONFIGMAPS is not None
    # built here, not at collection time: the Age cell depends on the current time
    obj = _configmap(**kwargs)
    assert tables.rows(CONFIGMAPS, [obj], "None", "v1")[0]["cells"] == cells


def test_namespace_cells() -> None:
    assert NAMESPACES is not None
    ns = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "default", "creationTimestamp": _stamp(timedelta(minutes=12, seconds=5))},
        "status": {"phase": "Active"},
    }
    assert tables.rows(NAMESPACES, [ns], "None", "v1")[0]["cells"] == ["default", "Active", "12m"]


def test_include_object_none() -> None:
    assert CONFIGMAPS is not None
    (row,) = tables.rows(CONFIGMAPS, [_configmap("a")], "None", "v1")
    assert row.get("object") is None


def test_include_object_object() -> None:
    assert CONFIGMAPS is not None
    obj = _configmap("a", data=1)
    (row,) = tables.rows(CONFIGMAPS, [obj], "Object", "v1")
    assert row["object"] == obj


@pytest.mark.parametrize("version", ["v1", "v1beta1"])
def test_include_object_metadata(version: str) -> None:
    assert CONFIGMAPS is not None
    obj = _configmap("a", data=1)
    (row,) = tables.rows(CONFIGMAPS, [obj], "Metadata", version)
    assert row["object"] == {
        "kind": "PartialObjectMetadata",
        "apiVersion": f"meta.k8s.io/{version}",
        "metadata": obj["metadata"],
    }


def test_table_defaults_to_metadata_objects() -> None:
    assert CONFIGMAPS is not None
    objs = [_configmap("a", data=1), _configmap("b", data=2)]
    table = tables.table(CONFIGMAPS, objs, list_meta={"resourceVersion": "42", "continue": "tok"})
    assert (table["kind"], table["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    assert table["metadata"] == {"resourceVersion": "42", "continue": "tok"}
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Data", "Age"]
    assert [r["cells"][:2] for r in table["rows"]] == [["a", 1], ["b", 2]]
    assert all(r["object"]["kind"] == "PartialObjectMetadata" for r in table["rows"])


def test_table_without_columns_and_rows() -> None:
    assert CONFIGMAPS is not None
    table = tables.table(CONFIGMAPS, [], list_meta=None, include_object="None", version="v1beta1", with_columns=False)
    assert table == {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1beta1",
        "metadata": {},
        "columnDefinitions": [],
        "rows": [],
    }


def test_partial_metadata() -> None:
    obj = _configmap("a", data=1)
    assert tables.partial_metadata(obj) == {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj["metadata"],
    }


def test_partial_metadata_list() -> None:
    body = {
        "kind": "ConfigMapList",
        "apiVersion": "v1",
        "metadata": {"resourceVersion": "9"},
        "items": [_configmap("a"), _configmap("b")],
    }
    out = tables.partial_metadata_list(body, "v1beta1")
    assert (out["kind"], out["apiVersion"], out["metadata"]) == (
        "PartialObjectMetadataList",
        "meta.k8s.io/v1beta1",
        {"resourceVersion": "9"},
    )
    assert [i["metadata"]["name"] for i in out["items"]] == ["a", "b"]
    assert all(i["kind"] == "PartialObjectMetadata" and i["apiVersion"] == "meta.k8s.io/v1beta1" for i in out["items"])
    assert tables.partial_metadata_list({"items": None})["items"] == []
