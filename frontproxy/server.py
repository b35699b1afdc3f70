"""A front-proxy process: config → one client session → index, feeder, resolver → the aiohttp app → HTTPS.

The app's middlewares, outermost first: metrics → errors → authentication; then /metrics and the
catch-all route of routes.py. Errors become what kcp's proxy answers: a `Status` for 401 and for the 403
of a path that leads nowhere (as the shard answers an unknown logical cluster: reason Forbidden,
"workspace access not permitted"), and Go's plain-text `http.Error` "Not available." for a 503.

The listener serves the PKI's serving certificate and verifies client certificates against the client CA
(optional: tokens work without one). Shards are called over one `aiohttp.ClientSession` with a connection
pool without a size limit (every open watch holds a connection), mTLS with the front-proxy client
certificate, and no decompression (bytes are forwarded as the shard sent them). `ready` is called once
requests are served, even before the feeder's first lists: a miss is read through. Shutdown: the feeder
stops, the listener stops (open responses are cancelled), the session closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import orjson
from aiohttp import web

from apimachinery import errors
from apimachinery.auth.authn import Union
from apimachinery.index.sharded import ShardedIndex
from apimachinery.pki import ssl_client_context, ssl_server_context
from frontproxy.authentication import ShardServiceAccounts, authentication_filter, build_authenticator
from frontproxy.feeder import IndexFeeder
from frontproxy.forward import Forwarder
from frontproxy.lookup import NotAvailable, Resolver, WorkspaceDenied
from frontproxy.metrics import ProxyMetrics
from frontproxy.options import FrontProxyConfig
from frontproxy.routes import ProxyRoutes
from frontproxy.shardclient import ShardClient

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
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
async def errors_to_responses(request: web.Request, handler: Handler) -> web.StreamResponse:
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


def metrics_filter(metrics: ProxyMetrics) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    @web.middleware
    async def count(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        metrics.count(request.method, response.status)
        return response

    return count


def build_app(*, routes: ProxyRoutes, authenticator: Union, metrics: ProxyMetrics) -> web.Application:
    middlewares = [metrics_filter(metrics), errors_to_responses, authentication_filter(authenticator)]
    app = web.Application(middlewares=middlewares)  # type: ignore[arg-type]
    app.router.add_get("/metrics", routes.metrics_page)
    app.router.add_route("*", "/{tail:.*}", routes.handle)
    return app


# --- the process -------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def shard_session(config: FrontProxyConfig) -> AsyncIterator[aiohttp.ClientSession]:
    pki = config.options.pki
    tls = ssl_client_context(pki.ca_cert, pki.front_proxy_client_cert, pki.front_proxy_client_key)
    connector = aiohttp.TCPConnector(ssl=tls, limit=0, keepalive_timeout=KEEPALIVE_SECONDS)
    async with aiohttp.ClientSession(
        connector=connector, auto_decompress=False, skip_auto_headers=("Accept-Encoding", "User-Agent")
    ) as session:
        yield session


async def run_front_proxy(config: FrontProxyConfig, *, ready: Callable[[], None], stop: asyncio.Event) -> None:
    async with shard_session(config) as session:
        index, metrics = ShardedIndex(), ProxyMetrics()
        shard_client = ShardClient(session)
        resolver = Resolver(index, shard_client, config.root_shard_url, metrics)
        authenticator = build_authenticator(config, service_account_uid=ShardServiceAccounts(resolver, shard_client))
        routes = ProxyRoutes(resolver, Forwarder(session, metrics), index, metrics, config.root_shard_url)
        feeder = IndexFeeder(index, shard_client, config.root_shard_url, metrics)
        runner = await _serve(config, build_app(routes=routes, authenticator=authenticator, metrics=metrics))
        try:
            async with asyncio.TaskGroup() as group:
                feeding = group.create_task(feeder.run())
                ready()
                await stop.wait()
                feeding.cancel()
        finally:
            await runner.cleanup()


async def _serve(config: FrontProxyConfig, app: web.Application) -> web.AppRunner:
    options = config.options
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=2.0, handler_cancellation=True)
    await runner.setup()
    tls = ssl_server_context(options.pki, client_ca=options.pki.ca_cert)
    site = web.TCPSite(runner, options.bind_address, options.port, ssl_context=tls, reuse_address=True)
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner
