"""Requests to the wildcard logical cluster, `/clusters/*/<api path>` (kcp's cross-cluster list and watch).

What they may do, as in kcp:

- list and watch of a built-in resource (kcp's kinds included) across every logical cluster of this shard,
  `/clusters/*/api/v1/configmaps`, or of one namespace in every cluster,
  `/clusters/*/api/v1/namespaces/<ns>/configmaps`, with the options of any list or watch (selectors,
  resourceVersion, limit/continue, bookmarks, Table and PartialObjectMetadata). Each object carries the
  `kcp.io/cluster` annotation naming its logical cluster (`shard.registry.wildcard` reads the storage);
- every other verb on a resource is 405, kcp's `WithWildcardListWatchGuard` text:
  `create is not supported on resources of kind "configmaps" in the `*` logical cluster`;
- discovery and OpenAPI under `/clusters/*/` describe the built-in catalog.

Who may: only `system:masters` (the shards' and the front-proxy's own identities, the shard admin). kcp
asks its authorizer chain about a cluster-less request, which nothing but the `system:masters` group
allows; anyone else gets upstream's Forbidden text for that verb and resource at the cluster scope (or
in the namespace of the path). Authorization comes before the verb check, as kcp's filters run.

Custom resources are 404: each logical cluster has its own CRDs, which may give one group/version/
resource different schemas (kcp serves them across clusters only through identity-hashed APIExports or
as PartialObjectMetadata; neither exists here).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from aiohttp import web
from multidict import MultiMapping

from apimachinery import errors
from shard.auth.authz import Attributes, Decision, forbidden, resource_verb
from shard.auth.impersonation import impersonate
from shard.auth.scoping import scoped_user
from shard.endpoints import reads, watches
from shard.endpoints.params import truthy
from shard.endpoints.requestinfo import ApiPath, ResourcePath
from shard.endpoints.responses import warn
from shard.registry.context import RequestContext, UserInfo
from shard.registry.registry import Registry
from shard.registry.store import Store
from shard.registry.wildcard import WILDCARD, WildcardStorage

WILDCARD_VERBS = frozenset({"list", "watch"})
ServeApi = Callable[[web.Request, ApiPath], web.StreamResponse]


def is_watch(path: ResourcePath, query: MultiMapping[str]) -> bool:
    return path.legacy_watch or truthy(query.get("watch"))


def attributes_of(
    method: str, query: MultiMapping[str], parsed: ResourcePath | ApiPath | None, user: UserInfo, api_path: str
) -> Attributes:
    """The request in RBAC's terms, in the cluster `*`."""
    if isinstance(parsed, ResourcePath):
        verb = resource_verb(method, has_name=bool(parsed.name), watch=is_watch(parsed, query))
        return Attributes(
            user, verb, WILDCARD, parsed.group, parsed.resource, parsed.subresource, parsed.namespace, parsed.name
        )
    return Attributes(user, method.lower(), WILDCARD, path=api_path or "/")


def authorize(attributes: Attributes) -> Decision:
    """Wildcard requests are for `system:masters` only."""
    return Decision(attributes.user.is_master)


def check_verb(attributes: Attributes) -> None:
    """405 for any resource verb but list and watch, with kcp's text."""
    if attributes.verb in WILDCARD_VERBS:
        return
    qualified = errors.qualified(attributes.resource, attributes.api_group)
    message = f'{attributes.verb} is not supported on resources of kind "{qualified}" in the `*` logical cluster'
    raise errors.StatusError(405, "MethodNotAllowed", message, group=attributes.api_group, kind=attributes.resource)


def wildcard_store(registry: Registry, path: ResourcePath, verb: str) -> Store:
    """The built-in Store of the path's resource, reading every logical cluster; 404 for anything else,
    405 if the resource does not serve `verb`."""
    store = registry.stores.get((path.group, path.version, path.resource))
    if store is None or (path.namespace and not store.resource.namespaced):
        raise errors.resource_not_found_path()
    if verb not in store.resource.verbs:
        raise errors.method_not_allowed()
    return dataclasses.replace(store, storage=WildcardStorage(store.storage), admission=(), after_create=())


async def serve(
    request: web.Request,
    parsed: ResourcePath | ApiPath | None,
    user: UserInfo,
    *,
    api_path: str,
    registry: Registry,
    serve_api: ServeApi,
) -> web.StreamResponse:
    """Answer a `/clusters/*/…` request; `serve_api` answers discovery, OpenAPI and version for the
    built-in catalog (the router's own, with no cluster)."""
    user = await _acting_user(request, user)
    attributes = attributes_of(request.method, request.query, parsed, user, api_path)
    decision = authorize(attributes)
    if not decision.allowed:
        raise forbidden(attributes, decision.reason)
    if isinstance(parsed, ApiPath):
        return serve_api(request, parsed)
    if not isinstance(parsed, ResourcePath):
        raise errors.resource_not_found_path()
    check_verb(attributes)
    store = wildcard_store(registry, parsed, attributes.verb)
    if store.resource.deprecation_warning:
        warn(request, store.resource.deprecation_warning)
    namespace = parsed.namespace if store.resource.namespaced else ""
    ctx = RequestContext(WILDCARD, user, namespace, request.headers.get("User-Agent", ""))
    if is_watch(parsed, request.query):
        return await watches.watch(request, store, ctx)
    return await reads.list_(request, store, ctx)


async def _acting_user(request: web.Request, user: UserInfo) -> UserInfo:
    """The caller as the wildcard cluster sees it: a user scoped to some clusters is no master here, and
    impersonating is allowed to whom wildcard requests are."""
    user = scoped_user(user, WILDCARD)
    if not any(name[:12].lower() == "impersonate-" for name in request.headers):
        return user

    async def masters_only(attributes: Attributes) -> Decision:
        return authorize(attributes)

    return scoped_user(await impersonate(user, request.headers, cluster=WILDCARD, authorize=masters_only), WILDCARD)
