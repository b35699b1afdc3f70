"""The review kinds in the API surface: discovery (legacy and aggregated) lists them as upstream does, and
the registry gives them no Store, so nothing that walks the stored kinds meets them."""

from __future__ import annotations

from typing import Any, cast

import pytest

from apimachinery.apis.catalog import builtin_catalog
from shard.endpoints import discovery
from shard.registry.registry import Registry
from shard.storage.interface import Storage

CATALOG = builtin_catalog()


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        (
            "authorization.k8s.io",
            {
                "localsubjectaccessreviews": ("LocalSubjectAccessReview", True),
                "selfsubjectaccessreviews": ("SelfSubjectAccessReview", False),
                "selfsubjectrulesreviews": ("SelfSubjectRulesReview", False),
                "subjectaccessreviews": ("SubjectAccessReview", False),
            },
        ),
        ("authentication.k8s.io", {"selfsubjectreviews": ("SelfSubjectReview", False)}),
    ],
)
def test_legacy_discovery(group: str, expected: dict[str, tuple[str, bool]]) -> None:
    body = discovery.api_resource_list(CATALOG, group, "v1")
    assert body is not None
    entries: list[dict[str, Any]] = body["resources"]
    assert [entry["name"] for entry in entries] == sorted(expected)
    for entry in entries:
        kind, namespaced = expected[entry["name"]]
        assert entry == {
            "name": entry["name"],
            "singularName": kind.lower(),
            "namespaced": namespaced,
            "kind": kind,
            "verbs": ["create"],
        }


def test_groups_are_listed() -> None:
    groups = [group["name"] for group in discovery.api_group_list(CATALOG)["groups"]]
    assert groups.index("events.k8s.io") < groups.index("authentication.k8s.io") < groups.index("authorization.k8s.io")


def test_aggregated_discovery() -> None:
    body = discovery.aggregated(CATALOG, legacy=False, version="v2")
    group = next(item for item in body["items"] if item["metadata"]["name"] == "authorization.k8s.io")
    resources = {entry["resource"]: entry for entry in group["versions"][0]["resources"]}
    assert resources["localsubjectaccessreviews"]["scope"] == "Namespaced"
    assert resources["selfsubjectaccessreviews"] == {
        "resource": "selfsubjectaccessreviews",
        "responseKind": {"group": "authorization.k8s.io", "version": "v1", "kind": "SelfSubjectAccessReview"},
        "scope": "Cluster",
        "singularResource": "selfsubjectaccessreview",
        "verbs": ["create"],
    }


def test_stored_kinds_keep_their_storage_version_hash() -> None:
    body = discovery.api_resource_list(CATALOG, "", "v1")
    assert body is not None
    configmaps = next(entry for entry in body["resources"] if entry["name"] == "configmaps")
    assert configmaps["storageVersionHash"]


def test_the_registry_builds_no_store_for_reviews() -> None:
    registry = Registry(CATALOG, cast(Storage, object()))
    reviews = [r for r in CATALOG.resources if not r.persisted]
    assert len(reviews) == 5
    for resource in reviews:
        assert registry.store_for("root", resource.group, resource.version, resource.plural) is None
    stored = {(s.resource.group, s.resource.plural) for s in registry.stores_in("root")}
    assert ("authorization.k8s.io", "selfsubjectaccessreviews") not in stored
    assert ("", "configmaps") in stored
