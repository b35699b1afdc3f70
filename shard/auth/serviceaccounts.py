"""Service-account tokens on a shard: issuing the bound JWTs a TokenRequest returns, and the lookup that
makes a token good only while its ServiceAccount exists in this shard's storage.

Verification (signature, lifetime, audience, issuer; apimachinery/auth/serviceaccounts.py) is shared with
the front-proxy and re-exported here. An issued token is an ES256 JWT signed by the shard's
service-account key, with upstream's bound-token claims plus kcp's logical cluster.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from apimachinery.apis.core_v1 import SERVICEACCOUNTS
from apimachinery.auth.serviceaccounts import (
    ALGORITHM,
    ALL_SERVICE_ACCOUNTS_GROUP,
    DEFAULT_ISSUER,
    LEEWAY_SECONDS,
    PRIVATE_CLAIM,
    REQUIRED_CLAIMS,
    SERVICE_ACCOUNT_CLUSTER_EXTRA,
    USERNAME_PREFIX,
    BoundClaims,
    ServiceAccountLookup,
    ServiceAccountTokens,
    key_id,
    service_account_groups,
    service_account_username,
)
from shard.registry import keys
from shard.storage import errors as storage_errors
from shard.storage.interface import Storage

__all__ = [
    "ALGORITHM",
    "ALL_SERVICE_ACCOUNTS_GROUP",
    "DEFAULT_ISSUER",
    "LEEWAY_SECONDS",
    "PRIVATE_CLAIM",
    "REQUIRED_CLAIMS",
    "SERVICE_ACCOUNT_CLUSTER_EXTRA",
    "USERNAME_PREFIX",
    "BoundClaims",
    "IssuedToken",
    "ServiceAccountLookup",
    "ServiceAccountTokens",
    "StoredServiceAccounts",
    "TokenIssuer",
    "key_id",
    "service_account_groups",
    "service_account_username",
]


@dataclass(frozen=True)
class IssuedToken:
    token: str
    issued_at: int
    expires_at: int


@dataclass(frozen=True)
class TokenIssuer:
    """Signs bound service-account tokens. `api_audiences` are the audiences a TokenRequest without any
    gets (upstream's `--api-audiences`, which defaults to the issuer)."""

    signing_key: ec.EllipticCurvePrivateKey
    issuer: str = DEFAULT_ISSUER
    api_audiences: tuple[str, ...] = ()
    clock: Callable[[], float] = time.time

    @property
    def default_audiences(self) -> tuple[str, ...]:
        return self.api_audiences or (self.issuer,)

    def issue(
        self, *, cluster: str, namespace: str, name: str, uid: str, audiences: Sequence[str], expiration_seconds: int
    ) -> IssuedToken:
        now = int(self.clock())
        claims = {
            "iss": self.issuer,
            "sub": service_account_username(namespace, name),
            "aud": list(audiences),
            "iat": now,
            "nbf": now,
            "exp": now + expiration_seconds,
            "jti": str(uuid.uuid4()),
            PRIVATE_CLAIM: {
                "namespace": namespace,
                "serviceaccount": {"name": name, "uid": uid},
                "clusterName": cluster,  # kcp: the logical cluster the ServiceAccount lives in
            },
        }
        headers = {"kid": key_id(self.signing_key.public_key())}
        token = jwt.encode(claims, self.signing_key, algorithm=ALGORITHM, headers=headers)
        return IssuedToken(token, now, now + expiration_seconds)


# --- the lookup against a shard's storage ---------------------------------------------------------


@dataclass(frozen=True)
class StoredServiceAccounts:
    """`service_account_uid` read from this shard's storage: the watch cache first (as upstream reads its
    informer), and a linearizable read when the cache has no such ServiceAccount, so a token for a
    ServiceAccount created a moment ago is not refused. A deleted (or replaced) ServiceAccount may still be
    seen for as long as the cache lags (milliseconds), as upstream's informer lags."""

    storage: Storage

    async def __call__(self, cluster: str, namespace: str, name: str) -> str | None:
        key = keys.object_key(SERVICEACCOUNTS, cluster, namespace, name)
        cached = await self._uid(key, consistent=False)
        return cached if cached is not None else await self._uid(key, consistent=True)

    async def _uid(self, key: str, *, consistent: bool) -> str | None:
        try:
            obj = await self.storage.get(key, consistent=consistent)
        except storage_errors.KeyNotFoundError:
            return None
        uid = (obj.get("metadata") or {}).get("uid")
        return uid if isinstance(uid, str) and uid else None
