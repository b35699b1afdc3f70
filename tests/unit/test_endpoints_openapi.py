"""OpenAPI v3 (index + per group-version documents) and v2, as kubectl reads them (apply, explain)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from apimachinery.apis.catalog import builtin_catalog
from apimachinery.apis.types import ResourceDefinition
from shard.endpoints import openapi

CATALOG = builtin_catalog()
STORED = [resource for resource in CATALOG.resources if resource.persisted]
REVIEWS = [resource for resource in CATALOG.resources if not resource.persisted]
PATCH_PARAMS = {"dryRun", "fieldManager", "fieldValidation", "force"}
JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"


def _ids(resource: ResourceDefinition) -> str:
    return f"{resource.group or 'core'}/{resource.version}/{resource.plural}"


def _item_path(resource: ResourceDefinition) -> str:
    base = "/" + openapi.gv_path(resource.group, resource.version)
    if resource.namespaced:
        return f"{base}/namespaces/{{namespace}}/{resource.plural}/{{name}}"
    return f"{base}/{resource.plural}/{{name}}"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _dicts_with_ref(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if "$ref" in node:
            yield node
        for value in node.values():
            yield from _dicts_with_ref(value)
    elif isinstance(node, list):
        for item in node:
            yield from _dicts_with_ref(item)


@pytest.mark.parametrize(
    ("group", "version", "expected"),
    [("", "v1", "api/v1"), ("rbac.authorization.k8s.io", "v1", "apis/rbac.authorization.k8s.io/v1")],
)
def test_gv_path(group: str, version: str, expected: str) -> None:
    assert openapi.gv_path(group, version) == expected


def test_v3_index_lists_every_group_version() -> None:
    index = openapi.v3_index(CATALOG)
    expected = {openapi.gv_path(g, v) for g, v in CATALOG.group_versions()}
    assert set(index["paths"]) == expected
    for path, entry in index["paths"].items():
        url = entry["serverRelativeURL"]
        assert url.startswith(f"/openapi/v3/{path}?hash="), url
        assert len(url.split("?hash=", 1)[1]) > 0


def test_v3_index_hash_follows_the_document() -> None:
    first = openapi.v3_index(CATALOG)["paths"]["api/v1"]["serverRelativeURL"]
    again = openapi.v3_index(CATALOG)["paths"]["api/v1"]["serverRelativeURL"]
    other = openapi.v3_index(CATALOG)["paths"]["apis/rbac.authorization.k8s.io/v1"]["serverRelativeURL"]
    assert first == again
    assert first.split("?hash=")[1] != other.split("?hash=")[1]


def test_v3_document_of_an_unknown_group_version_is_none() -> None:
    assert openapi.v3_document(CATALOG, "apps", "v1") is None
    assert openapi.v3_document(CATALOG, "", "v2") is None


@pytest.mark.parametrize("resource", STORED, ids=_ids)
def test_v3_patch_operation(resource: ResourceDefinition) -> None:
    document = openapi.v3_document(CATALOG, resource.group, resource.version)
    assert document is not None
    assert document["openapi"].startswith("3.")
    patch = document["paths"][_item_path(resource)]["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {
        "group": resource.group,
        "version": resource.version,
        "kind": resource.kind,
    }
    assert patch["x-kubernetes-action"] == "patch"
    query = {p["name"] for p in patch["parameters"] if p["in"] == "query"}
    assert query >= PATCH_PARAMS
    content = set(patch["requestBody"]["content"])
    assert {JSON_PATCH, MERGE_PATCH} <= content
    if not resource.group.endswith(".kcp.io"):
        # every Kubernetes built-in kind takes strategic merge patches
        assert STRATEGIC_MERGE_PATCH in content


@pytest.mark.parametrize("resource", STORED, ids=_ids)
def test_v3_operations_of_a_kind(resource: ResourceDefinition) -> None:
    document = openapi.v3_document(CATALOG, resource.group, resource.version)
    assert document is not None
    item = document["paths"][_item_path(resource)]
    collection = document["paths"][_item_path(resource).rsplit("/", 1)[0]]
    assert {"get", "put", "patch", "delete"} <= set(item)
    assert {"get", "post"} <= set(collection)
    for operation in [*item.values(), *collection.values()]:
        assert operation["x-kubernetes-group-version-kind"]["kind"] == resource.kind
    put_params = {p["name"] for p in item["put"]["parameters"]}
    assert {"dryRun", "fieldManager", "fieldValidation"} <= put_params
    post_params = {p["name"] for p in collection["post"]["parameters"]}
    assert {"dryRun", "fieldManager", "fieldValidation"} <= post_params


@pytest.mark.parametrize("resource", REVIEWS, ids=_ids)
def test_v3_create_only_kinds_have_only_the_collection_post(resource: ResourceDefinition) -> None:
    document = openapi.v3_document(CATALOG, resource.group, resource.version)
    assert document is not None
    collection = _item_path(resource).rsplit("/", 1)[0]
    assert [p for p in document["paths"] if p.startswith(collection)] == [collection]
    assert set(document["paths"][collection]) == {"post"}
    post = document["paths"][collection]["post"]
    assert post["x-kubernetes-group-version-kind"]["kind"] == resource.kind
    assert {"dryRun", "fieldManager", "fieldValidation"} <= {p["name"] for p in post["parameters"]}


def test_the_reviews_are_published() -> None:
    assert sorted(_ids(r) for r in REVIEWS) == [
        "authentication.k8s.io/v1/selfsubjectreviews",
        "authorization.k8s.io/v1/localsubjectaccessreviews",
        "authorization.k8s.io/v1/selfsubjectaccessreviews",
        "authorization.k8s.io/v1/selfsubjectrulesreviews",
        "authorization.k8s.io/v1/subjectaccessreviews",
    ]
    document = openapi.v3_document(CATALOG, "authorization.k8s.io", "v1")
    assert document is not None
    assert "/apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews" in document["paths"]


def test_v3_status_subresource_path() -> None:
    document = openapi.v3_document(CATALOG, "", "v1")
    assert document is not None
    status = document["paths"]["/api/v1/namespaces/{name}/status"]
    assert {"get", "put", "patch"} <= set(status)
    assert "delete" not in status


@pytest.mark.parametrize(("group", "version"), CATALOG.group_versions())
def test_v3_refs_resolve(group: str, version: str) -> None:
    document = openapi.v3_document(CATALOG, group, version)
    assert document is not None
    schemas = document["components"]["schemas"]
    refs = list(_refs(document))
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    # OpenAPI 3.0 ignores keywords next to $ref: descriptions must move to an allOf wrapper
    for node in _dicts_with_ref(document):
        assert set(node) == {"$ref"}, node


@pytest.mark.parametrize(("group", "version"), CATALOG.group_versions())
def test_v3_components_carry_each_kind(group: str, version: str) -> None:
    document = openapi.v3_document(CATALOG, group, version)
    assert document is not None
    schemas = document["components"]["schemas"]
    for resource in CATALOG.in_group_version(group, version):
        gvks = schemas[resource.schema_name]["x-kubernetes-group-version-kind"]
        assert {"group": resource.group, "version": resource.version, "kind": resource.kind} in gvks
        assert "metadata" in schemas[resource.schema_name]["properties"]


def test_v2_definitions_include_every_kind() -> None:
    document = openapi.v2_document(CATALOG)
    assert document["swagger"] == "2.0"
    definitions = document["definitions"]
    for resource in CATALOG.resources:
        definition = definitions[resource.schema_name]
        gvks = definition["x-kubernetes-group-version-kind"]
        assert {"group": resource.group, "version": resource.version, "kind": resource.kind} in gvks
        path = _item_path(resource) if resource.persisted else _item_path(resource).rsplit("/", 1)[0]
        assert path in document["paths"]


def test_v2_refs_resolve() -> None:
    document = openapi.v2_document(CATALOG)
    refs = list(_refs(document))
    assert refs
    for ref in refs:
        assert ref.startswith("#/definitions/"), ref
        assert ref.removeprefix("#/definitions/") in document["definitions"], ref


def test_empty_descriptions_are_dropped() -> None:
    document = openapi.v3_document(CATALOG, "", "v1")
    assert document is not None

    def walk(node: Any) -> Iterator[Any]:
        if isinstance(node, dict):
            yield node.get("description", None)
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    assert "" not in list(walk(document["components"]))
