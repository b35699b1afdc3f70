"""Serving the initializing virtual workspace, as kcp's initializingworkspaces VW does:

- `/clusters/*/apis/core.kcp.io/v1alpha1/logicalclusters`: list and watch, across every logical cluster
  of this shard, of the LogicalClusters the initializer sees (filtering.py);
- `/clusters/<cluster>/apis/core.kcp.io/v1alpha1/logicalclusters/cluster`: get, and get/update/patch of
  `status` (only removing this initializer from `status.initializers`);
- discovery (`/api`, `/apis`, `/apis/core.kcp.io[/v1alpha1]`) at the root and under `/clusters/<x>`.

- `/clusters/<cluster>/<any other resource>`: the workspace's content, served as its owner (the
  `experimental.tenancy.kcp.io/owner` of its LogicalCluster) while the workspace is initializing and this
  initializer is still in `status.initializers` (403 otherwise), so an initializer can seed a workspace
  before anyone else may use it.

Every other verb on LogicalClusters is 405.
Authorization, kcp's: the caller needs the verb `initialize` on `workspacetypes/<type>` in the workspace
holding the initializer's type (`root:org:mytype` → type `mytype` in `root:org`); system:masters always.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from apimachinery import errors
from apimachinery.apis.catalog import Catalog
from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS
from apimachinery.apis.types import Subresource
from shard.auth.authz import AccessController, Attributes, forbidden, resource_verb
from shard.endpoints import reads, watches, writes
from shard.endpoints.documents import Documents
from shard.endpoints.params import truthy
from shard.endpoints.requestinfo import ApiPath, ResourcePath, parse
from shard.endpoints.router import PATH_KEY, USER_KEY, Router
from shard.registry.context import RequestContext, UserInfo
from shard.registry.keys import logical_cluster_key
from shard.registry.kinds import strategy_for
from shard.registry.owners import owner_of
from shard.registry.store import Store
from shard.registry.wildcard import WildcardStorage
from shard.storage import errors as storage_errors
from shard.storage.interface import Storage
from shard.virtual.initializing.filtering import FilteredStorage, initializing_with
from shard.virtual.initializing.paths import WILDCARD, VirtualPath
from shard.virtual.initializing.paths import parse as parse_virtual

# discovery shows what kcp's VW shows: get/list/watch, category kcp, a status subresource without verbs
VIEW_RESOURCE = dataclasses.replace(
    LOGICALCLUSTERS, verbs=("get", "list", "watch"), categories=("kcp",), subresources=(Subresource("status", ()),)
)
DISCOVERY_KINDS = frozenset({"api", "apis", "group", "group_version"})


ClusterOf = Callable[[str], Awaitable[str | None]]
RemoteAllows = Callable[[str, Attributes], Awaitable[bool]]  # (workspace path, attributes): another shard's answer


@dataclass
class InitializingWorkspaces:
    storage: Storage
    access: AccessController
    cluster_of: ClusterOf
    remote_allows: RemoteAllows | None = None
    content: Router | None = None  # serves the content of initializing workspaces on the owner's behalf
    documents: Documents = field(default_factory=Documents)
    catalog: Catalog = field(default_factory=lambda: Catalog.of([VIEW_RESOURCE]))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        virtual = parse_virtual(request.path)
        if virtual is None:
            raise errors.resource_not_found_path()
        parsed = parse(virtual.api_path)
        request[PATH_KEY] = parsed
        user: UserInfo = request[USER_KEY]
        await self._authorize(request, virtual, parsed, user)
        if isinstance(parsed, ApiPath) and parsed.kind in DISCOVERY_KINDS:
            if request.method != "GET":
                raise errors.method_not_allowed()
            return self.documents.serve(request, parsed, self.catalog)
        if isinstance(parsed, ResourcePath) and _names_one_cluster(virtual) and not _is_logical_clusters(parsed):
            return await self._serve_content(request, virtual, parsed)
        if not isinstance(parsed, ResourcePath) or not virtual.cluster or not _is_logical_clusters(parsed):
            raise errors.resource_not_found_path()
        view = FilteredStorage(WildcardStorage(self.storage), virtual.initializer)
        store = Store(VIEW_RESOURCE, strategy_for(LOGICALCLUSTERS), view)
        ctx = RequestContext(virtual.cluster, user, "", request.headers.get("User-Agent", ""))
        if virtual.cluster == WILDCARD:
            return await _serve_wildcard(request, store, ctx, parsed)
        return await _serve_cluster(request, store, ctx, parsed)

    async def _serve_content(
        self, request: web.Request, virtual: VirtualPath, parsed: ResourcePath
    ) -> web.StreamResponse:
        if self.content is None:
            raise errors.resource_not_found_path()
        try:
            logical_cluster = await self.storage.get(logical_cluster_key(virtual.cluster))
        except storage_errors.KeyNotFoundError:
            logical_cluster = {}
        owner = owner_of(logical_cluster)
        if not initializing_with(virtual.initializer)(logical_cluster) or owner is None:
            message = f'logical cluster "{virtual.cluster}" is not being initialized by "{virtual.initializer}"'
            raise errors.StatusError(403, "Forbidden", message)
        return await self.content.serve_as(request, virtual.cluster, parsed, owner)

    async def _authorize(
        self, request: web.Request, virtual: VirtualPath, parsed: ResourcePath | ApiPath | None, user: UserInfo
    ) -> None:
        """Allowed with `initialize` on the initializer's type; a refusal names the request itself."""
        if user.is_master or await self._may_initialize(virtual.initializer, user):
            return
        if isinstance(parsed, ResourcePath):
            watch = parsed.legacy_watch or truthy(request.query.get("watch"))
            verb = resource_verb(request.method, has_name=bool(parsed.name), watch=watch)
            attributes = Attributes(
                user, verb, virtual.cluster, parsed.group, parsed.resource, parsed.subresource, "", parsed.name
            )
        else:
            attributes = Attributes(user, request.method.lower(), virtual.cluster, path=virtual.api_path)
        raise forbidden(attributes, "access not permitted")

    async def _may_initialize(self, initializer: str, user: UserInfo) -> bool:
        type_path, _, type_name = initializer.rpartition(":")
        if not type_path:
            return False
        type_cluster = await self.cluster_of(type_path)
        attributes = Attributes(
            user, "initialize", type_cluster or type_path, "tenancy.kcp.io", "workspacetypes", name=type_name
        )
        if type_cluster is not None:
            return (await self.access.authorize(attributes)).allowed
        # the type's workspace lives on another shard: its RBAC decides there
        return self.remote_allows is not None and await self.remote_allows(type_path, attributes)


