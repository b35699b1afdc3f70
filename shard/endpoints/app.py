"""The aiohttp application of a shard: middlewares, /metrics, virtual workspaces under their URL prefixes
(handlers given by the server), and the catch-all route."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from shard.auth.authn import Authenticator
from shard.endpoints.filters import authentication_filter, errors_to_status, metrics_filter
from shard.endpoints.metrics import RequestMetrics
from shard.endpoints.router import Router

MAX_BODY_BYTES = 3 * 1024 * 1024
ServiceHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def build_app(
    *,
    router: Router,
    authenticator: Authenticator,
    metrics: RequestMetrics,
    services: Mapping[str, ServiceHandler] | None = None,
) -> web.Application:
    app = web.Application(
        middlewares=[errors_to_status, metrics_filter(metrics), authentication_filter(authenticator)],  # type: ignore[list-item]
        client_max_size=MAX_BODY_BYTES,
    )

    async def serve_metrics(_: web.Request) -> web.Response:
        body, content_type = metrics.exposition()
        response = web.Response(body=body)
        response.headers["Content-Type"] = content_type
        return response

    app.router.add_get("/metrics", serve_metrics)
    for prefix, handler in (services or {}).items():
        app.router.add_route("*", prefix + "{tail:.*}", handler)
    app.router.add_route("*", "/{tail:.*}", router.handle)
    return app
