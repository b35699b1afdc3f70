"""The managedFields of a create are computed once per object shape (fieldmanagement.Tracking.on_create)
and are then the same as computed afresh: the memo changes cost, never the result."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.apis.core_v1 import CONFIGMAPS, NAMESPACES
from apimachinery.apis.rbac_v1 import CLUSTERROLEBINDINGS
from apimachinery.apis.tenancy_kcp_io import WORKSPACES
from apimachinery.apis.types import ResourceDefinition
from shard.registry import fieldmanagement
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.kinds import strategy_for

Object = dict[str, Any]
CTX = RequestContext("root", UserInfo("admin", ()), user_agent="kubectl/v1.31.0 (linux/amd64)")

OBJECTS: list[tuple[ResourceDefinition, Object]] = [
    (NAMESPACES, {"metadata": {"name": "default", "labels": {"team": "a"}}}),
    (CONFIGMAPS, {"metadata": {"name": "kube-root-ca.crt"}, "data": {"ca.crt": "PEM"}}),
    (CONFIGMAPS, {"metadata": {"name": "x", "labels": {"a": "b"}}, "data": {"k": "v"}}),
    (
        CLUSTERROLEBINDINGS,
        {
            "metadata": {"name": "workspace-admin"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "jane"}],
        },
    ),
    (WORKSPACES, {"metadata": {"name": "w1"}, "spec": {"type": {"name": "universal", "path": "root"}}}),
]


def _fresh(resource: ResourceDefinition, obj: Object) -> Object:
    """What the field manager computes with no shape remembered."""
    fieldmanagement._CREATE_SHAPES.clear()
    tracking = fieldmanagement.tracking(resource, strategy_for(resource), CTX, WriteOptions())
    return tracking.on_create(obj)


@pytest.mark.parametrize(("resource", "obj"), OBJECTS)
def test_a_remembered_shape_gives_what_a_fresh_computation_gives(resource: ResourceDefinition, obj: Object) -> None:
    expected = _fresh(resource, obj)
    assert expected["metadata"]["managedFields"]  # tracked at all
    renamed = {**obj, "metadata": {**obj["metadata"], "name": "another-name"}}
    tracking = fieldmanagement.tracking(resource, strategy_for(resource), CTX, WriteOptions())
    remembered = tracking.on_create(renamed)  # same shape, other name: from the memo
    assert len(fieldmanagement._CREATE_SHAPES) == 1
    assert remembered["metadata"]["name"] == "another-name"
    assert remembered["metadata"]["managedFields"] == expected["metadata"]["managedFields"]
    assert {k: v for k, v in remembered.items() if k != "metadata"} == {
        k: v for k, v in expected.items() if k != "metadata"
    }


def test_a_shape_with_no_fields_gets_no_entries_either_way() -> None:
    assert "managedFields" not in _fresh(NAMESPACES, {"metadata": {"name": "default"}})["metadata"]
    tracking = fieldmanagement.tracking(NAMESPACES, strategy_for(NAMESPACES), CTX, WriteOptions())
    assert "managedFields" not in tracking.on_create({"metadata": {"name": "kube-system"}})["metadata"]


def test_a_remembered_shape_is_not_shared_between_objects() -> None:
    resource, obj = OBJECTS[2]
    tracking = fieldmanagement.tracking(resource, strategy_for(resource), CTX, WriteOptions())
    first = tracking.on_create(obj)
    second = tracking.on_create(obj)
    second["metadata"]["managedFields"][0]["fieldsV1"]["f:data"]["f:changed"] = {}
    assert "f:changed" not in first["metadata"]["managedFields"][0]["fieldsV1"]["f:data"]
    assert "f:changed" not in tracking.on_create(obj)["metadata"]["managedFields"][0]["fieldsV1"]["f:data"]


def test_other_content_or_another_manager_is_another_shape() -> None:
    fieldmanagement._CREATE_SHAPES.clear()
    resource = CONFIGMAPS
    kubectl = fieldmanagement.tracking(resource, strategy_for(resource), CTX, WriteOptions())
    other = fieldmanagement.tracking(resource, strategy_for(resource), CTX, WriteOptions(field_manager="other"))
    one = kubectl.on_create({"metadata": {"name": "a"}, "data": {"k": "v"}})
    two = kubectl.on_create({"metadata": {"name": "a"}, "data": {"k": "v", "l": "w"}})
    three = other.on_create({"metadata": {"name": "a"}, "data": {"k": "v"}})
    assert len(fieldmanagement._CREATE_SHAPES) == 3
    assert "f:l" in two["metadata"]["managedFields"][0]["fieldsV1"]["f:data"]
    assert "f:l" not in one["metadata"]["managedFields"][0]["fieldsV1"]["f:data"]
    assert three["metadata"]["managedFields"][0]["manager"] == "other"


def test_client_sent_managed_fields_and_apply_are_not_remembered() -> None:
    fieldmanagement._CREATE_SHAPES.clear()
    resource = CONFIGMAPS
    tracking = fieldmanagement.tracking(resource, strategy_for(resource), CTX, WriteOptions())
    tracking.on_create({"metadata": {"name": "a", "managedFields": []}, "data": {"k": "v"}})
    applying = fieldmanagement.tracking(
        resource, strategy_for(resource), CTX, WriteOptions(field_manager="m", apply=True)
    )
    applying.on_create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}})
    assert fieldmanagement._CREATE_SHAPES == {}
