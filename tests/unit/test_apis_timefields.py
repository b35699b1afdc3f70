"""Time and MicroTime values are rewritten to the canonical RFC 3339 forms on write."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from apimachinery.apis import timefields
from apimachinery.apis.coordination_v1 import LEASES
from apimachinery.apis.timefields import TIME, normalize
from apimachinery.apis.types import ResourceDefinition
from apimachinery.errors import StatusError


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2026-11-24T10:11:12.123456Z", "2026-11-24T10:11:12.123456Z"),
        ("2026-11-24T10:11:12.123456+00:00", "2026-11-24T10:11:12.123456Z"),
        ("2026-11-24T11:11:12.5+01:00", "2026-11-24T10:11:12.500000Z"),
        ("0001-01-01T00:00:02.000000Z", "0001-01-01T00:00:02.000000Z"),
    ],
)
def test_micro_time_is_canonical(given: str, stored: str) -> None:
    lease = {"metadata": {"name": "l", "creationTimestamp": "2026-11-24T10:11:12.9Z"}, "spec": {"renewTime": given}}
    normalize(LEASES, lease)
    assert lease["spec"]["renewTime"] == stored
    assert lease["metadata"]["creationTimestamp"] == "2026-11-24T10:11:12Z"


def test_time_without_zone_is_a_bad_request() -> None:
    with pytest.raises(StatusError) as info:
        normalize(LEASES, {"spec": {"acquireTime": "2026-11-24T10:11:12"}})
    assert info.value.code == 400


def _resource(schemas: dict[str, Any], name: str) -> ResourceDefinition:
    return dataclasses.replace(LEASES, schemas=schemas, schema_name=name)


def test_a_time_below_a_recursive_schema_is_found() -> None:
    schemas: dict[str, Any] = {
        "Node": {
            "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "Node"}},
                "meta": {"$ref": "Meta"},
            }
        },
        "Meta": {"properties": {"at": {"$ref": TIME}, "note": {"type": "string"}}},
    }
    tree = {
        "name": "2026-11-24T10:11:12.9Z",
        "children": [{"children": [{"meta": {"at": "2026-11-24T11:11:12+01:00"}}]}],
    }
    normalize(_resource(schemas, "Node"), tree)
    assert tree["children"][0]["children"][0]["meta"]["at"] == "2026-11-24T10:11:12Z"
    assert tree["name"] == "2026-11-24T10:11:12.9Z", "a string that is no Time is left alone"


def test_fields_that_cannot_hold_a_time_are_not_walked() -> None:
    schemas: dict[str, Any] = {"Thing": {"properties": {"spec": {"$ref": "Spec"}}}, "Spec": {"properties": {}}}
    plan = timefields._plan(schemas)
    assert not plan.reaches_time(schemas["Thing"]["properties"]["spec"])
    assert timefields._plan(schemas) is plan, "worked out once per schema set"
    assert plan.reaches_time({"$ref": "Missing"}), "a missing schema is walked, to fail as before"


def test_a_canonical_time_is_still_checked() -> None:
    with pytest.raises(StatusError):
        normalize(LEASES, {"metadata": {"creationTimestamp": "2026-13-24T10:11:12Z"}})
