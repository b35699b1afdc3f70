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
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

from apimachinery.auth.user import UserInfo
from frontproxy.http1 import UpstreamError
from frontproxy.identity import request_headers, response_headers
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
        status, reason, headers = upstream.status, upstream.reason, CIMultiDict(response_headers(upstream.headers))
        content = upstream.content
        response = web.StreamResponse(status=status, reason=reason, headers=headers)
        try:
            first = content.read_nowait()
            if content.at_eof:  # the whole body came with the headers: one write, headers and body
                upstream.release()
                return web.Response(body=first, status=status, reason=reason, headers=headers)
            await response.prepare(request)
            if first:
                await response.write(first)
            while chunk := await content.read():
                await response.write(chunk)
            await response.write_eof()
        except UpstreamError as err:
            log.info("%s %s: the shard failed mid-response: %r", request.method, target_url, err)
            upstream.close()
            if request.transport is not None:
                request.transport.abort()  # never end a cut body as if it were whole
            return response
        except BaseException:
            upstream.close()  # the client went away (cancelled) or writing to it failed
            raise
        upstream.release()
        return response

    async def _send(self, request: web.BaseRequest, target_url: str, user: UserInfo | None) -> UpstreamResponse:
        started = time.perf_counter()
        try:
            headers = request_headers(request.headers.items(), user)
            upstream = await self.pool.request(request.method, target_url, headers.items(), request_body(request))
        except UpstreamError as err:
            log.info("%s %s: the shard cannot be reached: %r", request.method, target_url, err)
            raise NotAvailable(target_url) from err
        self.metrics.headers_after(request.method, time.perf_counter() - started)
        return upstream


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
