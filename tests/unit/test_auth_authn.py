"""The authenticator union and its simple members: static tokens, client certificates, the bearer header."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID

from apimachinery import certs
from shard.auth.authn import (
    CREDENTIAL_ID_EXTRA,
    ClientCertificates,
    Credentials,
    StaticTokens,
    Union,
    bearer_token,
    token_digest,
)
from shard.registry.context import UserInfo

JANE = UserInfo("jane", ("devs",), "u-1")
BOB = UserInfo("bob")
CLIENT_CA = certs.create_ca("kplane-ca")
FRONT_PROXY_CA = certs.create_ca("kplane-front-proxy-client-ca")


def _with_cert(cert: x509.Certificate | None, token: str = "") -> Credentials:
    return Credentials(token, lambda: cert)


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc", "abc"),
        ("bearer abc", "abc"),
        ("BEARER abc", "abc"),
        ("  Bearer abc  ", "abc"),
        ("Bearer abc def", "abc"),  # upstream: the second space-separated part
        ("Bearer  abc", ""),  # two spaces: an empty second part, as upstream
        ("Basic abc", ""),
        ("Bearer", ""),
        ("", ""),
    ],
)
def test_bearer_token(header: str, token: str) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    ("token", "user"),
    [("t-jane", JANE), ("t-bob", BOB), ("t-unknown", None), ("", None), ("t-jan", None), ("t-janee", None)],
)
async def test_static_tokens(token: str, user: UserInfo | None) -> None:
    tokens = StaticTokens.of([("t-jane", JANE), ("t-bob", BOB)])
    assert await tokens.authenticate(Credentials(token)) == user


async def test_static_tokens_later_duplicate_wins_and_merge_prefers_the_other() -> None:
    tokens = StaticTokens.of([("t", JANE), ("t", BOB)])
    assert await tokens.authenticate(Credentials("t")) == BOB
    merged = tokens.merged(StaticTokens.of([("t", JANE), ("u", BOB)]))
    assert await merged.authenticate(Credentials("t")) == JANE
    assert await merged.authenticate(Credentials("u")) == BOB


async def test_static_tokens_store_digests_and_check_the_token_itself() -> None:
    tokens = StaticTokens.of([("secret", JANE)])
    assert set(tokens.entries) == {token_digest("secret")}
    # A digest collision cannot happen in practice; the stored token is still compared before a match.
    forged = StaticTokens({token_digest("other"): ("secret", JANE)})
    assert await forged.authenticate(Credentials("other")) is None


async def test_client_certificate_of_the_client_ca_is_its_cn_and_groups() -> None:
    pair = certs.issue_client_cert(CLIENT_CA, user="alice", groups=["team-a", "team-b"])
    user = await ClientCertificates(CLIENT_CA.cert.subject).authenticate(_with_cert(pair.cert))
    fingerprint = pair.cert.fingerprint(hashes.SHA256()).hex()
    assert user == UserInfo("alice", ("team-a", "team-b"), extra={CREDENTIAL_ID_EXTRA: (f"X509SHA256={fingerprint}",)})


@pytest.mark.parametrize(
    "cert",
    [
        None,
        certs.issue_client_cert(FRONT_PROXY_CA, user="kplane-front-proxy").cert,
        certs.issue_client_cert(FRONT_PROXY_CA, user="mallory", groups=["system:masters"]).cert,
    ],
    ids=["no-certificate", "front-proxy-itself", "user-from-the-front-proxy-ca"],
)
async def test_client_certificates_of_other_issuers_prove_nobody(cert: x509.Certificate | None) -> None:
    assert await ClientCertificates(CLIENT_CA.cert.subject).authenticate(_with_cert(cert)) is None


async def test_client_certificate_without_common_name_proves_nobody() -> None:
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "system:masters")])
    key = certs.generate_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(CLIENT_CA.cert.subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(CLIENT_CA.cert.not_valid_before_utc)
        .not_valid_after(CLIENT_CA.cert.not_valid_after_utc)
        .sign(CLIENT_CA.key, hashes.SHA256())
    )
    assert await ClientCertificates(CLIENT_CA.cert.subject).authenticate(_with_cert(cert)) is None


def test_common_name_is_the_last_one_as_go_reads_it() -> None:
    key = certs.generate_key()
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, "first"), x509.NameAttribute(NameOID.COMMON_NAME, "last")]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(CLIENT_CA.cert.not_valid_before_utc)
        .not_valid_after(CLIENT_CA.cert.not_valid_after_utc)
        .sign(key, hashes.SHA256())
    )
    assert certs.common_name(cert) == "last"
    assert certs.organizations(cert) == ()


@dataclass
class Recording:
    """An authenticator answering a fixed user and recording that it was asked."""

    user: UserInfo | None
    asked: int = 0

    async def authenticate(self, credentials: Credentials) -> UserInfo | None:
        self.asked += 1
        return self.user


@pytest.mark.parametrize(
    ("users", "expected", "asked"),
    [
        ([JANE, BOB], UserInfo("jane", ("devs", "system:authenticated"), "u-1"), [1, 0]),
        ([None, BOB], UserInfo("bob", ("system:authenticated",)), [1, 1]),
        ([UserInfo("x", ("system:authenticated", "g"))], UserInfo("x", ("system:authenticated", "g")), [1]),
        ([None, None], None, [1, 1]),
        ([], None, []),
    ],
)
async def test_union_first_match_is_authenticated(
    users: list[UserInfo | None], expected: UserInfo | None, asked: list[int]
) -> None:
    members = [Recording(user) for user in users]
    assert await Union(members).authenticate(Credentials("t")) == expected
    assert [member.asked for member in members] == asked


async def test_peer_certificate_is_loaded_only_when_asked() -> None:
    calls: list[int] = []

    def load() -> x509.Certificate | None:
        calls.append(1)
        return None

    credentials = Credentials("t", load)
    assert await StaticTokens.of([("t", JANE)]).authenticate(credentials) == JANE
    assert calls == []
    assert credentials.peer_certificate is None and calls == [1]


async def test_union_builds_the_authenticated_user_of_a_static_token_once() -> None:
    union = Union([StaticTokens.of([("t", JANE), ("u", BOB)])])
    first, again = await union.authenticate(Credentials("t")), await union.authenticate(Credentials("t"))
    assert first == UserInfo("jane", ("devs", "system:authenticated"), "u-1") and again is first
    assert await union.authenticate(Credentials("u")) == UserInfo("bob", ("system:authenticated",))
    assert await union.authenticate(Credentials("v")) is None


async def test_union_remembers_a_bounded_number_of_users() -> None:
    users = [UserInfo(f"user-{index}") for index in range(300)]
    member = Recording(None)
    union = Union([member])
    for user in users:
        member.user = user
        assert await union.authenticate(Credentials("t")) == UserInfo(user.name, ("system:authenticated",))
    assert len(union.authenticated) <= 256
