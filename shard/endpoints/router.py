"""From an authenticated request to the handler that answers it: cluster check, then API dispatch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from apimachinery import errors
from apimachinery.apis.catalog import Catalog
from shard.auth.authz import Attributes, Chain, forbidden, resource_verb
from shard.endpoints import discovery, openapi
from shard.endpoints.negotiation import JSON
from shard.endpoints.requestinfo import ApiPath, ResourcePath, parse, split_cluster
from shard.endpoints.resources import Target, serve
from shard.endpoints.responses import json_response
from shard.registry.clusters import LogicalClusters
from shard.registry.context import RequestContext, UserInfo
from shard.registry.registry import Registry

USER_KEY = "kplane.user"
PATH_KEY = "kplane.path"
WORKSPACE_DENIED = "workspace access not permitted"


@dataclass
class Router:
    registry: Registry
    catalog: Catalog
    clusters: LogicalClusters
    version_info: dict[str, Any]
    authorizer: Chain

    async def handle(self, request: web.Request) -> web.StreamResponse:
        split = split_cluster(request.path)
        if split is None:
            return self._unscoped(request)
        cluster, api_path = split
        parsed = parse(api_path)
        request[PATH_KEY] = parsed
        if isinstance(parsed, ApiPath) and parsed.kind in ("healthz", "livez", "readyz"):
            return self._api(request, parsed)
        user: UserInfo = request[USER_KEY]
        if not await self._cluster_allowed(cluster, parsed, request.method, user):
            raise errors.StatusError(403, "Forbidden", WORKSPACE_DENIED)
        self._authorize(request, cluster, parsed, user)
        if isinstance(parsed, ResourcePath):
            return await self._resource(request, cluster, parsed, user)
        if isinstance(parsed, ApiPath):
            return self._api(request, parsed)
        raise errors.resource_not_found_path()

    def _authorize(self, request: web.Request, cluster: str, parsed: ResourcePath | ApiPath | None,
                   user: UserInfo) -> None:
        if isinstance(parsed, ResourcePath):
            watch = parsed.legacy_watch or request.query.get("watch") in ("true", "1")
            verb = resource_verb(request.method, has_name=bool(parsed.name), watch=watch)
            attributes = Attributes(user, verb, cluster, parsed.group, parsed.resource, parsed.subresource,
                                    parsed.namespace, parsed.name)
        else:
            attributes = Attributes(user, request.method.lower(), cluster, path=request.path)
        decision = self.authorizer.authorize(attributes)
        if not decision.allowed:
            raise forbidden(attributes, decision.reason)

    async def _cluster_allowed(
        self, cluster: str, parsed: ResourcePath | ApiPath | None, method: str, user: UserInfo
    ) -> bool:
        if await self.clusters.exists(cluster):
            return True
        creates_itself = (
            isinstance(parsed, ResourcePath)
            and parsed.group == "core.kcp.io"
            and parsed.resource == "logicalclusters"
            and not parsed.name
            and method == "POST"
        )
        return creates_itself and user.is_master

    async def _resource(
        self, request: web.Request, cluster: str, path: ResourcePath, user: UserInfo
    ) -> web.StreamResponse:
        store = self.registry.store_for(path.group, path.version, path.resource)
        if store is None or (path.namespace and not store.resource.namespaced):
            raise errors.resource_not_found_path()
        ctx = RequestContext(
            cluster, user, path.namespace if store.resource.namespaced else "", request.headers.get("User-Agent", "")
        )
        return await serve(request, Target(store, ctx, path))

    def _unscoped(self, request: web.Request) -> web.StreamResponse:
        parsed = parse(request.path)
        if isinstance(parsed, ApiPath) and parsed.kind in ("version", "healthz", "livez", "readyz"):
            return self._api(request, parsed)
        raise errors.resource_not_found_path()

    def _api(self, request: web.Request, path: ApiPath) -> web.StreamResponse:
        if request.method != "GET":
            raise errors.method_not_allowed()
        kind = path.kind
        if kind in ("healthz", "livez", "readyz"):
            return web.Response(text="ok", content_type="text/plain")
        if kind == "version":
            return json_response(self.version_info)
        if kind in ("api", "apis"):
            return self._discovery_root(request, legacy=kind == "api")
        if kind == "group":
            return _found(discovery.api_group(self.catalog, path.group))
        if kind == "group_version":
            return _found(discovery.api_resource_list(self.catalog, path.group, path.version))
        if kind == "openapi":
            return self._openapi(request, path.rest)
        if kind == "root":
            return json_response({"paths": ["/api", "/api/v1", "/apis", "/openapi/v2", "/openapi/v3", "/version"]})
        raise errors.resource_not_found_path()

    def _discovery_root(self, request: web.Request, *, legacy: bool) -> web.StreamResponse:
        version = discovery.aggregated_version(request.headers.get("Accept", ""))
        if version:
            body = discovery.aggregated(self.catalog, legacy=legacy, version=version)
            return json_response(body, content_type=discovery.aggregated_content_type(version))
        host = request.host or ""
        return json_response(discovery.api_versions(host) if legacy else discovery.api_group_list(self.catalog))

    def _openapi(self, request: web.Request, rest: str) -> web.StreamResponse:
        if rest == "v2":
            accept = request.headers.get("Accept", "")
            if accept and "json" not in accept and "*/*" not in accept:
                raise errors.not_acceptable("only application/json is served for /openapi/v2")
            return json_response(openapi.v2_document(self.catalog))
        if rest == "v3":
            return json_response(openapi.v3_index(self.catalog))
        if rest.startswith("v3/"):
            return self._openapi_v3(rest[3:])
        raise errors.resource_not_found_path()

    def _openapi_v3(self, gv: str) -> web.StreamResponse:
        parts = gv.split("/")
        group, version = (
            ("", parts[1])
            if parts[0] == "api" and len(parts) == 2
            else ((parts[1], parts[2]) if parts[0] == "apis" and len(parts) == 3 else ("", ""))
        )
        document = openapi.v3_document(self.catalog, group, version) if version else None
        response = _found(document)
        response.headers["Content-Type"] = JSON
        return response


def _found(body: dict[str, Any] | None) -> web.Response:
    if body is None:
        raise errors.resource_not_found_path()
    return json_response(body)
