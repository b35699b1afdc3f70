"""Patch bodies → a mutation of the current object: JSON patch, merge patch, strategic merge patch;
and server-side apply (`apply`), which updates the object or creates it when it does not exist."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import jsonpatch
import orjson
import yaml

from apimachinery import errors
from apimachinery.apis.types import Object, ResourceDefinition
from apimachinery.fieldmanager.merge import merge as apply_merge
from apimachinery.fieldmanager.typeinfo import TypeRef
from apimachinery.patch import merge, strategic
from apimachinery.patch.strategies import patch_meta_for
from apimachinery.serializers import strict, yamlstrict
from apimachinery.serializers.duplicates import loads_tracking
from apimachinery.validation import field
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.store import Mutation, Store

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
MAX_JSON_PATCH_OPERATIONS = 10000


def accepted_patch_types(resource: ResourceDefinition) -> list[str]:
    types = [JSON_PATCH, MERGE_PATCH]
    if patch_meta_for(resource.group, resource.kind) is not None:
        types.append(STRATEGIC_MERGE_PATCH)
    types.append(APPLY_PATCH)
    return types


def mutation(resource: ResourceDefinition, content_type: str, body: bytes) -> Mutation:
    """The update step for a PATCH with this Content-Type; 415 for a type the resource does not take."""
    if content_type not in accepted_patch_types(resource):
        raise errors.unsupported_media_type(", ".join(accepted_patch_types(resource)))
    if content_type == APPLY_PATCH:
        return _apply_merge(resource, decode_apply(body))
    return mutation_of(resource, content_type, _decode(body))


def mutation_of(resource: ResourceDefinition, content_type: str, patch: Any) -> Mutation:
    """The update step of a JSON, merge or strategic merge patch already decoded (see fieldvalidation)."""
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


def _apply_merge(resource: ResourceDefinition, config: Object) -> Mutation:
    """An apply without field management (for kinds served through another one, such as Scale)."""

    async def apply(current: Object) -> Object:
        merged: Object = apply_merge(current, config, TypeRef.root(resource.schemas, resource.schema_name))
        return merged

    return apply


# ---- server-side apply ---------------------------------------------------------------------------
class _ApplyLoader(yaml.SafeLoader):
    """YAML as Kubernetes reads it: timestamps stay strings."""


_ApplyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def decode_apply(body: bytes) -> Object:
    """An apply body (YAML, or JSON which is YAML too) → the applied configuration; 400 if unreadable."""
    try:
        config = orjson.loads(body)
    except orjson.JSONDecodeError:
        try:
            config = yaml.load(body, Loader=_ApplyLoader)  # a SafeLoader: no arbitrary objects
        except yaml.YAMLError as err:
            raise errors.bad_request(f"error decoding patch: {err}") from None
    if not isinstance(config, dict):
        raise errors.bad_request("error decoding patch: the applied configuration must be an object")
    return config


def apply_duplicates(body: bytes) -> list[str]:
    """Keys repeated in an apply body, as the YAML decoder reports them: `line 9: key "a" already set in map`."""
    try:
        if not loads_tracking(body)[1]:
            return []  # the usual case (JSON without repeated keys), found without the YAML composer
    except orjson.JSONDecodeError:
        pass
    return yamlstrict.duplicate_key_errors(body)


def apply_field_warnings(body: bytes, field_validation: str) -> list[str]:
    """fieldValidation of an apply body: repeated keys are a 400 under Strict, warnings under Warn."""
    duplicates = [] if field_validation == "Ignore" else apply_duplicates(body)
    if duplicates and field_validation == "Strict":
        raise errors.bad_request(
            "error strict decoding YAML: " + strict.CONVERTING_PREFIX + strict.yaml_errors(duplicates)[0]
        )
    return duplicates


def check_patch_options(
    resource: ResourceDefinition, content_type: str, field_manager: str, *, force_given: bool
) -> None:
    """415 for a patch type the resource does not take; then the PatchOptions rules: apply needs a
    fieldManager, `force` is for apply only (422 otherwise)."""
    if content_type not in accepted_patch_types(resource):
        raise errors.unsupported_media_type(", ".join(accepted_patch_types(resource)))
    causes = []
    if content_type == APPLY_PATCH and not field_manager:
        causes.append(field.required("fieldManager", "is required for apply patch"))
    if content_type != APPLY_PATCH and force_given:
        causes.append(field.forbidden("force", "may not be specified for non-apply patch"))
    if causes:
        raise errors.invalid("PatchOptions", "", causes, group="meta.k8s.io")


async def apply(
    store: Store, ctx: RequestContext, name: str, body: bytes, options: WriteOptions, *, subresource: str = ""
) -> tuple[Object, bool]:
    """Apply `body` to the object (or create it from the configuration); (object, created)."""
    config = decode_apply(body)
    meta = config.get("metadata")
    given = meta.get("name") if isinstance(meta, dict) else None
    if given is not None and given != name:
        raise errors.bad_request(f"the name of the object ({given}) does not match the name on the URL ({name})")
    options = replace(options, apply=True)

    async def applied(current: Object) -> Object:
        return copy.deepcopy(config)

    try:
        return await store.update(ctx, name, applied, options, subresource=subresource), False
    except errors.StatusError as err:
        if err.reason != "NotFound" or err.kind != store.resource.plural or subresource:
            raise
    if given is None:
        raise errors.bad_request(f"the name of the object () does not match the name on the URL ({name})")
    return await store.create(ctx, copy.deepcopy(config), options), True
