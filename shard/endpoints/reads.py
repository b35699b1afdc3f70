"""GET of one object and LIST of a collection, in JSON, YAML, Table or PartialObjectMetadata form."""

from __future__ import annotations

from aiohttp import web

from shard.endpoints import params, tables
from shard.endpoints.negotiation import negotiate
from shard.endpoints.requestinfo import ResourcePath
from shard.endpoints.responses import object_response
from shard.registry.context import RequestContext
from shard.registry.listing import list_objects
from shard.registry.store import Store


async def get(request: web.Request, store: Store, ctx: RequestContext, path: ResourcePath) -> web.StreamResponse:
    representation = negotiate(
        request.headers.get("Accept", ""), allow_as=frozenset({"Table", "PartialObjectMetadata"})
    )
    obj = await store.get(ctx, path.name)
    if representation.as_kind == "Table":
        include = request.query.get("includeObject", "Metadata")
        list_meta = {"resourceVersion": obj["metadata"].get("resourceVersion", "")}
        return object_response(
            request,
            representation,
            tables.table(
                store.resource, [obj], list_meta=list_meta, include_object=include, version=representation.version
            ),
        )
    if representation.as_kind == "PartialObjectMetadata":
        return object_response(request, representation, tables.partial_metadata(obj, representation.version))
    return object_response(request, representation, obj)


async def list_(request: web.Request, store: Store, ctx: RequestContext) -> web.StreamResponse:
    representation = negotiate(
        request.headers.get("Accept", ""), allow_as=frozenset({"Table", "PartialObjectMetadataList"})
    )
    body = await list_objects(store, ctx, params.list_request(request.query))
    if representation.as_kind == "Table":
        include = request.query.get("includeObject", "Metadata")
        return object_response(
            request,
            representation,
            tables.table(
                store.resource,
                body["items"],
                list_meta=body["metadata"],
                include_object=include,
                version=representation.version,
            ),
        )
    if representation.as_kind == "PartialObjectMetadataList":
        return object_response(request, representation, tables.partial_metadata_list(body, representation.version))
    return object_response(request, representation, body)
