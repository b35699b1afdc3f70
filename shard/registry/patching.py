"""Patch bodies → a mutation of the current object: JSON patch, merge patch, strategic merge patch."""

from __future__ import annotations

from typing import Any

import jsonpatch
import orjson

from apimachinery import errors
from apimachinery.apis.types import Object, ResourceDefinition
from apimachinery.patch import merge, strategic
from apimachinery.patch.strategies import patch_meta_for
from shard.registry.store import Mutation

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
MAX_JSON_PATCH_OPERATIONS = 10000


def accepted_patch_types(resource: ResourceDefinition) -> list[str]:
    types = [JSON_PATCH, MERGE_PATCH]
    if patch_meta_for(resource.group, resource.kind) is not None:
        types.append(STRATEGIC_MERGE_PATCH)
    return types


def mutation(resource: ResourceDefinition, content_type: str, body: bytes) -> Mutation:
    """The update step for a PATCH with this Content-Type; 415 for a type the resource does not take."""
    if content_type not in accepted_patch_types(resource):
        raise errors.unsupported_media_type(", ".join(accepted_patch_types(resource)))
    patch = _decode(body)
    if content_type == JSON_PATCH:
        return _json_patch(patch)
    if not isinstance(patch, dict):
        raise errors.bad_request("the body of a merge patch must be a JSON object")
    if content_type == MERGE_PATCH:
        return _merge(patch)
    return _strategic(resource, patch)


def _decode(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as err:
        raise errors.bad_request(f"error decoding patch: {err}") from None


def _json_patch(operations: Any) -> Mutation:
    if not isinstance(operations, list):
        raise errors.bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    if len(operations) > MAX_JSON_PATCH_OPERATIONS:
        raise errors.request_entity_too_large(
            f"The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got {len(operations)}"
        )

    async def apply(current: Object) -> Object:
        try:
            patched = jsonpatch.JsonPatch(operations).apply(current)
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException, TypeError, KeyError) as err:
            raise errors.StatusError(
                422, "Invalid", f"the server rejected our request due to an error in our request: {err}"
            ) from None
        if not isinstance(patched, dict):
            raise errors.bad_request("a JSON patch must leave an object")
        return patched

    return apply


def _merge(patch: dict[str, Any]) -> Mutation:
    async def apply(current: Object) -> Object:
        patched: Object = merge.merge_patch(current, patch)
        return patched

    return apply


def _strategic(resource: ResourceDefinition, patch: dict[str, Any]) -> Mutation:
    meta = patch_meta_for(resource.group, resource.kind)
    assert meta is not None

    async def apply(current: Object) -> Object:
        return strategic.strategic_merge_patch(current, patch, meta)

    return apply
