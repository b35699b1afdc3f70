"""A front-proxy process: config → one client session → index, feeder, resolver → the handler → HTTPS.

The handler is aiohttp's low-level server (no application, router or middleware machinery: one proxy
route is all there is) calling the filters, outermost first: `Expect: 100-continue` (answered as an
aiohttp application does) → metrics → errors → authentication; then routes.py (its metrics page or the
proxy). Errors become what kcp's proxy answers: a `Status` for 401 and for the 403
of a path that leads nowhere (as the shard answers an unknown logical cluster: reason Forbidden,
"workspace access not permitted"), and Go's plain-text `http.Error` "Not available." for a 503.

The listener serves the PKI's serving certificate and verifies client certificates against the client CA
(optional: tokens work without one). Shards are called over one `aiohttp.ClientSession` with a connection
pool without a size limit (every open watch holds a connection), mTLS with the front-proxy client
certificate, and no decompression; forwarded requests go over upstream.py's pool (same mTLS identity),
which never decompresses either: bytes are forwarded as the shard sent them. `ready` is called once
requests are served, even before the feeder's first lists: a miss is read through. Shutdown: the feeder
stops, the listener stops (open responses are cancelled), the pool and the session close.

Once started, the objects that live as long as the process are frozen out of the garbage collector's
generations and its first generation is collected less often: every proxied request allocates a few
hundred container objects, and the collector otherwise spent about 5% of the proxy's CPU re-scanning them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import orjson
from aiohttp import HttpVersion11, web

from apimachinery import errors, gctuning
from apimachinery.auth.authn import Union
from apimachinery.index.sharded import ShardedIndex
from apimachinery.pki import ssl_client_context, ssl_server_context
from frontproxy.authentication import Filter, ShardServiceAccounts, authentication_filter, build_authenticator
from frontproxy.feeder import IndexFeeder
from frontproxy.forward import Forwarder
from frontproxy.lookup import NotAvailable, Resolver, WorkspaceDenied
from frontproxy.metrics import ProxyMetrics
from frontproxy.options import FrontProxyConfig
from frontproxy.routes import ProxyRoutes
from frontproxy.shardclient import ShardClient
from frontproxy.upstream import UpstreamPool

Handler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]

log = logging.getLogger("kplane.frontproxy")
KEEPALIVE_SECONDS = 30.0
WORKSPACE_DENIED = "workspace access not permitted"
NOT_AVAILABLE = "Not available."


def status_response(error: errors.StatusError) -> web.Response:
    response = web.Response(body=orjson.dumps(error.to_status()), status=error.code)
    response.headers["Content-Type"] = "application/json"
    return response


def not_available() -> web.Response:
    """Go's `http.Error(w, "Not available.", 503)`, as kcp's proxy writes it."""
    response = web.Response(text=NOT_AVAILABLE + "\n", status=503)
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@web.middleware
async def errors_to_responses(request: web.BaseRequest, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except errors.StatusError as err:
        return status_response(err)
    except WorkspaceDenied:
        return status_response(errors.StatusError(403, "Forbidden", WORKSPACE_DENIED))
    except NotAvailable:
        return not_available()
    except web.HTTPException:
        raise
    except Exception as err:  # a bug answers 500 with a Status rather than dropping the connection
        log.exception("unhandled error serving %s %s", request.method, request.path)
        return status_response(errors.internal(repr(err)))


def metrics_filter(metrics: ProxyMetrics) -> Filter:
    @web.middleware
    async def count(request: web.BaseRequest, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        metrics.count(request.method, response.status)
        return response

    return count


@web.middleware
async def expect_continue(request: web.BaseRequest, handler: Handler) -> web.StreamResponse:
    """`Expect: 100-continue` answered before anything else, as an aiohttp application does (the client
    then sends its body); any other expectation of an HTTP/1.1 request is a 417."""
    expect = request.headers.get("Expect")
    if expect and request.version == HttpVersion11:
        if expect.lower() != "100-continue":
            raise web.HTTPExpectationFailed(text=f"Unknown Expect: {expect}")
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0  # the answer's body has not started
        await request.writer.drain()
    return await handler(request)


def build_handler(*, routes: ProxyRoutes, authenticator: Union, metrics: ProxyMetrics) -> Handler:
    """The filters around the routes, composed once."""
    filters: list[Filter] = [
        expect_continue,
        metrics_filter(metrics),
        errors_to_responses,
        authentication_filter(authenticator),
    ]
    handler: Handler = routes.dispatch
    for outer in reversed(filters):
        handler = functools.partial(outer, handler=handler)
    return handler


# --- the process -------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def shard_session(config: FrontProxyConfig) -> AsyncIterator[aiohttp.ClientSession]:
    connector = aiohttp.TCPConnector(ssl=_client_tls(config), limit=0, keepalive_timeout=KEEPALIVE_SECONDS)
    async with aiohttp.ClientSession(
        connector=connector, auto_decompress=False, skip_auto_headers=("Accept-Encoding", "User-Agent")
    ) as session:
        yield session


def _client_tls(config: FrontProxyConfig) -> ssl.SSLContext:
    pki = config.options.pki
    return ssl_client_context(pki.ca_cert, pki.front_proxy_client_cert, pki.front_proxy_client_key)


async def run_front_proxy(config: FrontProxyConfig, *, ready: Callable[[], None], stop: asyncio.Event) -> None:
    async with shard_session(config) as session:
        index, metrics = ShardedIndex(), ProxyMetrics()
        shard_client = ShardClient(session)
        resolver = Resolver(index, shard_client, config.root_shard_url, metrics)
        authenticator = build_authenticator(config, service_account_uid=ShardServiceAccounts(resolver, shard_client))
        pool = UpstreamPool(_client_tls(config), idle_seconds=KEEPALIVE_SECONDS)
        routes = ProxyRoutes(resolver, Forwarder(pool, metrics), index, metrics, config.root_shard_url)
        feeder = IndexFeeder(index, shard_client, config.root_shard_url, metrics)
        runner = await _serve(config, build_handler(routes=routes, authenticator=authenticator, metrics=metrics))
        gctuning.after_start()
        try:
            async with asyncio.TaskGroup() as group:
                feeding = group.create_task(feeder.run())
                ready()
                await stop.wait()
                feeding.cancel()
        finally:
            await runner.cleanup()
            pool.close()


async def _serve(config: FrontProxyConfig, handler: Handler) -> web.ServerRunner:
    options = config.options
    server = web.Server(handler, handler_cancellation=True, access_log=None)
    runner = web.ServerRunner(server, handle_signals=False, shutdown_timeout=2.0)
    await runner.setup()
    tls = ssl_server_context(options.pki, client_ca=options.pki.ca_cert)
    site = web.TCPSite(runner, options.bind_address, options.port, ssl_context=tls, reuse_address=True)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner
