"""POST, PUT, PATCH, DELETE and DELETE-collection of resources, including /status and /finalize."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiohttp import web

from apimachinery import errors
from apimachinery.apis import fieldvalidation
from apimachinery.apis.types import Object, ResourceDefinition
from apimachinery.serializers import strict
from apimachinery.serializers.duplicates import plain
from shard.endpoints import params
from shard.endpoints.negotiation import JSON, YAML, decode_body, negotiate
from shard.endpoints.requestinfo import ResourcePath
from shard.endpoints.responses import WARNINGS_KEY, object_response, success_status, warn
from shard.registry import patching
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.customresource_strategy import CustomResourceStrategy
from shard.registry.listing import list_objects
from shard.registry.options import ListRequest
from shard.registry.store import Store


async def _read_object(request: web.Request, store: Store, options: WriteOptions) -> Object:
    return await read_body(request, store.resource, options, prune_custom=_custom_pruning(store))


async def read_body(
    request: web.Request,
    resource: ResourceDefinition,
    options: WriteOptions,
    *,
    prune_custom: fieldvalidation.Pruner | None = None,
) -> Object:
    """The body as the resource's type keeps it (unknown fields dropped); strict errors per fieldValidation."""
    content_type = request.headers.get("Content-Type", "")
    raw = await request.read()
    media = (content_type or JSON).split(";")[0].strip().lower()
    if media not in (JSON, YAML, "", "*/*"):
        body = decode_body(content_type, raw)  # protobuf (decoded into known fields only) or 415
        if not isinstance(body, dict):
            raise errors.bad_request("the body of the request must be a JSON object")
        return body
    decoded = fieldvalidation.decode_object(resource, raw, from_yaml=media == YAML, prune_custom=prune_custom)
    if decoded.errors and options.field_validation == "Strict":
        raise fieldvalidation.decode_error(resource, decoded.obj, decoded.errors)
    _warn(request, options, decoded.errors)
    return decoded.obj


def _custom_pruning(store: Store) -> fieldvalidation.Pruner | None:
    """A custom resource is pruned by its CRD's schema (which also reports what it drops)."""
    return store.strategy.checks.normalize if isinstance(store.strategy, CustomResourceStrategy) else None


def _warn(request: web.Request, options: WriteOptions, found: list[str]) -> None:
    """Warn: one warning per error, each text once (upstream's warning recorder drops repeats)."""
    if options.field_validation != "Warn":
        return
    queued = set(request.get(WARNINGS_KEY, ()))
    for text in strict.warnings(found):
        if text not in queued:
            queued.add(text)
            warn(request, text)


def _representation(request: web.Request) -> Any:
    return negotiate(request.headers.get("Accept", ""), allow_as=frozenset())


async def create(request: web.Request, store: Store, ctx: RequestContext) -> web.StreamResponse:
    representation = _representation(request)
    options = params.write_options(request.query)
    obj = await _read_object(request, store, options)
    created = await store.create(ctx, obj, options)
    return object_response(request, representation, created, status=201)


async def update(request: web.Request, store: Store, ctx: RequestContext, path: ResourcePath) -> web.StreamResponse:
    representation = _representation(request)
    options = params.write_options(request.query)
    desired = await _read_object(request, store, options)

    async def replace(current: Object) -> Object:
        return desired

    updated = await store.update(ctx, path.name, replace, options, subresource=path.subresource)
    return object_response(request, representation, updated)


async def patch(request: web.Request, store: Store, ctx: RequestContext, path: ResourcePath) -> web.StreamResponse:
    representation = _representation(request)
    options = params.write_options(request.query)
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
    body = await request.read()
    force_given = "force" in request.query
    patching.check_patch_options(store.resource, content_type, options.field_manager, force_given=force_given)
    if content_type == patching.APPLY_PATCH:
        for text in patching.apply_field_warnings(body, options.field_validation):
            warn(request, text)
        options = replace(options, force=params.truthy(request.query.get("force")))
        obj, created = await patching.apply(store, ctx, path.name, body, options, subresource=path.subresource)
        return object_response(request, representation, obj, status=201 if created else 200)
    json_patch, strategic = content_type == patching.JSON_PATCH, content_type == patching.STRATEGIC_MERGE_PATCH
    validate = options.field_validation != "Ignore"
    decoded, body_errors = fieldvalidation.decode_patch(body, json_patch=json_patch, validate=validate)
    mutate = patching.mutation_of(store.resource, content_type, decoded)
    prune_custom = _custom_pruning(store)
    found: list[str] = []

    async def apply(current: Object) -> Object:
        step = mutate
        if content_type == patching.MERGE_PATCH:  # its result may share lists with the patch, pruned below
            step = patching.mutation_of(store.resource, content_type, plain(decoded))
        patched = await step(current)
        found[:] = fieldvalidation.decode_patched(
            store.resource,
            patched,
            patch=decoded,
            body_errors=body_errors if validate else [],
            strict_mode=options.field_validation == "Strict",
            sorted_ids=fieldvalidation.json_patch_sorted_ids(patched, decoded) if json_patch else None,
            strategic=strategic,
            prune_custom=prune_custom,
        )
        return patched

    updated = await store.update(ctx, path.name, apply, options, subresource=path.subresource)
    _warn(request, options, found)  # once, for the attempt that was stored
    return object_response(request, representation, updated)


async def delete(request: web.Request, store: Store, ctx: RequestContext, path: ResourcePath) -> web.StreamResponse:
    representation = _representation(request)
    raw = await request.read()
    body = decode_body(request.headers.get("Content-Type", ""), raw) if raw else None
    obj, gone = await store.delete(ctx, path.name, params.delete_request(request.query, body))
    if not gone:
        return object_response(request, representation, obj)
    meta = obj.get("metadata") or {}
    details = {
        "name": meta.get("name", path.name),
        "group": store.resource.group,
        "kind": store.resource.plural,
        "uid": meta.get("uid", ""),
    }
    return object_response(request, representation, success_status(details))


async def delete_collection(request: web.Request, store: Store, ctx: RequestContext) -> web.StreamResponse:
    representation = _representation(request)
    raw = await request.read()
    body = decode_body(request.headers.get("Content-Type", ""), raw) if raw else None
    delete_options = params.delete_request(request.query, body)
    listing = await list_objects(
        store,
        ctx,
        ListRequest(
            label_selector=request.query.get("labelSelector", ""), field_selector=request.query.get("fieldSelector", "")
        ),
    )
    for item in listing["items"]:
        item_ctx = RequestContext(ctx.cluster, ctx.user, item["metadata"].get("namespace", ""), ctx.user_agent)
        try:
            await store.delete(item_ctx, item["metadata"]["name"], delete_options)
        except errors.StatusError as err:
            if err.code != 404:
                raise
    return object_response(
        request, representation, success_status({"group": store.resource.group, "kind": store.resource.plural})
    )
