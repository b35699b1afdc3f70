"""Who is calling: a union of authenticators, the first that recognises the credentials wins.

This issue's set: static bearer tokens (the admin token) and client certificates verified by the TLS layer
against the client CA (CN = user, O = groups). Request-header, service-account and token-file
authenticators plug into the same union later.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from shard.registry.context import UserInfo

AUTHENTICATED = "system:authenticated"


@dataclass(frozen=True)
class Credentials:
    """What a request presents: the Authorization header's bearer token and the verified peer certificate.

    The certificate is read only when an authenticator asks for it (`load_peer_certificate`): most
    requests carry a token, and decoding the peer certificate costs more than checking one."""

    bearer_token: str = ""
    load_peer_certificate: Callable[[], dict[str, Any] | None] = lambda: None

    @property
    def peer_certificate(self) -> dict[str, Any] | None:
        return self.load_peer_certificate()


class Authenticator(Protocol):
    def authenticate(self, credentials: Credentials) -> UserInfo | None: ...


@dataclass(frozen=True)
class StaticTokens:
    """Tokens known at start-up, each mapped to a user."""

    users_by_token: dict[str, UserInfo] = field(default_factory=dict)

    def authenticate(self, credentials: Credentials) -> UserInfo | None:
        token = credentials.bearer_token
        if not token:
            return None
        for known, user in self.users_by_token.items():
            if hmac.compare_digest(known.encode(), token.encode()):
                return user
        return None


@dataclass(frozen=True)
class ClientCertificates:
    """A certificate the TLS layer verified against the client CA: CN is the user, each O a group."""

    def authenticate(self, credentials: Credentials) -> UserInfo | None:
        cert = credentials.peer_certificate
        if not cert:
            return None
        common_names = [v for rdn in cert.get("subject", ()) for (k, v) in rdn if k == "commonName"]
        groups = tuple(v for rdn in cert.get("subject", ()) for (k, v) in rdn if k == "organizationName")
        if not common_names:
            return None
        return UserInfo(common_names[0], groups)


@dataclass(frozen=True)
class Union:
    authenticators: Sequence[Authenticator]

    def authenticate(self, credentials: Credentials) -> UserInfo | None:
        for authenticator in self.authenticators:
            user = authenticator.authenticate(credentials)
            if user is not None:
                return UserInfo(user.name, _with_authenticated(user.groups), user.uid, user.extra)
        return None


def _with_authenticated(groups: tuple[str, ...]) -> tuple[str, ...]:
    return groups if AUTHENTICATED in groups else (*groups, AUTHENTICATED)


def bearer_token(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""
