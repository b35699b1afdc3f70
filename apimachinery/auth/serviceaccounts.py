"""Service-account tokens: verifying the bound JWTs a TokenRequest returns (issuing is the shard's).

A token is an ES256 JWT with upstream's bound-token claims (iss, sub, aud, iat, nbf, exp, jti and the
private `kubernetes.io` claim naming the namespace and the ServiceAccount's name and uid) plus kcp's
logical cluster, `kubernetes.io.clusterName`. A token proves `system:serviceaccount:<ns>:<name>` while its
signature (one of a set of public keys), lifetime (with upstream's leeway) and audience hold and that
ServiceAccount still exists with the same uid in that logical cluster: an injected async lookup, since a
shard reads its storage and a front-proxy asks the shard. PyJWT does the JOSE work (signature, audience).
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from apimachinery.auth.authn import CREDENTIAL_ID_EXTRA, Credentials
from apimachinery.auth.user import UserInfo

DEFAULT_ISSUER = "https://kplane.default.svc"
SERVICE_ACCOUNT_CLUSTER_EXTRA = "authentication.kcp.io/cluster-name"
USERNAME_PREFIX = "system:serviceaccount:"
ALL_SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts"
ALGORITHM = "ES256"
LEEWAY_SECONDS = 60  # go-jose's default leeway, which upstream's validator uses for exp and nbf
PRIVATE_CLAIM = "kubernetes.io"
REQUIRED_CLAIMS = ("exp", "iat", "nbf", "iss", "sub", "aud")
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----", re.DOTALL)

ServiceAccountLookup = Callable[[str, str, str], Awaitable[str | None]]
"""`(cluster, namespace, name)` → the uid of that ServiceAccount, or None if it does not exist."""


def service_account_username(namespace: str, name: str) -> str:
    return f"{USERNAME_PREFIX}{namespace}:{name}"


def service_account_groups(namespace: str) -> tuple[str, str]:
    return ALL_SERVICE_ACCOUNTS_GROUP, f"system:serviceaccounts:{namespace}"


def key_id(public_key: ec.EllipticCurvePublicKey) -> str:
    """Upstream's `kid`: the unpadded base64url SHA-256 of the key's PKIX DER encoding."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode("ascii")


def public_keys_from_pem(data: bytes) -> list[ec.EllipticCurvePublicKey]:
    """Every EC key of a PEM file, as upstream's `--service-account-key-file` reads it: public keys as they
    are, private keys by their public half. Blocks of other types are skipped; no EC key is a ValueError."""
    keys: list[ec.EllipticCurvePublicKey] = []
    for block in _pem_blocks(data):
        key = _ec_public_key(block)
        if key is not None:
            keys.append(key)
    if not keys:
        raise ValueError("no EC public or private key found")
    return keys


def _pem_blocks(data: bytes) -> list[bytes]:
    return [match.group(0) for match in _PEM_BLOCK.finditer(data)]


def _ec_public_key(block: bytes) -> ec.EllipticCurvePublicKey | None:
    loaded: object
    try:
        if b"PUBLIC KEY-----" in block:
            loaded = serialization.load_pem_public_key(block)
        elif b"PRIVATE KEY-----" in block:
            loaded = serialization.load_pem_private_key(block, password=None)
        else:
            return None
    except (ValueError, TypeError):
        return None
    if isinstance(loaded, ec.EllipticCurvePrivateKey):
        return loaded.public_key()
    return loaded if isinstance(loaded, ec.EllipticCurvePublicKey) else None


@dataclass(frozen=True)
class BoundClaims:
    """What a verified token says about its ServiceAccount."""

    cluster: str
    namespace: str
    name: str
    uid: str
    jti: str


