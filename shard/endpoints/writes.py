"""POST, PUT, PATCH, DELETE and DELETE-collection of resources, including /status and /finalize."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from aiohttp import web

from apimachinery import errors
from apimachinery.apis.types import Object
from apimachinery.apis.unknown_fields import unknown_fields
from apimachinery.serializers.duplicates import duplicate_fields
from shard.endpoints import params
from shard.endpoints.negotiation import decode_body, negotiate
from shard.endpoints.requestinfo import ResourcePath
from shard.endpoints.responses import object_response, success_status, warn
from shard.registry import patching
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.listing import list_objects
from shard.registry.options import ListRequest
from shard.registry.store import Store


async def _read_object(request: web.Request, store: Store, options: WriteOptions) -> Object:
    content_type = request.headers.get("Content-Type", "")
    raw = await request.read()
    body = decode_body(content_type, raw)
    if not isinstance(body, dict):
        raise errors.bad_request("the body of the request must be a JSON object")
    duplicates = duplicate_fields(raw) if options.field_validation != "Ignore" and "json" in content_type else []
    _field_validation(request, store, body, options, duplicates)
    return body


def _field_validation(
    request: web.Request, store: Store, body: Object, options: WriteOptions, duplicates: Sequence[str] = ()
) -> None:
    if options.field_validation == "Ignore":
        return
    texts = [f'duplicate field "{path}"' for path in duplicates]
    texts += [f'unknown field "{path}"' for path in unknown_fields(store.resource, body)]
    if not texts:
        return
    if options.field_validation == "Strict":
        kind, version = store.resource.kind, store.resource.api_version
        raise errors.bad_request(
            f'{kind} in version "{version}" cannot be handled as a {kind}: strict decoding error: {", ".join(texts)}'
        )
    for text in texts:
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
    mutate = patching.mutation(store.resource, content_type, body)

    async def apply(current: Object) -> Object:
        patched = await mutate(current)
        _field_validation(request, store, patched, options)
        return patched

    updated = await store.update(ctx, path.name, apply, options, subresource=path.subresource)
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
