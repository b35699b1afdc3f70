"""Which request goes where.

- `/clusters/<path or name>/<rest>` → `<shard>/clusters/<logical cluster>/<rest>` (lookup.py); the
  wildcard `*` and any other invalid path are 403 through the proxy.
- `/services/<…>/clusters/<path or name>/<…>` → the shard of that logical cluster, the segment rewritten
  to its name; `*` there, or a `/services/` URL without a cluster, → the root shard.
- `/healthz`, `/livez`, `/readyz` are answered here (the proxy's own health); `GET /metrics` are its
  metrics.
- Anything else (`/version`, `/api`, `/openapi/v2`, …) → the root shard, unchanged.
The query string is passed on as the client wrote it; a path with `.` or `..` segments is a 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote

from aiohttp import web

from apimachinery import errors
from apimachinery.auth.user import UserInfo
from apimachinery.index.sharded import ShardedIndex
from frontproxy.authentication import user_of
from frontproxy.lookup import Route
from frontproxy.metrics import ProxyMetrics

CLUSTERS = "/clusters/"
SERVICES = "/services/"
WILDCARD = "*"
HEALTH_PATHS = frozenset({"/healthz", "/livez", "/readyz"})
METRICS_PATH = "/metrics"
METRICS_METHODS = frozenset({"GET", "HEAD"})


def split_cluster(raw_path: str, start: int) -> tuple[str, str, str]:
    """(before the cluster segment, the segment %-decoded, after it) of a raw path whose segment begins
    at `start`."""
    segment, slash, rest = raw_path[start:].partition("/")
    return raw_path[:start], unquote(segment), slash + rest


class PathResolver(Protocol):
    async def resolve(self, workspace_path: str) -> Route:
        """Where a workspace path or logical cluster name leads (lookup.py's outcomes as exceptions)."""
        ...


class RequestForwarder(Protocol):
    async def forward(self, request: web.BaseRequest, target_url: str, user: UserInfo | None) -> web.StreamResponse:
        """The shard's answer to the request sent to `target_url` for `user`."""
        ...


def has_dot_segment(raw_path: str) -> bool:
    """Whether a path has `.` or `..` segments (also %-encoded): a shard would resolve them after the
    proxy routed by the segments as written, reaching another logical cluster than the one resolved."""
    slashed = raw_path if raw_path.startswith("/") else "/" + raw_path
    if "/." not in slashed and "/%2" not in slashed:  # no segment can start with "." or "%2E" (most paths)
        return False
    return any(unquote(segment) in (".", "..") for segment in raw_path.split("/"))


@dataclass
class ProxyRoutes:
    resolver: PathResolver
    forwarder: RequestForwarder
    index: ShardedIndex
    metrics: ProxyMetrics
    root_shard_url: str

    async def dispatch(self, request: web.BaseRequest) -> web.StreamResponse:
        """The proxy's metrics page or `handle`."""
        if request.path == METRICS_PATH and request.method in METRICS_METHODS:
            return await self.metrics_page(request)
        return await self.handle(request)

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        raw_path, question, query = request.raw_path.partition("?")
        if has_dot_segment(raw_path):
            raise errors.bad_request(f"invalid path {raw_path!r}: '.' and '..' segments are not allowed")
        if raw_path in HEALTH_PATHS:
            return web.Response(text="ok")
        target = await self._target(raw_path)
        return await self.forwarder.forward(request, target + question + query, user_of(request))

    async def metrics_page(self, _: web.BaseRequest) -> web.Response:
        self.metrics.measure(self.index)
        body, content_type = self.metrics.exposition()
        response = web.Response(body=body)
        response.headers["Content-Type"] = content_type
        return response

    async def _target(self, raw_path: str) -> str:
        if raw_path.startswith(CLUSTERS):
            _, cluster, rest = split_cluster(raw_path, len(CLUSTERS))
            route = await self.resolver.resolve(cluster)
            return f"{route.base_url}{CLUSTERS}{route.cluster_name}{rest}"
        if raw_path.startswith(SERVICES) and CLUSTERS in raw_path[len(SERVICES) :]:
            return await self._service_target(raw_path)
        return self.root_shard_url + raw_path

    async def _service_target(self, raw_path: str) -> str:
        before, cluster, rest = split_cluster(raw_path, raw_path.index(CLUSTERS, len(SERVICES)) + len(CLUSTERS))
        if cluster == WILDCARD:
            return self.root_shard_url + raw_path
        route: Route = await self.resolver.resolve(cluster)
        return f"{route.base_url}{before}{route.cluster_name}{rest}"
