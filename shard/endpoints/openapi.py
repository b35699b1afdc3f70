"""OpenAPI v3 (index + one document per group-version) and v2, generated from our type definitions.

kubectl reads the v3 documents before apply/create/replace/diff: each kind's PATCH operation must carry
`x-kubernetes-group-version-kind`, the dryRun/fieldManager/fieldValidation/force parameters and the
accepted patch types. References in our schemas are bare definition names; they become `$ref`s here.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from apimachinery.apis.catalog import Catalog
from apimachinery.apis.types import ResourceDefinition, Schema
from shard.registry.patching import accepted_patch_types

QUERY_PARAMS = ("dryRun", "fieldManager", "fieldValidation", "force")
INFO = {"title": "Kubernetes", "version": "v1.33.0"}


def gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def v3_document(catalog: Catalog, group: str, version: str) -> dict[str, Any] | None:
    resources = catalog.in_group_version(group, version)
    if not resources:
        return None
    paths: dict[str, Any] = {}
    schemas: dict[str, Schema] = {}
    for resource in resources:
        paths.update(_paths(resource, "#/components/schemas/"))
        schemas.update(_convert_all(resource.schemas, "#/components/schemas/", v3=True))
    return {"openapi": "3.0.0", "info": INFO, "paths": paths, "components": {"schemas": schemas}}


def v3_index(catalog: Catalog) -> dict[str, Any]:
    paths = {}
    for group, version in catalog.group_versions():
        document = v3_document(catalog, group, version)
        digest = hashlib.sha512(orjson.dumps(document)).hexdigest()[:32].upper()
        paths[gv_path(group, version)] = {"serverRelativeURL": f"/openapi/v3/{gv_path(group, version)}?hash={digest}"}
    return {"paths": paths}


def v2_document(catalog: Catalog) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    definitions: dict[str, Schema] = {}
    for resource in catalog.resources:
        paths.update(_paths(resource, "#/definitions/"))
        definitions.update(_convert_all(resource.schemas, "#/definitions/", v3=False))
        if _preserves_everything(resource):
            definitions[resource.schema_name] = _opaque(resource)
    return {"swagger": "2.0", "info": INFO, "paths": paths, "definitions": definitions}


def _preserves_everything(resource: ResourceDefinition) -> bool:
    return bool(resource.schemas[resource.schema_name].get("x-kubernetes-preserve-unknown-fields"))


def _opaque(resource: ResourceDefinition) -> Schema:
    """v2 cannot describe a schema that keeps unknown fields at its root: upstream publishes only the
    object type and its group-version-kind there, so that v2 clients do not reject unknown fields."""
    gvk = {"group": resource.group, "version": resource.version, "kind": resource.kind}
    return {"type": "object", "x-kubernetes-group-version-kind": [gvk]}


def _convert_all(schemas: dict[str, Schema] | Any, prefix: str, *, v3: bool) -> dict[str, Schema]:
    return {name: _convert(schema, prefix, v3=v3) for name, schema in schemas.items()}


def _convert(schema: Any, prefix: str, *, v3: bool) -> Any:
    if isinstance(schema, list):
        return [_convert(item, prefix, v3=v3) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        target = {"$ref": prefix + schema["$ref"]}
        description = schema.get("description")
        if not description:
            return target
        return {"allOf": [target], "description": description} if v3 else {**target, "description": description}
    return {
        key: _convert(value, prefix, v3=v3)
        for key, value in schema.items()
        if not (key == "description" and value == "")
    }


def _paths(resource: ResourceDefinition, prefix: str) -> dict[str, Any]:
    base = "/" + gv_path(resource.group, resource.version)
    scope = f"{base}/namespaces/{{namespace}}/{resource.plural}" if resource.namespaced else f"{base}/{resource.plural}"
    ref = {"$ref": prefix + resource.schema_name}
    if resource.verbs == ("create",):  # the reviews: upstream publishes only the POST of the collection
        return {scope: {"post": _collection_ops(resource, ref)["post"]}}
    paths = {scope: _collection_ops(resource, ref), f"{scope}/{{name}}": _item_ops(resource, ref)}
    if resource.subresource("status"):
        paths[f"{scope}/{{name}}/status"] = _item_ops(resource, ref, status=True)
    return paths


def _gvk(resource: ResourceDefinition) -> dict[str, str]:
    return {"group": resource.group, "version": resource.version, "kind": resource.kind}


def _op(
    resource: ResourceDefinition,
    action: str,
    ref: dict[str, Any],
    *,
    body: dict[str, Any] | None = None,
    params: tuple[str, ...] = (),
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": f"{action}{resource.kind}",
        "tags": [resource.group or "core"],
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": _gvk(resource),
        "parameters": [{"name": p, "in": "query", "schema": {"type": "string"}, "uniqueItems": True} for p in params],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}}},
    }
    if body is not None:
        op["requestBody"] = body
    return op


def _collection_ops(resource: ResourceDefinition, ref: dict[str, Any]) -> dict[str, Any]:
    body = {"content": {"*/*": {"schema": ref}}, "required": True}
    return {
        "get": _op(resource, "list", ref),
        "post": _op(resource, "post", ref, body=body, params=("dryRun", "fieldManager", "fieldValidation")),
    }


def _item_ops(resource: ResourceDefinition, ref: dict[str, Any], *, status: bool = False) -> dict[str, Any]:
    put_body = {"content": {"*/*": {"schema": ref}}, "required": True}
    patch_types = accepted_patch_types(resource)
    patch_body = {"content": {t: {"schema": {"type": "object"}} for t in patch_types}, "required": True}
    ops = {
        "get": _op(resource, "get", ref),
        "put": _op(resource, "put", ref, body=put_body, params=("dryRun", "fieldManager", "fieldValidation")),
        "patch": _op(resource, "patch", ref, body=patch_body, params=QUERY_PARAMS),
    }
    if not status:
        ops["delete"] = _op(resource, "delete", ref, params=("dryRun",))
    return ops
