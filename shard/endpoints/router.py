"""From an authenticated request to the handler that answers it: path resolution (`root:org:team` → the
logical cluster name), the home workspace (`workspaces/~` in root, before authorization as in kcp), cluster
check, then API dispatch; everything after resolution sees the name only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from apimachinery import errors
from shard.auth.authz import AccessController, Attributes, forbidden, resource_verb
from shard.auth.impersonation import impersonate
from shard.auth.scoping import scoped_user
from shard.auth.serviceaccounts import TokenIssuer
from shard.endpoints import wildcard
from shard.endpoints.documents import Documents
from shard.endpoints.requestinfo import ApiPath, ResourcePath, parse, split_cluster
from shard.endpoints.resources import Target, serve
from shard.endpoints.responses import json_response, warn
from shard.endpoints.reviews import Reviews
from shard.registry.clusters import LogicalClusters
from shard.registry.context import RequestContext, UserInfo
from shard.registry.homes import HomeWorkspaces, home_workspace
from shard.registry.registry import Registry
from shard.registry.wildcard import WILDCARD

USER_KEY = "kplane.user"
PATH_KEY = "kplane.path"
WORKSPACE_DENIED = "workspace access not permitted"
HOME_RETRY_SECONDS = "1"


@dataclass
class Router:
    registry: Registry
    clusters: LogicalClusters
    version_info: dict[str, Any]
    access: AccessController
    documents: Documents = field(default_factory=Documents)
    homes: HomeWorkspaces | None = None
    token_issuer: TokenIssuer | None = None
    reviews: Reviews | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        split = split_cluster(request.path)
        if split is None:
            return self._unscoped(request)
        segment, api_path = split
        parsed = parse(api_path)
        request[PATH_KEY] = parsed
        if isinstance(parsed, ApiPath) and parsed.kind in ("healthz", "livez", "readyz"):
            return self._api(request, parsed)
        user: UserInfo = request[USER_KEY]
        if segment == WILDCARD:  # every logical cluster of this shard: list and watch for system:masters
            return await wildcard.serve(
                request, parsed, user, api_path=api_path, registry=self.registry, serve_api=self._api
            )
        cluster = await self.registry.paths.cluster_of(segment)
        if self.homes is not None and cluster == "root" and _is_home_get(request, parsed):
            return await self._home(self.homes, user)
        if cluster is None or not await self._cluster_allowed(cluster, parsed, request.method, user):
            raise errors.StatusError(403, "Forbidden", WORKSPACE_DENIED)
        user = scoped_user(user, cluster)
        if _impersonates(request):
            user = await impersonate(user, request.headers, cluster=cluster, authorize=self.access.authorize)
            user = scoped_user(user, cluster)
        await self._authorize(request, cluster, parsed, user, api_path)
        if isinstance(parsed, ResourcePath):
            return await self._resource(request, cluster, parsed, user)
        if isinstance(parsed, ApiPath):
            return self._api(request, parsed, cluster)
        raise errors.resource_not_found_path()

    async def serve_as(
        self, request: web.Request, cluster: str, parsed: ResourcePath, user: UserInfo
    ) -> web.StreamResponse:
        """A resource request in `cluster` on behalf of `user`, authorized like any request of that user: for
        virtual workspaces that act for someone (the initializing workspace acts for the owner)."""
        await self._authorize(request, cluster, parsed, user, "")
        return await self._resource(request, cluster, parsed, user)

    async def _authorize(
        self,
        request: web.Request,
        cluster: str,
        parsed: ResourcePath | ApiPath | None,
        user: UserInfo,
        api_path: str,
    ) -> None:
        if isinstance(parsed, ResourcePath):
            watch = parsed.legacy_watch or request.query.get("watch") in ("true", "1")
            verb = resource_verb(request.method, has_name=bool(parsed.name), watch=watch)
            attributes = Attributes(
                user, verb, cluster, parsed.group, parsed.resource, parsed.subresource, parsed.namespace, parsed.name
            )
        else:
            attributes = Attributes(user, request.method.lower(), cluster, path=api_path or "/")
        decision = await self.access.authorize(attributes)
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
        if self.reviews and self.reviews.handles(path.group, path.resource):
            return await self.reviews.serve(request, cluster=cluster, path=path, user=user)
        store = self.registry.store_for(cluster, path.group, path.version, path.resource)
        if store is None or (path.namespace and not store.resource.namespaced):
            raise errors.resource_not_found_path()
        if store.resource.deprecation_warning:
            warn(request, store.resource.deprecation_warning)
        ctx = RequestContext(
            cluster,
            user,
            path.namespace if store.resource.namespaced else "",
            request.headers.get("User-Agent", ""),
            await self.access.permissions(user, cluster, fresh=_grants_rights(request, path)),
        )
        return await serve(request, Target(store, ctx, path, token_issuer=self.token_issuer))

    async def _home(self, homes: HomeWorkspaces, user: UserInfo) -> web.StreamResponse:
        logical_cluster = await homes.ensure(user)
        if logical_cluster is None:  # kcp answers in plain text while the home initializes
            response = web.Response(status=429, text="Creating the home workspace\n")
            response.headers["Retry-After"] = HOME_RETRY_SECONDS
            return response
        return json_response(home_workspace(logical_cluster))

    def _unscoped(self, request: web.Request) -> web.StreamResponse:
        parsed = parse(request.path)
        if isinstance(parsed, ApiPath) and parsed.kind in ("version", "healthz", "livez", "readyz"):
            return self._api(request, parsed)
        raise errors.resource_not_found_path()

    def _api(self, request: web.Request, path: ApiPath, cluster: str = "") -> web.StreamResponse:
        if request.method != "GET":
            raise errors.method_not_allowed()
        if path.kind in ("healthz", "livez", "readyz"):
            return web.Response(text="ok", content_type="text/plain")
        if path.kind == "version":
            return json_response(self.version_info)
        return self.documents.serve(request, path, self.registry.catalog_for(cluster))


def _impersonates(request: web.Request) -> bool:
    return any(name[:12].lower() == "impersonate-" for name in request.headers)


def _grants_rights(request: web.Request, path: ResourcePath) -> bool:
    """Writes whose admission compares the caller's rights with what the object grants (RBAC kinds)."""
    return path.group == "rbac.authorization.k8s.io" and request.method in ("POST", "PUT", "PATCH")


def _is_home_get(request: web.Request, parsed: ResourcePath | ApiPath | None) -> bool:
    return (
        isinstance(parsed, ResourcePath)
        and request.method == "GET"
        and parsed.group == "tenancy.kcp.io"
        and parsed.resource == "workspaces"
        and parsed.name == "~"
        and not parsed.subresource
        and not parsed.legacy_watch
    )
