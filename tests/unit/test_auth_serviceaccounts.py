"""Service-account tokens: the claims issued, and every reason a token proves nobody."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from apimachinery import certs
from shard.auth.authn import CREDENTIAL_ID_EXTRA, Credentials
from shard.auth.serviceaccounts import (
    DEFAULT_ISSUER,
    LEEWAY_SECONDS,
    SERVICE_ACCOUNT_CLUSTER_EXTRA,
    ServiceAccountTokens,
    StoredServiceAccounts,
    TokenIssuer,
    key_id,
)
from shard.registry.context import UserInfo
from shard.storage import errors as storage_errors

NOW = 1_800_000_000.0
KEY = certs.generate_key()
OTHER_KEY = certs.generate_key()
ISSUER = TokenIssuer(KEY, clock=lambda: NOW)


class Accounts:
    """The injected lookup: uids by (cluster, namespace, name), recording each question."""

    def __init__(self, uids: dict[tuple[str, str, str], str]) -> None:
        self.uids = uids
        self.asked: list[tuple[str, str, str]] = []

    async def __call__(self, cluster: str, namespace: str, name: str) -> str | None:
        self.asked.append((cluster, namespace, name))
        return self.uids.get((cluster, namespace, name))


ROBOT = ("c1", "default", "robot")


def _verifier(accounts: Accounts | None = None, *, now: float = NOW, **kwargs: Any) -> ServiceAccountTokens:
    return ServiceAccountTokens(
        kwargs.pop("public_keys", [KEY.public_key()]),
        accounts or Accounts({ROBOT: "uid-1"}),
        clock=lambda: now,
        **kwargs,
    )


def _issue(issuer: TokenIssuer = ISSUER, audiences: tuple[str, ...] = (DEFAULT_ISSUER,), seconds: int = 3600) -> str:
    return issuer.issue(
        cluster="c1", namespace="default", name="robot", uid="uid-1", audiences=audiences, expiration_seconds=seconds
    ).token


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def test_issued_claims_are_upstreams_bound_token_claims_plus_the_cluster() -> None:
    issued = ISSUER.issue(
        cluster="c1", namespace="default", name="robot", uid="uid-1", audiences=["a", "b"], expiration_seconds=600
    )
    claims = _claims(issued.token)
    jti = claims.pop("jti")
    assert len(jti) == 36
    assert claims == {
        "iss": DEFAULT_ISSUER,
        "sub": "system:serviceaccount:default:robot",
        "aud": ["a", "b"],
        "iat": int(NOW),
        "nbf": int(NOW),
        "exp": int(NOW) + 600,
        "kubernetes.io": {
            "namespace": "default",
            "serviceaccount": {"name": "robot", "uid": "uid-1"},
            "clusterName": "c1",
        },
    }
    header = jwt.get_unverified_header(issued.token)
    assert header["alg"] == "ES256" and header["kid"] == key_id(KEY.public_key())
    assert (issued.issued_at, issued.expires_at) == (int(NOW), int(NOW) + 600)
    assert _claims(_issue())["jti"] != jti


def test_key_id_is_upstreams() -> None:
    der = KEY.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    expected = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")
    assert key_id(KEY.public_key()) == expected


@pytest.mark.parametrize(
    ("api_audiences", "issuer", "expected"),
    [((), DEFAULT_ISSUER, (DEFAULT_ISSUER,)), ((), "https://x", ("https://x",)), (("a", "b"), "https://x", ("a", "b"))],
)
def test_default_audiences_are_the_api_audiences_or_the_issuer(
    api_audiences: tuple[str, ...], issuer: str, expected: tuple[str, ...]
) -> None:
    assert TokenIssuer(KEY, issuer, api_audiences).default_audiences == expected


async def test_valid_token_is_the_service_account() -> None:
    accounts = Accounts({ROBOT: "uid-1"})
    token = _issue()
    user = await _verifier(accounts).authenticate(Credentials(token))
    assert user == UserInfo(
        "system:serviceaccount:default:robot",
        ("system:serviceaccounts", "system:serviceaccounts:default"),
        "uid-1",
        {SERVICE_ACCOUNT_CLUSTER_EXTRA: ("c1",), CREDENTIAL_ID_EXTRA: (f"JTI={_claims(token)['jti']}",)},
    )
    assert accounts.asked == [ROBOT]


@pytest.mark.parametrize(
    ("offset", "valid"),
    [
        (3600 + LEEWAY_SECONDS, True),  # expired, but within upstream's leeway
        (3600 + LEEWAY_SECONDS + 1, False),
        (-LEEWAY_SECONDS, True),  # issued "in the future" by a clock a minute ahead
        (-LEEWAY_SECONDS - 1, False),  # not valid yet
    ],
)
async def test_lifetime_is_checked_with_leeway(offset: int, valid: bool) -> None:
    user = await _verifier(now=NOW + offset).authenticate(Credentials(_issue()))
    assert (user is not None) == valid


@pytest.mark.parametrize(
    ("token_audiences", "accepted", "valid"),
    [
        (("a",), ("a",), True),
        (("a", "b"), ("b", "c"), True),  # one shared audience is enough
        (("a",), ("b",), False),
        (("a", "b"), ("c",), False),
    ],
)
async def test_audience_must_intersect(
    token_audiences: tuple[str, ...], accepted: tuple[str, ...], valid: bool
) -> None:
    user = await _verifier(audiences=accepted).authenticate(Credentials(_issue(audiences=token_audiences)))
    assert (user is not None) == valid


async def test_any_configured_key_verifies_and_kid_is_only_a_hint() -> None:
    token = _issue(TokenIssuer(OTHER_KEY, clock=lambda: NOW))
    assert await _verifier(public_keys=[KEY.public_key()]).authenticate(Credentials(token)) is None
    both = _verifier(public_keys=[KEY.public_key(), OTHER_KEY.public_key()])
    assert await both.authenticate(Credentials(token)) is not None
    unhinted = jwt.encode(_claims(token), OTHER_KEY, algorithm="ES256")  # no kid at all
    assert await both.authenticate(Credentials(unhinted)) is not None


async def test_tokens_of_other_issuers_are_not_ours_and_ask_no_lookup() -> None:
    accounts = Accounts({ROBOT: "uid-1"})
    token = _issue(TokenIssuer(KEY, "https://someone-else", clock=lambda: NOW), audiences=(DEFAULT_ISSUER,))
    assert await _verifier(accounts).authenticate(Credentials(token)) is None
    assert await _verifier(accounts, issuers=("https://someone-else",)).authenticate(Credentials(token)) is not None
    assert accounts.asked == [ROBOT]


def _forged(change: dict[str, Any], key: Any = KEY, algorithm: str = "ES256") -> str:
    claims = {**_claims(_issue()), **change}
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm=algorithm)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not-a-jwt",
        "a.b.c",
        "a.b",
        _issue().rsplit(".", 1)[0] + ".AAAA",  # signature replaced
        _forged({"sub": "system:serviceaccount:default:admin"}, key=OTHER_KEY),  # re-signed by a stranger
        _forged({}, key="an-hmac-secret-long-enough-for-hs256", algorithm="HS256"),
        _forged({"sub": "system:serviceaccount:kube-system:robot"}),  # sub and private claim disagree
        _forged({"kubernetes.io": None}),
        _forged({"kubernetes.io": {"namespace": "default", "clusterName": "c1"}}),
        _forged({"kubernetes.io": {"namespace": "default", "serviceaccount": {"name": "robot", "uid": "uid-1"}}}),
        _forged({"kubernetes.io": {"namespace": 7, "serviceaccount": {"name": "r", "uid": "u"}, "clusterName": "c1"}}),
        _forged({"exp": None}),
        _forged({"nbf": None}),
        _forged({"iat": None}),
        _forged({"aud": None}),
        _forged({"exp": "tomorrow"}),
    ],
    ids=lambda token: token[:12] if token else "empty",
)
async def test_invalid_tokens_prove_nobody(token: str) -> None:
    assert await _verifier().authenticate(Credentials(token)) is None


def test_unsigned_token_is_refused() -> None:
    unsigned = jwt.encode(_claims(_issue()), key=None, algorithm="none")
    assert _verifier().verify(unsigned) is None


@pytest.mark.parametrize(
    "uids",
    [{}, {ROBOT: "uid-2"}, {("c2", "default", "robot"): "uid-1"}],
    ids=["deleted", "recreated", "only-in-another-cluster"],
)
async def test_token_is_good_only_while_its_service_account_exists(uids: dict[tuple[str, str, str], str]) -> None:
    accounts = Accounts(uids)
    assert await _verifier(accounts).authenticate(Credentials(_issue())) is None
    assert accounts.asked == [ROBOT]


class FakeStorage:
    """`get` answers from a watch-cache dict and an etcd dict, recording the consistency asked for."""

    def __init__(self, cached: dict[str, Any], stored: dict[str, Any]) -> None:
        self.cached, self.stored = cached, stored
        self.reads: list[bool] = []

    async def get(self, key: str, *, revision: int = 0, consistent: bool = True) -> Any:
        self.reads.append(consistent)
        source = self.stored if consistent else self.cached
        if key not in source:
            raise storage_errors.KeyNotFoundError(key)
        return source[key]


KEY_OF_ROBOT = "/registry/core/serviceaccounts/c1/default/robot"


@pytest.mark.parametrize(
    ("cached", "stored", "uid", "reads"),
    [
        ({KEY_OF_ROBOT: {"metadata": {"uid": "u1"}}}, {}, "u1", [False]),
        ({}, {KEY_OF_ROBOT: {"metadata": {"uid": "u1"}}}, "u1", [False, True]),  # created a moment ago
        ({}, {}, None, [False, True]),
        ({KEY_OF_ROBOT: {"metadata": {}}}, {}, None, [False, True]),
    ],
)
async def test_stored_service_accounts_read_the_cache_then_etcd(
    cached: dict[str, Any], stored: dict[str, Any], uid: str | None, reads: list[bool]
) -> None:
    storage = FakeStorage(cached, stored)
    assert await StoredServiceAccounts(storage)("c1", "default", "robot") == uid  # type: ignore[arg-type]
    assert storage.reads == reads
