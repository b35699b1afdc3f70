"""Request-header authentication: trusted only from the front-proxy's certificate, ignored otherwise."""

from __future__ import annotations

import pytest
from cryptography import x509
from multidict import CIMultiDict, CIMultiDictProxy

from apimachinery import certs
from shard.auth.authn import Credentials
from shard.auth.requestheader import RequestHeaders, extra_from_headers, unescape_extra_key
from shard.registry.context import UserInfo

CLIENT_CA = certs.create_ca("kplane-ca")
FRONT_PROXY_CA = certs.create_ca("kplane-front-proxy-client-ca")
FRONT_PROXY = certs.issue_client_cert(FRONT_PROXY_CA, user="kplane-front-proxy").cert
AUTHENTICATOR = RequestHeaders(FRONT_PROXY_CA.cert.subject)


def _credentials(cert: x509.Certificate | None, *headers: tuple[str, str], token: str = "") -> Credentials:
    return Credentials(token, lambda: cert, CIMultiDictProxy(CIMultiDict(headers)))


async def test_front_proxy_speaks_for_the_user() -> None:
    credentials = _credentials(
        FRONT_PROXY,
        ("X-Remote-User", "jane"),
        ("X-Remote-Group", "devs"),
        ("x-remote-group", ""),  # empty values are skipped
        ("X-Remote-Group", "ops"),
        ("X-Remote-Extra-Authentication.kcp.io%2fScopes", "cluster:a"),
        ("x-remote-extra-authentication.kcp.io%2fscopes", "cluster:b"),
        ("X-Remote-Extra-Reason", ""),
    )
    assert await AUTHENTICATOR.authenticate(credentials) == UserInfo(
        "jane",
        ("devs", "ops"),
        extra={"authentication.kcp.io/scopes": ("cluster:a", "cluster:b"), "reason": ("",)},
    )


@pytest.mark.parametrize(
    "cert",
    [
        None,
        certs.issue_client_cert(CLIENT_CA, user="kplane-front-proxy").cert,  # right name, wrong CA
        certs.issue_client_cert(CLIENT_CA, user="kplane-admin", groups=["system:masters"]).cert,
        certs.issue_client_cert(FRONT_PROXY_CA, user="mallory").cert,  # right CA, name not allowed
    ],
    ids=["no-certificate", "client-ca-front-proxy-name", "admin-certificate", "front-proxy-ca-other-name"],
)
async def test_headers_from_anyone_else_are_ignored(cert: x509.Certificate | None) -> None:
    credentials = _credentials(cert, ("X-Remote-User", "kplane-admin"), ("X-Remote-Group", "system:masters"))
    assert await AUTHENTICATOR.authenticate(credentials) is None


async def test_front_proxy_certificate_without_user_proves_nobody() -> None:
    assert await AUTHENTICATOR.authenticate(_credentials(FRONT_PROXY, ("X-Remote-Group", "system:masters"))) is None
    assert await AUTHENTICATOR.authenticate(_credentials(FRONT_PROXY, ("X-Remote-User", ""))) is None


@pytest.mark.parametrize(
    ("allowed", "trusted"),
    [(("kplane-front-proxy",), True), (("other", "kplane-front-proxy"), True), (("other",), False), ((), True)],
)
async def test_allowed_names(allowed: tuple[str, ...], trusted: bool) -> None:
    authenticator = RequestHeaders(FRONT_PROXY_CA.cert.subject, allowed)
    user = await authenticator.authenticate(_credentials(FRONT_PROXY, ("X-Remote-User", "jane")))
    assert (user is not None) == trusted


async def test_first_user_header_value_wins() -> None:
    user = await AUTHENTICATOR.authenticate(_credentials(FRONT_PROXY, ("X-Remote-User", "a"), ("X-Remote-User", "b")))
    assert user is not None and user.name == "a"


@pytest.mark.parametrize(
    ("encoded", "key"),
    [
        ("scopes", "scopes"),
        ("authentication.kcp.io%2fscopes", "authentication.kcp.io/scopes"),
        ("a%20b", "a b"),
        ("a%2", "a%2"),  # malformed: kept as sent
        ("a%2fb%zz", "a%2fb%zz"),  # one malformed escape keeps the whole key as sent, as Go's PathUnescape
        ("%ff", "%ff"),  # not UTF-8
        ("%c3%a9", "é"),
    ],
)
def test_unescape_extra_key(encoded: str, key: str) -> None:
    assert unescape_extra_key(encoded) == key


def test_extra_prefixes_are_matched_case_insensitively_in_order() -> None:
    items = [("X-Remote-Extra-A", "1"), ("Other", "x"), ("x-remote-extra-a", "2"), ("X-Extra-B", "3")]
    assert extra_from_headers(items, ("X-Remote-Extra-", "X-Extra-")) == {"a": ("1", "2"), "b": ("3",)}