@dataclass(frozen=True)
class ServiceAccountTokens:
    """The authenticator of service-account JWTs.

    `public_keys` are every key a token may be signed with (this shard's; a front-proxy holds all shards').
    A token of another issuer is not ours (None, so a later authenticator may try); a token of our issuer
    that fails any check proves nobody."""

    public_keys: Sequence[ec.EllipticCurvePublicKey]
    service_account_uid: ServiceAccountLookup
    issuers: tuple[str, ...] = (DEFAULT_ISSUER,)
    audiences: tuple[str, ...] = (DEFAULT_ISSUER,)
    clock: Callable[[], float] = time.time

    async def authenticate(self, credentials: Credentials) -> UserInfo | None:
        claims = self.verify(credentials.bearer_token)
        if claims is None:
            return None
        current_uid = await self.service_account_uid(claims.cluster, claims.namespace, claims.name)
        if current_uid is None or current_uid != claims.uid:
            return None  # deleted, or deleted and created again: the token was for the old one
        return UserInfo(
            service_account_username(claims.namespace, claims.name),
            service_account_groups(claims.namespace),
            claims.uid,
            extra=_extra(claims),
        )

    def verify(self, token: str) -> BoundClaims | None:
        """The bound claims of a token signed by one of our keys, issued by one of our issuers, within its
        lifetime and for one of our audiences; None otherwise."""
        if token.count(".") != 2:
            return None
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.InvalidTokenError:
            return None
        if header.get("alg") != ALGORITHM or unverified.get("iss") not in self.issuers:
            return None
        payload = self._verified_payload(token, header.get("kid"))
        return _bound_claims(payload) if payload is not None else None

    def _verified_payload(self, token: str, kid: object) -> dict[str, Any] | None:
        for public_key in self._candidate_keys(kid):
            try:
                payload: dict[str, Any] = jwt.decode(
                    token,
                    public_key,
                    algorithms=[ALGORITHM],
                    audience=list(self.audiences),
                    options=_decode_options(),
                )
            except jwt.InvalidSignatureError:
                continue  # signed by another key of the set
            except jwt.InvalidTokenError:
                return None  # signature good, claims not: no other key changes that
            return payload if _within_lifetime(payload, self.clock()) else None
        return None

    def _candidate_keys(self, kid: object) -> list[ec.EllipticCurvePublicKey]:
        """The key named by `kid` first (one signature check in the usual case), then the others."""
        keys = list(self.public_keys)
        named = [key for key in keys if isinstance(kid, str) and key_id(key) == kid]
        return named + [key for key in keys if key not in named]


def _decode_options() -> Any:
    """PyJWT checks signature, required claims and audience; exp, nbf and iat are ours (`_within_lifetime`)."""
    return {"require": list(REQUIRED_CLAIMS), "verify_exp": False, "verify_nbf": False, "verify_iat": False}


def _within_lifetime(payload: dict[str, Any], now: float) -> bool:
    """exp, nbf and iat against our clock, each with upstream's leeway (PyJWT's own clock is not injectable)."""
    expires, not_before, issued = (_seconds(payload.get(claim)) for claim in ("exp", "nbf", "iat"))
    if expires is None or not_before is None or issued is None:
        return False
    return now - LEEWAY_SECONDS <= expires and not_before <= now + LEEWAY_SECONDS and issued <= now + LEEWAY_SECONDS


def _seconds(value: object) -> float | None:
    """A NumericDate claim (a JSON number) as seconds; anything else None."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _bound_claims(payload: dict[str, Any]) -> BoundClaims | None:
    private = payload.get(PRIVATE_CLAIM)
    if not isinstance(private, dict):
        return None
    account = private.get("serviceaccount")
    namespace, cluster = private.get("namespace"), private.get("clusterName")
    if not isinstance(account, dict):
        return None
    name, uid, jti = account.get("name"), account.get("uid"), payload.get("jti", "")
    fields = (namespace, cluster, name, uid, jti)
    if not all(isinstance(value, str) for value in fields) or not (namespace and cluster and name and uid):
        return None
    if payload.get("sub") != service_account_username(str(namespace), str(name)):
        return None
    return BoundClaims(str(cluster), str(namespace), str(name), str(uid), str(jti))


def _extra(claims: BoundClaims) -> dict[str, tuple[str, ...]]:
    extra: dict[str, tuple[str, ...]] = {SERVICE_ACCOUNT_CLUSTER_EXTRA: (claims.cluster,)}
    if claims.jti:
        extra[CREDENTIAL_ID_EXTRA] = (f"JTI={claims.jti}",)
    return extra
