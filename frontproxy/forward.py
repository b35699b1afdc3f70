"""The streaming reverse proxy: one client request to one shard URL, the answer back chunk by chunk.

The request body is streamed to the shard as it arrives, and the response body to the client as each
chunk arrives (no buffering: a watch event reaches the client when the shard writes it). Status and
headers pass through (minus hop-by-hop ones, see identity.py); no timeout cuts a response once its
headers came, only connecting is bounded. A shard that cannot be reached or that fails before its
headers is `NotAvailable` (503); a shard that fails mid-body has the client's connection aborted, so a
truncated body never looks complete. A client that goes away cancels the handler, which closes the
shard connection (the shard's watch ends with it).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from yarl import URL

from apimachinery.auth.user import UserInfo
from frontproxy.identity import request_headers, response_headers
from frontproxy.lookup import NotAvailable
from frontproxy.metrics import ProxyMetrics

log = logging.getLogger("kplane.frontproxy")
NEVER_ADDED = ("Accept", "Accept-Encoding", "Content-Type", "User-Agent")  # aiohttp's defaults: only the client's


@dataclass
class Forwarder:
    session: aiohttp.ClientSession
    metrics: ProxyMetrics
    connect_seconds: float = 10.0

    async def forward(self, request: web.Request, target_url: str, user: UserInfo | None) -> web.StreamResponse:
        upstream = await self._send(request, target_url, user)
        try:
            response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
            for name, value in response_headers(upstream.headers.items()):
                response.headers.add(name, value)
            await response.prepare(request)
            async for chunk in upstream.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
        except (aiohttp.ClientError, TimeoutError) as err:
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

    async def _send(self, request: web.Request, target_url: str, user: UserInfo | None) -> aiohttp.ClientResponse:
        started = time.perf_counter()
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=self.connect_seconds, sock_read=None)
        try:
            upstream = await self.session.request(
                request.method,
                URL(target_url, encoded=True),
                headers=request_headers(request.headers.items(), user),
                data=request.content if request.body_exists else None,
                allow_redirects=False,
                timeout=timeout,
                skip_auto_headers=NEVER_ADDED,
            )
        except (aiohttp.ClientError, TimeoutError, OSError) as err:
            log.info("%s %s: the shard cannot be reached: %r", request.method, target_url, err)
            raise NotAvailable(target_url) from err
        self.metrics.headers_after(request.method, time.perf_counter() - started)
        return upstream
