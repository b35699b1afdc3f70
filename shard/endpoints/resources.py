"""Dispatch of a resource request to its verb: get, list, watch, create, update, patch, delete."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from apimachinery import errors
from shard.auth.serviceaccounts import TokenIssuer
from shard.endpoints import reads, scales, tokens, watches, writes
from shard.endpoints.params import truthy
from shard.endpoints.requestinfo import ResourcePath
from shard.registry.context import RequestContext
from shard.registry.store import Store


@dataclass(frozen=True)
class Target:
    """The resolved request: the Store of the resource, the request scope, and the parsed path.
    `token_issuer` signs TokenRequests (`serviceaccounts/<name>/token`); None: that subresource is 404."""

    store: Store
    ctx: RequestContext
    path: ResourcePath
    token_issuer: TokenIssuer | None = None


async def serve(request: web.Request, target: Target) -> web.StreamResponse:
    method, path = request.method, target.path
    _check_subresource(target)
    if not path.name:
        return await _serve_collection(request, target)
    if path.subresource == "scale":
        return await scales.serve(request, target.store, target.ctx, path)
    if path.subresource == "token" and not path.legacy_watch:
        return await tokens.create_token(request, target.store, target.ctx, path.name, issuer=target.token_issuer)
    if path.legacy_watch:
        if path.subresource:
            raise errors.resource_not_found_path()
        return await watches.watch(request, target.store, target.ctx, single_name=path.name)
    if method == "GET":
        return await reads.get(request, target.store, target.ctx, path)
    if method == "PUT":
        return await writes.update(request, target.store, target.ctx, path)
    if method == "PATCH":
        return await writes.patch(request, target.store, target.ctx, path)
    if method == "DELETE" and not path.subresource:
        return await writes.delete(request, target.store, target.ctx, path)
    raise errors.method_not_allowed()


async def _serve_collection(request: web.Request, target: Target) -> web.StreamResponse:
    method = request.method
    if method == "GET":
        if target.path.legacy_watch or truthy(request.query.get("watch")):
            return await watches.watch(request, target.store, target.ctx)
        return await reads.list_(request, target.store, target.ctx)
    if method == "POST":
        return await writes.create(request, target.store, target.ctx)
    if method == "DELETE" and "deletecollection" in target.store.resource.verbs:
        return await writes.delete_collection(request, target.store, target.ctx)
    raise errors.method_not_allowed()


def _check_subresource(target: Target) -> None:
    sub = target.path.subresource
    if sub and target.store.resource.subresource(sub) is None:
        raise errors.resource_not_found_path()
    if sub and sub not in ("status", "finalize", "scale", "token"):
        raise errors.method_not_allowed(
            f"the server does not allow this method on the requested resource ({target.store.resource.plural}/{sub})"
        )
