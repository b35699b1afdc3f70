"""The headers the front-proxy sends to shards: client identity headers never pass, the proxy's own
identity headers round-trip through the shard's request-header authenticator, hop-by-hop headers stay."""

from __future__ import annotations

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from apimachinery import certs
from apimachinery.auth.authn import Credentials
from apimachinery.auth.user import UserInfo
from frontproxy.identity import (
    escape_extra_key,
    identity_headers,
    request_header_pairs,
    request_headers,
    response_headers,
)
from shard.auth.requestheader import RequestHeaders

JANE = UserInfo("jane", ("devs", "system:authenticated"), "u-1", {"authentication.kcp.io/scopes": ("cluster:a",)})


def test_client_identity_headers_are_dropped_and_the_users_set() -> None:
    client = [
        ("X-Remote-User", "kplane-admin"),
        ("x-remote-group", "system:masters"),
        ("X-REMOTE-EXTRA-scopes", "x"),
        ("X-Remote-Uid", "0"),
        ("Authorization", "Bearer secret"),
        ("Accept", "application/json"),
    ]
    headers = request_headers(client, JANE)
    assert headers.getall("X-Remote-User") == ["jane"]
    assert headers.getall("X-Remote-Group") == ["devs", "system:authenticated"]
    assert headers.getall("X-Remote-Extra-authentication.kcp.io%2Fscopes") == ["cluster:a"]
    assert "X-Remote-Uid" not in headers and "X-Remote-Extra-scopes" not in headers
    assert "Authorization" not in headers
    assert headers["Accept"] == "application/json"


def test_an_anonymous_request_carries_no_identity_at_all() -> None:
    headers = request_headers([("X-Remote-User", "kplane-admin"), ("User-Agent", "curl")], None)
    assert list(headers.items()) == [("User-Agent", "curl")]


def test_impersonation_and_repeated_headers_pass_in_order() -> None:
    client = [("Impersonate-User", "bob"), ("Impersonate-Group", "a"), ("Impersonate-Group", "b")]
    headers = request_headers(client, JANE)
    assert headers.getall("Impersonate-Group") == ["a", "b"]
    assert headers["Impersonate-User"] == "bob"


def test_the_forwarded_pairs_are_the_headers_in_the_order_they_are_written() -> None:
    client = [("Accept", "a"), ("Authorization", "Bearer x"), ("X-A", "1"), ("x-a", "2"), ("X-Remote-User", "m")]
    pairs = request_header_pairs(client, UserInfo("jane", ("g",)))
    assert pairs == [("Accept", "a"), ("X-A", "1"), ("x-a", "2"), ("X-Remote-User", "jane"), ("X-Remote-Group", "g")]
    assert list(request_headers(client, UserInfo("jane", ("g",))).items()) == pairs


def test_hop_by_hop_and_this_hops_headers_are_not_forwarded() -> None:
    client = [
        ("Host", "proxy:6443"),
        ("Connection", "keep-alive, X-Private"),
        ("X-Private", "1"),
        ("Keep-Alive", "timeout=5"),
        ("Transfer-Encoding", "chunked"),
        ("TE", "trailers"),
        ("Upgrade", "h2c"),
        ("Expect", "100-continue"),
        ("Proxy-Authorization", "Basic x"),
        ("Content-Length", "12"),
        ("Content-Type", "application/json"),
    ]
    assert sorted(request_headers(client, None).keys()) == ["Content-Length", "Content-Type"]


def test_response_headers_keep_everything_but_hop_by_hop() -> None:
    shard = [
        ("Content-Type", "application/json"),
        ("Connection", "close"),
        ("Transfer-Encoding", "chunked"),
        ("Warning", '299 - "a"'),
        ("Warning", '299 - "b"'),
        ("Audit-Id", "x"),
    ]
    assert response_headers(shard) == [
        ("Content-Type", "application/json"),
        ("Warning", '299 - "a"'),
        ("Warning", '299 - "b"'),
        ("Audit-Id", "x"),
    ]


@pytest.mark.parametrize(
    ("key", "escaped"),
    [
        ("authentication.kcp.io/cluster-name", "authentication.kcp.io%2Fcluster-name"),
        ("a b", "a%20b"),
        ("semi;comma,q?", "semi%3Bcomma%2Cq%3F"),
        ("keep$&+:=@-_.~", "keep$&+:=@-_.~"),
        ("ümlaut", "%C3%BCmlaut"),
        ("100%", "100%25"),
    ],
)
def test_extra_keys_are_escaped_as_gos_path_escape(key: str, escaped: str) -> None:
    assert escape_extra_key(key) == escaped


async def test_identity_round_trips_through_the_shards_request_header_authenticator() -> None:
    front_proxy_ca = certs.create_ca("kplane-front-proxy-client-ca")
    front_proxy = certs.issue_client_cert(front_proxy_ca, user="kplane-front-proxy").cert
    user = UserInfo("jane", ("devs",), extra={"authentication.kcp.io/cluster-name": ("c1",), "a b": ("1", "2")})
    headers = CIMultiDictProxy(CIMultiDict(identity_headers(user)))
    seen = await RequestHeaders(front_proxy_ca.cert.subject).authenticate(Credentials("", lambda: front_proxy, headers))
    assert seen == UserInfo("jane", ("devs",), extra=user.extra)
