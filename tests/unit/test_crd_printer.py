"""Printer-column cells of custom resources and the client-go JSONPath subset behind them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from apimachinery.crd import jsonpath
from apimachinery.crd.printer import age, cell, column_path_error

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
OBJ: dict[str, Any] = {
    "metadata": {
        "name": "w",
        "creationTimestamp": "2024-05-01T11:55:00Z",
        "labels": {"app.kubernetes.io/name": "web"},
    },
    "spec": {"replicas": 3, "ratio": 0.5, "paused": False, "selector": {"b": 1, "a": "<x>"}, "tags": ["x", "y", "z"]},
    "status": {
        "conditions": [
            {"type": "Progressing", "status": "True", "count": 1},
            {"type": "Ready", "status": "False", "count": 2},
        ],
        "big": 1000000.0,
        "nothing": None,
    },
}


@pytest.mark.parametrize(
    ("path", "column_type", "expected"),
    [
        (".spec.replicas", "integer", 3),
        (".spec.replicas", "number", 3.0),
        (".spec.replicas", "string", "3"),
        (".spec.ratio", "integer", 0),
        (".spec.ratio", "string", "0.5"),
        (".status.big", "string", "1e+06"),
        (".spec.paused", "boolean", False),
        (".spec.paused", "integer", None),
        (".spec.replicas", "boolean", None),
        (".spec.paused", "string", "false"),
        (".spec.selector", "string", '{"a":"\\u003cx\\u003e","b":1}'),
        (".spec.tags", "string", '["x","y","z"]'),
        (".spec.tags[1]", "string", "y"),
        (".spec.tags[-1]", "string", "z"),
        (".spec.tags[0:2]", "string", "x"),
        (".spec.tags[5]", "string", None),
        (".spec.tags[*]", "string", "x"),
        (".spec.missing", "string", None),
        (".status.nothing", "string", "<no value>"),
        (".status.nothing", "integer", None),
        ('.status.conditions[?(@.type=="Ready")].status', "string", "False"),
        (".status.conditions[?(@.type=='Progressing')].status", "string", "True"),
        (".status.conditions[?(@.count>1)].type", "string", "Ready"),
        (".status.conditions[?(@.count==1.0)].type", "string", None),
        ('.status.conditions[?(@.type=~"^R")].type', "string", "Ready"),
        (".status.conditions[?(@.missing)].type", "string", None),
        (".metadata.labels.app\\.kubernetes\\.io/name", "string", "web"),
        ("..count", "string", "1"),
        (".metadata.creationTimestamp", "date", "5m"),
        (".metadata.name", "date", "<invalid>"),
        (".spec.replicas", "date", None),
    ],
)
def test_cells(path: str, column_type: str, expected: Any) -> None:
    assert cell(OBJ, path, column_type, now=NOW) == expected


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("", "<unknown>"),
        ("0001-01-01T00:00:00Z", "<unknown>"),
        ("2024-05-01T11:59:58.123456789+00:00", "1s"),
        ("2024-04-28T12:00:00Z", "3d"),
        ("2024-05-01T14:00:00Z", "<invalid>"),
        ("2024-05-01 11:00:00", "<invalid>"),
    ],
)
def test_date_cells_are_ages(timestamp: str, expected: str) -> None:
    assert age(timestamp, now=NOW) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (".spec.replicas", ""),
        ('.status.conditions[?(@.type=="Ready")].status', ""),
        (".spec.tags[", 'unrecognized column definition ".spec.tags["'),
        (".spec.{x}", 'unrecognized column definition ".spec.{x}"'),
        (".spec#", ""),
        (".status.conditions[?(@.type", 'unrecognized column definition ".status.conditions[?(@.type"'),
    ],
)
def test_column_path_errors(path: str, expected: str) -> None:
    assert column_path_error(path) == expected


def test_union_and_recursive_descent() -> None:
    assert jsonpath.find(".spec.tags[0,2]", OBJ) == ["x", "z"]
    assert jsonpath.find("..type", OBJ) == ["Progressing", "Ready"]
    with pytest.raises(jsonpath.JSONPathError):
        jsonpath.find(".spec.replicas[0]", OBJ)
