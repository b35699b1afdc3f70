"""Request-header authentication: the front-proxy speaks for the user it authenticated.

Trusted only when the connection presents a client certificate issued by the front-proxy CA whose common
name is one of the allowed names (upstream's `--requestheader-client-ca-file` and
`--requestheader-allowed-names`; an empty list allows any name). Then the user is `X-Remote-User`, the
groups every non-empty `X-Remote-Group` value, and the extra every `X-Remote-Extra-<key>` header (the key
lower-cased, then %-unescaped, as upstream). From any other connection these headers mean nothing: the
request is authenticated by its other credentials or not at all. A front-proxy certificate without
`X-Remote-User` proves nobody (it is not a user itself).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote

from cryptography import x509
from multidict import MultiMapping

from apimachinery.certs import facts_of
from shard.auth.authn import Credentials
from shard.registry.context import UserInfo

DEFAULT_ALLOWED_NAMES = ("kplane-front-proxy",)
USERNAME_HEADERS = ("X-Remote-User",)
GROUP_HEADERS = ("X-Remote-Group",)
EXTRA_PREFIXES = ("X-Remote-Extra-",)
_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class RequestHeaders:
    """The request-header authenticator of a shard."""

    front_proxy_ca_subject: x509.Name
    allowed_names: tuple[str, ...] = DEFAULT_ALLOWED_NAMES
    username_headers: tuple[str, ...] = USERNAME_HEADERS
    group_headers: tuple[str, ...] = GROUP_HEADERS
    extra_prefixes: tuple[str, ...] = EXTRA_PREFIXES
    front_proxy_ca_subject_der: bytes = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "front_proxy_ca_subject_der", self.front_proxy_ca_subject.public_bytes())

    async def authenticate(self, credentials: Credentials) -> UserInfo | None:
        if not self.trusts(credentials.peer_certificate):
            return None
        headers = credentials.headers
        name = _first_value(headers, self.username_headers)
        if not name:
            return None
        groups = tuple(value for header in self.group_headers for value in headers.getall(header, ()) if value)
        return UserInfo(name, groups, extra=extra_from_headers(headers.items(), self.extra_prefixes))

    def trusts(self, cert: x509.Certificate | None) -> bool:
        """Whether this peer certificate is the front-proxy's: issued by its CA, with an allowed name."""
        if cert is None:
            return False
        facts = facts_of(cert)
        if facts.issuer != self.front_proxy_ca_subject_der:
            return False
        return not self.allowed_names or facts.common_name in self.allowed_names


def _first_value(headers: MultiMapping[str], names: Iterable[str]) -> str:
    """The first non-empty value of the first header that has one (upstream reads the first value only)."""
    for header in names:
        value = headers.get(header, "")
        if value:
            return value
    return ""


def extra_from_headers(items: Iterable[tuple[str, str]], prefixes: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """`<prefix><key>: value` headers → {key: values}, in header order, prefixes matched case-insensitively;
    every value is kept, an empty one too (upstream keeps them)."""
    pairs = list(items)
    extra: dict[str, list[str]] = {}
    for prefix in prefixes:
        lowered = prefix.lower()
        for header, value in pairs:
            if header.lower().startswith(lowered):
                extra.setdefault(unescape_extra_key(header[len(prefix) :].lower()), []).append(value)
    return {key: tuple(values) for key, values in extra.items()}


def unescape_extra_key(encoded: str) -> str:
    """%-decoding of an extra key as Go's `url.PathUnescape`; a malformed escape keeps the key as sent."""
    if "%" not in encoded or _ESCAPE.search(encoded):
        return encoded
    try:
        return unquote(encoded, errors="strict")
    except UnicodeDecodeError:  # bytes that are no UTF-8 text: kept as sent rather than guessed
        return encoded
