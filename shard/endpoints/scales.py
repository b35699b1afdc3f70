"""GET, PUT and PATCH of `/scale`: the object seen and changed as an autoscaling/v1 Scale."""

from __future__ import annotations

from aiohttp import web

from apimachinery import errors
from apimachinery.apis.autoscaling_v1 import SCALE
from apimachinery.apis.types import Object
from shard.endpoints import params
from shard.endpoints.negotiation import decode_body, negotiate
from shard.endpoints.requestinfo import ResourcePath
from shard.endpoints.responses import object_response
from shard.registry import patching
from shard.registry.context import RequestContext
from shard.registry.scale import apply_scale, to_scale
from shard.registry.store import Store


async def serve(request: web.Request, store: Store, ctx: RequestContext, path: ResourcePath) -> web.StreamResponse:
    paths = store.resource.scale
    if paths is None:
        raise errors.resource_not_found_path()
    representation = negotiate(request.headers.get("Accept", ""), allow_as=frozenset())
    if request.method == "GET":
        return object_response(request, representation, to_scale(await store.get(ctx, path.name), paths))
    if request.method not in ("PUT", "PATCH"):
        raise errors.method_not_allowed()
    options = params.write_options(request.query)
    body = await request.read()
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip()

    async def rescale(current: Object) -> Object:
        scale = to_scale(current, paths)
        if request.method == "PATCH":
            scale = await patching.mutation(SCALE, content_type, body)(scale)
        else:
            scale = decode_body(content_type, body)
        return apply_scale(current, scale, paths)

    updated = await store.update(ctx, path.name, rescale, options)
    return object_response(request, representation, to_scale(updated, paths))
