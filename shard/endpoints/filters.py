"""aiohttp middlewares, one per concern, outermost first: errors → metrics → authentication."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web

from apimachinery import errors
from apimachinery.auth.authn import peer_certificate_loader
from shard.auth.authn import Authenticator, Credentials, bearer_token
from shard.endpoints.metrics import RequestMetrics
from shard.endpoints.requestinfo import ResourcePath, split_cluster
from shard.endpoints.responses import status_response
from shard.endpoints.router import PATH_KEY, USER_KEY

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Middleware = Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]
log = logging.getLogger("kplane.shard")
UNAUTHENTICATED_PATHS = frozenset({"/healthz", "/livez", "/readyz", "/version", "/version/"})


@web.middleware
async def errors_to_status(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except errors.StatusError as err:
        return status_response(err)
    except web.HTTPException:
        raise
    except Exception as err:  # a bug must answer 500 with a Status, never drop the connection
        log.exception("unhandled error serving %s %s", request.method, request.path)
        return status_response(errors.internal(repr(err)))


def metrics_filter(metrics: RequestMetrics) -> Middleware:
    @web.middleware
    async def observe(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        code = 500
        try:
            response = await handler(request)
            code = response.status
            return response
        except errors.StatusError as err:
            code = err.code
            raise
        finally:
            verb, resource = _labels(request)
            metrics.observe(verb, resource, code, time.perf_counter() - started)

    return observe


def _labels(request: web.Request) -> tuple[str, str]:
    parsed = request.get(PATH_KEY)
    watch = request.query.get("watch") in ("true", "1")
    if isinstance(parsed, ResourcePath):
        verb = "WATCH" if watch or parsed.legacy_watch else request.method
        return verb, parsed.resource if parsed.resource.isidentifier() else "other"
    return request.method, ""


def authentication_filter(authenticator: Authenticator) -> Middleware:
    """Who the request is: the authenticator's user, or 401 `Unauthorized`.

    Without recognised credentials only the health endpoints answer (anonymously). A bearer token that
    proves nobody is a 401 even there: upstream never treats a bad token as anonymous."""

    @web.middleware
    async def authenticate(request: web.Request, handler: Handler) -> web.StreamResponse:
        credentials = Credentials(
            bearer_token(request.headers.get("Authorization", "")),
            peer_certificate_loader(request.transport),
            request.headers,
        )
        user = await authenticator.authenticate(credentials)
        if user is None:
            if not credentials.bearer_token and _anonymous_allowed(request.path):
                return await handler(request)
            raise errors.unauthorized()
        request[USER_KEY] = user
        return await handler(request)

    return authenticate


def _anonymous_allowed(path: str) -> bool:
    split = split_cluster(path)
    tail = split[1] if split else path
    return path in UNAUTHENTICATED_PATHS or (split is not None and tail in ("/healthz", "/livez", "/readyz"))
