"""Who is calling: a union of authenticators, the first that recognises the credentials wins.

Owns the credentials a request presents, the authenticator protocol, static bearer tokens (the admin
token, kube's token file: apimachinery/auth/tokenfile.py), client certificates issued by the client CA,
and the union. Service-account JWTs are apimachinery/auth/serviceaccounts.py; request-header
authentication is the shard's (shard/auth/requestheader.py). Authentication is async because a
service-account token is only good while its ServiceAccount still exists (a lookup the caller injects).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from cryptography import x509
from multidict import CIMultiDict, CIMultiDictProxy, MultiMapping

from apimachinery.auth.user import AUTHENTICATED, UserInfo
from apimachinery.certs import facts_of

CREDENTIAL_ID_EXTRA = "authentication.kubernetes.io/credential-id"
MAX_AUTHENTICATED_USERS = 256


def _no_certificate() -> x509.Certificate | None:
    return None


def _no_headers() -> MultiMapping[str]:
    return CIMultiDictProxy(CIMultiDict())


@dataclass(frozen=True)
class Credentials:
    """What a request presents: the Authorization header's bearer token, the peer certificate verified by
    the TLS handshake (against the client CA or the front-proxy CA), and the request headers.

    The certificate is decoded only when an authenticator asks for it (`peer_certificate`): most requests
    carry a token, and decoding a certificate costs more than checking one. The loader should cache."""

    bearer_token: str = ""
    load_peer_certificate: Callable[[], x509.Certificate | None] = _no_certificate
    headers: MultiMapping[str] = field(default_factory=_no_headers)

    @property
    def peer_certificate(self) -> x509.Certificate | None:
        return self.load_peer_certificate()


class Authenticator(Protocol):
    async def authenticate(self, credentials: Credentials) -> UserInfo | None:
        """The user these credentials prove, or None if they prove nobody to this authenticator."""
        ...


def token_digest(token: str) -> bytes:
    """The key a token is stored under: a lookup by digest never compares secrets byte by byte."""
    return hashlib.sha256(token.encode("utf-8")).digest()


@dataclass(frozen=True)
class StaticTokens:
    """Tokens known at start-up (the admin token, the token file), each mapped to a user.

    Lookup is by SHA-256 digest in a dict (O(1) for any number of users); the stored token is then
    compared with `hmac.compare_digest`, so a hit never depends on how much of a guess was right."""

    entries: dict[bytes, tuple[str, UserInfo]] = field(default_factory=dict)

    @classmethod
    def of(cls, users_by_token: Iterable[tuple[str, UserInfo]]) -> StaticTokens:
        """Later duplicates replace earlier ones, as upstream's token file does."""
        return cls({token_digest(token): (token, user) for token, user in users_by_token if token})

    def merged(self, other: StaticTokens) -> StaticTokens:
        return StaticTokens({**self.entries, **other.entries})

    async def authenticate(self, credentials: Credentials) -> UserInfo | None:
        token = credentials.bearer_token
        if not token:
            return None
        entry = self.entries.get(token_digest(token))
        if entry is None or not hmac.compare_digest(entry[0].encode("utf-8"), token.encode("utf-8")):
            return None
        return entry[1]


@dataclass(frozen=True)
class ClientCertificates:
    """A certificate issued by the client CA: CN is the user, each O a group (upstream's x509 authenticator).

    The TLS handshake also accepts certificates of the front-proxy CA; those are not users, so the issuer
    must be the client CA's subject (the trusted CAs have distinct subjects, checked when the TLS context
    is built). A certificate without a CN proves nobody."""

    client_ca_subject: x509.Name
    client_ca_subject_der: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "client_ca_subject_der", self.client_ca_subject.public_bytes())

    async def authenticate(self, credentials: Credentials) -> UserInfo | None:
        cert = credentials.peer_certificate
        if cert is None:
            return None
        facts = facts_of(cert)
        if facts.issuer != self.client_ca_subject_der or not facts.common_name:
            return None
        extra: dict[str, tuple[str, ...]] = {CREDENTIAL_ID_EXTRA: (f"X509SHA256={facts.fingerprint}",)}
        return UserInfo(facts.common_name, facts.organizations, extra=extra)


@dataclass(frozen=True)
class Union:
    """The first authenticator that recognises the credentials decides; every user it returns is in
    `system:authenticated`.

    A static token proves the same `UserInfo` object on every request; its `system:authenticated` copy is
    kept (by the identity of that object, which the table holds so its id is never reused; bounded) rather
    than built again per request."""

    authenticators: Sequence[Authenticator]
    authenticated: dict[int, tuple[UserInfo, UserInfo]] = field(default_factory=dict, compare=False, repr=False)

    async def authenticate(self, credentials: Credentials) -> UserInfo | None:
        for authenticator in self.authenticators:
            user = await authenticator.authenticate(credentials)
            if user is not None:
                return self._authenticated(user)
        return None

    def _authenticated(self, user: UserInfo) -> UserInfo:
        known = self.authenticated.get(id(user))
        if known is not None and known[0] is user:
            return known[1]
        authenticated = UserInfo(user.name, _with_authenticated(user.groups), user.uid, user.extra)
        if len(self.authenticated) >= MAX_AUTHENTICATED_USERS:
            self.authenticated.clear()  # users of certificates and service accounts are new objects each time
        self.authenticated[id(user)] = (user, authenticated)
        return authenticated


def _with_authenticated(groups: tuple[str, ...]) -> tuple[str, ...]:
    return groups if AUTHENTICATED in groups else (*groups, AUTHENTICATED)


def bearer_token(authorization: str) -> str:
    """The token of an `Authorization: Bearer <token>` header ("" for any other scheme or none).

    As upstream: the header is trimmed and split on single spaces; the token is the second part."""
    parts = authorization.strip().split(" ", 2)
    return parts[1] if len(parts) >= 2 and parts[0].lower() == "bearer" else ""


@functools.lru_cache(maxsize=256)
def _decoded(der: bytes) -> x509.Certificate:
    """Decoded once per certificate: the same few clients (a front-proxy, controllers) reconnect all day."""
    return x509.load_der_x509_certificate(der)


def peer_certificate_loader(transport: asyncio.BaseTransport | None) -> Callable[[], x509.Certificate | None]:
    """A `Credentials.load_peer_certificate` for a TLS connection: the client certificate its handshake
    verified, decoded on first use only and once (a closure: most requests authenticate by token first,
    and functools.cache costs more to build than most requests take to route)."""
    loaded: list[x509.Certificate | None] = []

    def load() -> x509.Certificate | None:
        if not loaded:
            ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
            der = ssl_object.getpeercert(binary_form=True) if ssl_object is not None else None
            loaded.append(_decoded(der) if der else None)
        return loaded[0]

    return load
