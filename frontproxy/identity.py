"""The headers the proxy sends to a shard and back to the client.

Towards a shard: the client's headers minus hop-by-hop ones (RFC 9110 §7.6.1, and any the `Connection`
header names), minus `Host` and `Expect` (this hop's), minus `Authorization` (the proxy authenticated it;
a shard must not see the user's secret) and minus every `X-Remote-*` header the client sent (a client
can never speak as someone else), then the request-header identity of the user the proxy authenticated:
`X-Remote-User`, one `X-Remote-Group` per group, one `X-Remote-Extra-<key>` per extra value with the key
escaped as Go's `url.PathEscape` (the shard unescapes it). `Impersonate-*` headers pass: the shard
authorizes impersonation. Towards the client: the shard's headers minus hop-by-hop ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from multidict import CIMultiDict

from apimachinery.auth.user import UserInfo

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
NOT_FORWARDED = frozenset({"host", "expect", "authorization"})
DROPPED_TOWARDS_SHARDS = HOP_BY_HOP | NOT_FORWARDED
IDENTITY_PREFIX = "x-remote-"
USER_HEADER = "X-Remote-User"
GROUP_HEADER = "X-Remote-Group"
EXTRA_PREFIX = "X-Remote-Extra-"
_PATH_SEGMENT_SAFE = "-_.~$&+:=@"  # what url.PathEscape leaves as it is, besides letters and digits


def escape_extra_key(key: str) -> str:
    """Go's `url.PathEscape`: every byte of the UTF-8 key but unreserved and sub-delimiter characters
    as %XX (so `/` in `authentication.kcp.io/cluster-name` travels as %2F)."""
    return quote(key, safe=_PATH_SEGMENT_SAFE)


def identity_headers(user: UserInfo) -> list[tuple[str, str]]:
    headers = [(USER_HEADER, user.name)]
    headers.extend((GROUP_HEADER, group) for group in user.groups)
    for key, values in user.extra.items():
        headers.extend((EXTRA_PREFIX + escape_extra_key(key), value) for value in values)
    return headers


def request_headers(client_headers: Iterable[tuple[str, str]], user: UserInfo | None) -> CIMultiDict[str]:
    """The headers to send to the shard for a client's request (`user` None: an anonymous request)."""
    return CIMultiDict(request_header_pairs(client_headers, user))


def request_header_pairs(client_headers: Iterable[tuple[str, str]], user: UserInfo | None) -> list[tuple[str, str]]:
    """`request_headers` as the (name, value) pairs they are written in, in order (what the forwarder sends)."""
    pairs = list(client_headers)
    lowered = [name.lower() for name, _ in pairs]
    dropped = _dropped(DROPPED_TOWARDS_SHARDS, pairs, lowered)
    headers = [
        pair
        for pair, low in zip(pairs, lowered, strict=True)
        if low not in dropped and not low.startswith(IDENTITY_PREFIX)
    ]
    if user is not None:
        headers.extend(identity_headers(user))
    return headers


def response_headers(shard_headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The shard's response headers the client gets."""
    pairs = list(shard_headers)
    lowered = [name.lower() for name, _ in pairs]
    dropped = _dropped(HOP_BY_HOP, pairs, lowered)
    return [pair for pair, low in zip(pairs, lowered, strict=True) if low not in dropped]


def _dropped(always: frozenset[str], pairs: list[tuple[str, str]], lowered: list[str]) -> frozenset[str]:
    """`always`, and the headers a `Connection` header declares hop-by-hop (`Connection: close, X-Foo` →
    {close, x-foo}); most requests have no `Connection` header, so `always` is returned as it is."""
    if "connection" not in lowered:
        return always
    return always | frozenset(
        token.strip().lower()
        for (_, value), low in zip(pairs, lowered, strict=True)
        if low == "connection"
        for token in value.split(",")
    )
