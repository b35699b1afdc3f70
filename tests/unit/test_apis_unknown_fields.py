"""Undeclared fields (fieldValidation Strict/Warn), with upstream's paths (`spec.foo`, `rules[0].foo`)."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.apis.catalog import builtin_catalog
from apimachinery.apis.types import ResourceDefinition
from apimachinery.apis.unknown_fields import unknown_fields

CATALOG = builtin_catalog()


def _resource(group: str, version: str, plural: str) -> ResourceDefinition:
    resource = CATALOG.lookup(group, version, plural)
    assert resource is not None
    return resource


CONFIGMAPS = _resource("", "v1", "configmaps")
ROLES = _resource("rbac.authorization.k8s.io", "v1", "roles")
CLUSTERROLES = _resource("rbac.authorization.k8s.io", "v1", "clusterroles")
ROLEBINDINGS = _resource("rbac.authorization.k8s.io", "v1", "rolebindings")
NAMESPACES = _resource("", "v1", "namespaces")
SERVICEACCOUNTS = _resource("", "v1", "serviceaccounts")
LOGICALCLUSTERS = _resource("core.kcp.io", "v1alpha1", "logicalclusters")


def _cm(**extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "a", "namespace": "default"},
        **extra,
    }


@pytest.mark.parametrize(
    ("resource", "obj", "expected"),
    [
        (CONFIGMAPS, _cm(data={"a": "1"}), []),
        (CONFIGMAPS, _cm(foo="bar"), ["foo"]),
        (CONFIGMAPS, _cm(data={"any key": "x", "other": "y"}, binaryData={"b": "AA=="}, immutable=True), []),
        (CONFIGMAPS, {"kind": "ConfigMap", "metadata": {"name": "a", "foo": 1}}, ["metadata.foo"]),
        (
            CONFIGMAPS,
            {
                "metadata": {
                    "name": "a",
                    "labels": {"x": "y"},
                    "annotations": {"k": "v"},
                    "finalizers": ["f"],
                    "ownerReferences": [{"apiVersion": "v1", "kind": "K", "name": "n", "uid": "u"}],
                }
            },
            [],
        ),
        (
            CONFIGMAPS,
            {"metadata": {"ownerReferences": [{"uid": "u"}, {"uid": "v", "zz": 1}]}},
            ["metadata.ownerReferences[1].zz"],
        ),
        (
            CONFIGMAPS,
            {"metadata": {"managedFields": [{"manager": "m", "fieldsV1": {"f:data": {"f:a": {}}}}]}},
            [],
        ),
        (CONFIGMAPS, _cm(foo=1, bar={"baz": 2}), ["foo", "bar"]),
        (ROLES, {"rules": [{"verbs": ["get"], "resources": ["configmaps"], "apiGroups": [""]}]}, []),
        (ROLES, {"rules": [{"verbs": ["get"], "foo": 1}]}, ["rules[0].foo"]),
        (ROLES, {"rules": [{"verbs": ["get"]}, {"verbs": ["list"], "bar": 2}]}, ["rules[1].bar"]),
        (
            CLUSTERROLES,
            {"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"a": "b"}, "x": 1}]}},
            ["aggregationRule.clusterRoleSelectors[0].x"],
        ),
        (
            ROLEBINDINGS,
            {
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r", "q": 1},
                "subjects": [{"kind": "User", "name": "u", "w": 2}],
            },
            ["roleRef.q", "subjects[0].w"],
        ),
        (NAMESPACES, {"spec": {"finalizers": ["kubernetes"], "x": 1}}, ["spec.x"]),
        (
            NAMESPACES,
            {"status": {"phase": "Active", "conditions": [{"type": "t", "status": "True", "q": 1}]}},
            ["status.conditions[0].q"],
        ),
        (
            SERVICEACCOUNTS,
            {"secrets": [{"name": "s", "nope": True}], "imagePullSecrets": [{"name": "p"}]},
            ["secrets[0].nope"],
        ),
        # x-kubernetes-preserve-unknown-fields stops the walk
        (
            LOGICALCLUSTERS,
            {"spec": {"owner": {"anything": {"goes": 1}}}, "status": {"conditions": [{"z": 1}]}},
            [],
        ),
        (LOGICALCLUSTERS, {"spec": {"bogus": 1}}, ["spec.bogus"]),
        # a value of the wrong type is not an unknown field
        (CONFIGMAPS, _cm(data="not-a-map"), []),
        (ROLES, {"rules": {"verbs": []}}, []),
    ],
)
def test_unknown_fields(resource: ResourceDefinition, obj: dict[str, Any], expected: list[str]) -> None:
    assert unknown_fields(resource, obj) == expected


@pytest.mark.parametrize("resource", CATALOG.resources, ids=lambda r: f"{r.group or 'core'}/{r.plural}")
def test_type_meta_and_metadata_are_known_for_every_kind(resource: ResourceDefinition) -> None:
    obj = {
        "apiVersion": resource.api_version,
        "kind": resource.kind,
        "metadata": {
            "name": "x",
            "namespace": "y",
            "labels": {"a": "b"},
            "resourceVersion": "1",
            "uid": "u",
            "generation": 1,
            "creationTimestamp": "2024-01-01T00:00:00Z",
        },
    }
    assert unknown_fields(resource, obj) == []
    assert unknown_fields(resource, {**obj, "unexpected": 1}) == ["unexpected"]
