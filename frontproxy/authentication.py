"""Who is calling the front-proxy: the authenticator union, and the middleware that answers 401.

Union order (first match wins, as on a shard): static tokens (the installation's admin token, the token
files), service-account JWTs (verified with the `--service-account-key-file` public keys; the
ServiceAccount must still exist, asked of its shard by an injected lookup), client certificates issued by
the client CA. There is no request-header authentication here: the proxy is where identity headers
start, never where they are believed.

Whether a token's ServiceAccount still exists is asked of the shard that holds its logical cluster
(`ShardServiceAccounts`): a shard checks its own storage, but behind the proxy it only sees
`X-Remote-User`, so the proxy checks before it speaks for the token. A uid found is remembered for
`ttl_seconds` (upstream's shards read an informer that lags too); a missing ServiceAccount, or a shard that
cannot be asked, is never remembered, so a new ServiceAccount works at once and an outage does not stick.

Without recognised credentials only the health endpoints and /version answer (anonymously); anything
else is upstream's 401 `Unauthorized` Status. A bearer token that proves nobody is a 401 even there.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote

from aiohttp import web

from apimachinery import errors
from apimachinery.auth.authn import (
    ClientCertificates,
    Credentials,
    StaticTokens,
    Union,
    bearer_token,
    peer_certificate_loader,
)
from apimachinery.auth.serviceaccounts import ServiceAccountLookup, ServiceAccountTokens
from apimachinery.auth.user import UserInfo
from apimachinery.pki import ADMIN_GROUPS, ADMIN_USER
from frontproxy.lookup import NotAvailable, Resolver, WorkspaceDenied
from frontproxy.options import FrontProxyConfig
from frontproxy.shardclient import ShardError, ShardReader, ShardUnreachable

Handler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]
USER_KEY = web.RequestKey("kplane.frontproxy.user", UserInfo)
ANONYMOUS_PATHS = frozenset({"/healthz", "/livez", "/readyz", "/version", "/version/"})
ADMIN = UserInfo(ADMIN_USER, ADMIN_GROUPS)
MAX_REMEMBERED_ACCOUNTS = 10_000


class Filter(Protocol):
    """A step around the request handler (an aiohttp middleware's signature, `handler` by name)."""

    def __call__(self, request: web.BaseRequest, handler: Handler) -> Awaitable[web.StreamResponse]: ...


def build_authenticator(config: FrontProxyConfig, *, service_account_uid: ServiceAccountLookup) -> Union:
    options = config.options
    service_accounts = ServiceAccountTokens(
        list(config.service_account_keys),
        service_account_uid,
        issuers=options.service_account_issuers,
        audiences=options.audiences,
    )
    return Union([static_tokens(config), service_accounts, ClientCertificates(config.client_ca.subject)])


def static_tokens(config: FrontProxyConfig) -> StaticTokens:
    """The token files' users, then the admin token (which wins over a file line repeating it)."""
    tokens = StaticTokens.of((record.token, record.user) for record in config.token_records)
    return tokens.merged(StaticTokens.of([(config.admin_token, ADMIN)]))


def user_of(request: web.BaseRequest) -> UserInfo | None:
    """The authenticated user of a request (None: an anonymous request to a health endpoint)."""
    return request.get(USER_KEY)


def authentication_filter(authenticator: Union) -> Filter:
    @web.middleware
    async def authenticate(request: web.BaseRequest, handler: Handler) -> web.StreamResponse:
        token = bearer_token(request.headers.get("Authorization", ""))
        credentials = Credentials(token, peer_certificate_loader(request.transport), request.headers)
        user = await authenticator.authenticate(credentials)
        if user is None:
            if not credentials.bearer_token and request.path in ANONYMOUS_PATHS:
                return await handler(request)
            raise errors.unauthorized()
        request[USER_KEY] = user
        return await handler(request)

    return authenticate


@dataclass
class ShardServiceAccounts:
    resolver: Resolver
    client: ShardReader
    ttl_seconds: float = 5.0
    clock: Callable[[], float] = time.monotonic
    remembered: dict[tuple[str, str, str], tuple[str, float]] = field(default_factory=dict)

    async def __call__(self, cluster: str, namespace: str, name: str) -> str | None:
        key = (cluster, namespace, name)
        hit = self.remembered.get(key)
        if hit is not None and hit[1] > self.clock():
            return hit[0]
        uid = await self._ask(cluster, namespace, name)
        if uid is not None:
            if len(self.remembered) >= MAX_REMEMBERED_ACCOUNTS:
                self.remembered.clear()  # bounded: a burst of distinct accounts costs re-asking, never memory
            self.remembered[key] = (uid, self.clock() + self.ttl_seconds)
        return uid

    async def _ask(self, cluster: str, namespace: str, name: str) -> str | None:
        try:
            route = await self.resolver.resolve(cluster)
            namespace_path, name_path = quote(namespace, safe=""), quote(name, safe="")
            path = f"/clusters/{route.cluster_name}/api/v1/namespaces/{namespace_path}/serviceaccounts/{name_path}"
            account = await self.client.get(route.base_url, path)
        except (WorkspaceDenied, NotAvailable, ShardUnreachable, ShardError):
            return None
        uid = ((account or {}).get("metadata") or {}).get("uid")
        return uid if isinstance(uid, str) and uid else None