def _names_one_cluster(virtual: VirtualPath) -> bool:
    return virtual.cluster not in ("", WILDCARD)


def _is_logical_clusters(path: ResourcePath) -> bool:
    return (
        path.group == LOGICALCLUSTERS.group
        and path.version == LOGICALCLUSTERS.version
        and path.resource == LOGICALCLUSTERS.plural
        and not path.namespace
    )


async def _serve_wildcard(
    request: web.Request, store: Store, ctx: RequestContext, path: ResourcePath
) -> web.StreamResponse:
    if path.name or path.subresource or request.method != "GET":
        raise errors.method_not_allowed()
    if path.legacy_watch or truthy(request.query.get("watch")):
        return await watches.watch(request, store, ctx)
    return await reads.list_(request, store, ctx)


async def _serve_cluster(
    request: web.Request, store: Store, ctx: RequestContext, path: ResourcePath
) -> web.StreamResponse:
    if not path.name or path.legacy_watch or path.subresource not in ("", "status"):
        raise errors.method_not_allowed()
    if request.method == "GET":
        return await reads.get(request, store, ctx, path)
    if path.subresource == "status" and request.method == "PUT":
        return await writes.update(request, store, ctx, path)
    if path.subresource == "status" and request.method == "PATCH":
        return await writes.patch(request, store, ctx, path)
    raise errors.method_not_allowed()
