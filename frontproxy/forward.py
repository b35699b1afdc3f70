"""The streaming reverse proxy: one client request to one shard URL, the answer back chunk by chunk.

The request body is streamed to the shard as it arrives, and the response body to the client as each
chunk arrives (no buffering: a watch event reaches the client when the shard writes it). Status and
headers pass through (minus hop-by-hop ones, see identity.py); no timeout cuts a response once its
headers came, only connecting is bounded. A shard that cannot be reached or that fails before its
headers is `NotAvailable` (503); a shard that fails mid-body has the client's connection aborted, so a
truncated body never looks complete. A client that goes away cancels the handler, which closes the
shard connection (the shard's watch ends with it). Shards are reached over upstream.py's pooled
keep-alive connections.

A body that is already complete when it is looked at (a small request body that came with the request
line, a shard answer that came with its headers: most gets and creates) travels as one write, headers
and body together, rather than through the streaming machinery; waiting for more is never done for it.

Any other answer body is relayed: once the headers went, each piece the shard sends is written to the
client's transport in the callback that read it (framed as one chunk when the response is chunked, as
aiohttp frames each write), one TLS write per piece, with no task switch in between; the handler only
wakes up when the client's transport asks to pause (it then waits for the client to drain) and when the
body ended, to end the response through aiohttp.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
from aiohttp import hdrs, web

from apimachinery.auth.user import UserInfo
from frontproxy.http1 import Sink, UpstreamError
from frontproxy.identity import request_header_pairs, response_headers
from frontproxy.lookup import NotAvailable
from frontproxy.metrics import ProxyMetrics
from frontproxy.upstream import UpstreamPool, UpstreamResponse

log = logging.getLogger("kplane.frontproxy")


@dataclass
class Forwarder:
    pool: UpstreamPool
    metrics: ProxyMetrics

    async def forward(self, request: web.BaseRequest, target_url: str, user: UserInfo | None) -> web.StreamResponse:
        upstream = await self._send(request, target_url, user)
        status, reason, headers = upstream.status, upstream.reason, response_headers(upstream.headers)
        response: web.StreamResponse | None = None  # built only for a body still to come
        try:
            first = upstream.content.read_nowait()
            if upstream.content.at_eof:  # the whole body came with the headers: one write, headers and body
                upstream.release()
                return web.Response(body=first, status=status, reason=reason, headers=headers)
            response = web.StreamResponse(status=status, reason=reason, headers=headers)
            await response.prepare(request)
            await _relay(request, response, upstream, first)
            await response.write_eof()
        except UpstreamError as err:
            log.info("%s %s: the shard failed mid-response: %r", request.method, target_url, err)
            upstream.close()
            if request.transport is not None:
                request.transport.abort()  # never end a cut body as if it were whole
            return (
                response if response is not None else web.StreamResponse(status=status, reason=reason, headers=headers)
            )
        except BaseException:
            upstream.close()  # the client went away (cancelled) or writing to it failed
            raise
        upstream.release()
        return response

    async def _send(self, request: web.BaseRequest, target_url: str, user: UserInfo | None) -> UpstreamResponse:
        started = time.perf_counter()
        try:
            headers = request_header_pairs(request.headers.items(), user)
            upstream = await self.pool.request(request.method, target_url, headers, request_body(request))
        except UpstreamError as err:
            log.info("%s %s: the shard cannot be reached: %r", request.method, target_url, err)
            raise NotAvailable(target_url) from err
        self.metrics.headers_after(request.method, time.perf_counter() - started)
        return upstream


async def _relay(
    request: web.BaseRequest, response: web.StreamResponse, upstream: UpstreamResponse, first: bytes
) -> None:
    """The rest of the body, from the shard to the client as it comes (`first`: what had come already)."""
    sink = client_sink(request, chunked=response.headers.get(hdrs.TRANSFER_ENCODING) == "chunked")
    full = bool(first) and sink(first)
    while full or not await upstream.content.relay(sink):
        await request.writer.drain()  # the client's transport asked to pause; raises once it is gone
        if request.transport is None or request.transport.is_closing():
            raise ConnectionResetError("the client went away")
        full = False


def client_sink(request: web.BaseRequest, *, chunked: bool) -> Sink:
    """Writes a piece of the body to the client (one chunk of a chunked response); True when the client's
    transport is full (or gone): the relay pauses until it drained."""
    transport, protocol = request.transport, request.protocol

    def write(data: bytes) -> bool:
        if transport is None or transport.is_closing():
            return True
        transport.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
        return protocol.writing_paused

    return write


def request_body(request: web.BaseRequest) -> bytes | AsyncIterator[bytes] | None:
    """What to send as the request body: None without one, the bytes when all of it has arrived, else
    a stream of what has arrived and what is still to come."""
    if not request.body_exists:
        return None
    content = request.content
    first = content.read_nowait()
    if content.at_eof():
        return first
    return _rest_of(first, content)


async def _rest_of(first: bytes, content: aiohttp.StreamReader) -> AsyncIterator[bytes]:
    if first:
        yield first
    while chunk := await content.readany():
        yield chunk
