"""Watch responses: newline-delimited JSON events, flushed one by one, ended by timeoutSeconds.

A watcher that asked for bookmarks gets one when its timeout ends the stream, so it can resume from
there (upstream sends it shortly before the deadline). Invalid options are answered with a plain
Status before the stream starts; an error while streaming (for example 410 Expired for a compacted
resourceVersion) is an ERROR event carrying a Status, as upstream does.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from typing import Any

import orjson
from aiohttp import web

from apimachinery.errors import StatusError
from shard.endpoints import params, tables
from shard.endpoints.negotiation import Representation, negotiate
from shard.endpoints.responses import add_warnings
from shard.registry.context import RequestContext
from shard.registry.listing import bookmark, watch_objects
from shard.registry.options import WatchRequest
from shard.registry.store import Store
from shard.storage.interface import WatchEvent

MIN_SERVER_TIMEOUT_SECONDS = 1800


async def watch(
    request: web.Request, store: Store, ctx: RequestContext, *, single_name: str = ""
) -> web.StreamResponse:
    representation = negotiate(
        request.headers.get("Accept", ""), allow_as=frozenset({"Table", "PartialObjectMetadata"})
    )
    watch_request = params.watch_request(request.query)
    if single_name:
        watch_request = _narrow_to_name(watch_request, single_name)
    timeout = params.integer(request.query, "timeoutSeconds") or _server_timeout()
    stream = watch_objects(store, ctx, watch_request)
    encoder = _Encoder(store, representation)
    response = web.StreamResponse(status=200)
    response.headers["Content-Type"] = representation.content_type
    response.headers["Transfer-Encoding"] = "chunked"
    add_warnings(request, response)
    await response.prepare(request)
    with contextlib.suppress(ConnectionResetError):
        try:
            async with asyncio.timeout(timeout):
                await _stream(response, encoder, stream.events)
        except TimeoutError:
            if watch_request.allow_bookmarks and stream.progress:
                await response.write(encoder.event(bookmark(store, stream.progress)))
        await response.write_eof()
    return response


def _server_timeout() -> int:
    return MIN_SERVER_TIMEOUT_SECONDS + random.randint(0, MIN_SERVER_TIMEOUT_SECONDS)


def _narrow_to_name(request: WatchRequest, name: str) -> WatchRequest:
    selector = f"metadata.name={name}"
    fields = f"{request.field_selector},{selector}" if request.field_selector else selector
    return WatchRequest(
        request.label_selector,
        fields,
        request.resource_version,
        request.resource_version_match,
        request.allow_bookmarks,
        request.send_initial_events,
    )


async def _stream(response: web.StreamResponse, encoder: _Encoder, events: AsyncIterator[WatchEvent]) -> None:
    try:
        async for event in events:
            await response.write(encoder.event(event))
    except StatusError as err:
        await response.write(encoder.error(err))
    finally:
        await events.aclose()  # type: ignore[attr-defined]


class _Encoder:
    """One event → one JSON line; Table watches send column definitions with the first row only."""

    def __init__(self, store: Store, representation: Representation) -> None:
        self.store = store
        self.representation = representation
        self.columns_sent = False

    def event(self, event: WatchEvent) -> bytes:
        return orjson.dumps({"type": event.type, "object": self._object(event)}) + b"\n"

    def error(self, err: StatusError) -> bytes:
        return orjson.dumps({"type": "ERROR", "object": err.to_status()}) + b"\n"

    def _object(self, event: WatchEvent) -> dict[str, Any]:
        as_kind, version = self.representation.as_kind, self.representation.version
        if as_kind == "PartialObjectMetadata":
            return tables.partial_metadata(event.object, version)
        if as_kind != "Table" or event.type == "BOOKMARK":
            return event.object
        list_meta = {"resourceVersion": str(event.revision)}
        table = tables.table(
            self.store.resource,
            [event.object],
            list_meta=list_meta,
            version=version,
            with_columns=not self.columns_sent,
        )
        self.columns_sent = True
        return table
