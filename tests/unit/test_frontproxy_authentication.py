"""The front-proxy's configuration and authentication: files read at start, every credential source of
the union, the 401 middleware, and service-account public keys from PEM files."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from cryptography.hazmat.primitives import serialization
from multidict import CIMultiDict, CIMultiDictProxy

from apimachinery import certs, errors, pki
from apimachinery.auth.authn import Credentials
from apimachinery.auth.serviceaccounts import public_keys_from_pem
from apimachinery.auth.tokenfile import TokenFileError
from apimachinery.auth.user import UserInfo
from frontproxy.authentication import USER_KEY, authentication_filter, build_authenticator
from frontproxy.options import ConfigError, FrontProxyConfig, FrontProxyOptions
from shard.auth.serviceaccounts import TokenIssuer

AUTHENTICATED = "system:authenticated"


@pytest.fixture
def paths(tmp_path: Path) -> pki.PkiPaths:
    return pki.ensure_pki(tmp_path / "pki", serving_hosts=[])


def _config(paths: pki.PkiPaths, **kwargs: object) -> FrontProxyConfig:
    return FrontProxyConfig.load(FrontProxyOptions(paths.directory, "https://root/", **kwargs))  # type: ignore[arg-type]


class Accounts:
    def __init__(self) -> None:
        self.asked: list[tuple[str, str, str]] = []

    async def __call__(self, cluster: str, namespace: str, name: str) -> str | None:
        self.asked.append((cluster, namespace, name))
        return "uid-1" if name == "robot" else None


async def test_every_source_of_the_union_authenticates(paths: pki.PkiPaths, tmp_path: Path) -> None:
    token_file = tmp_path / "tokens.csv"
    token_file.write_text('t-jane,jane,u1,"devs"\n' + pki.read_token(paths.admin_token) + ",mallory,u2\n")
    accounts = Accounts()
    config = _config(paths, token_auth_files=(token_file,))
    union = build_authenticator(config, service_account_uid=accounts)
    assert config.root_shard_url == "https://root"

    async def who(credentials: Credentials) -> UserInfo | None:
        return await union.authenticate(credentials)

    admin = await who(Credentials(pki.read_token(paths.admin_token)))
    assert admin == UserInfo("kplane-admin", ("system:masters", AUTHENTICATED))  # the admin token wins
    assert await who(Credentials("t-jane")) == UserInfo("jane", ("devs", AUTHENTICATED), "u1")
    signer = TokenIssuer(certs.key_from_pem(paths.service_account_key.read_bytes()))
    for name, expected in (("robot", "system:serviceaccount:default:robot"), ("gone", None)):
        token = signer.issue(
            cluster="c1",
            namespace="default",
            name=name,
            uid="uid-1",
            audiences=["https://kplane.default.svc"],
            expiration_seconds=600,
        ).token
        user = await who(Credentials(token))
        assert (user.name if user else None) == expected
    assert accounts.asked == [("c1", "default", "robot"), ("c1", "default", "gone")]
    client_ca = certs.load_cert_key(paths.ca_cert, paths.ca_key)
    cert = certs.issue_client_cert(client_ca, user="bob", groups=["qa"]).cert
    bob = await who(Credentials("", lambda: cert))
    assert bob is not None and (bob.name, bob.groups) == ("bob", ("qa", AUTHENTICATED))
    front_proxy = certs.load_cert_key(paths.front_proxy_client_cert, paths.front_proxy_client_key).cert
    spoofed = Credentials("", lambda: front_proxy, headers=_headers(("X-Remote-User", "kplane-admin")))
    assert await who(spoofed) is None  # identity headers are never believed by the proxy
    assert await who(Credentials("nope")) is None


def _headers(*pairs: tuple[str, str]) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(pairs))


async def test_service_account_keys_come_from_the_named_files(paths: pki.PkiPaths, tmp_path: Path) -> None:
    other = certs.generate_key()
    public = tmp_path / "other.pub"
    public.write_bytes(
        other.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    config = _config(paths, service_account_key_files=(public,))
    union = build_authenticator(config, service_account_uid=Accounts())
    own = TokenIssuer(certs.key_from_pem(paths.service_account_key.read_bytes()))
    theirs = TokenIssuer(other)
    issue = {
        "cluster": "c1",
        "namespace": "default",
        "name": "robot",
        "uid": "uid-1",
        "audiences": ["https://kplane.default.svc"],
        "expiration_seconds": 600,
    }
    assert await union.authenticate(Credentials(theirs.issue(**issue).token)) is not None  # type: ignore[arg-type]
    assert await union.authenticate(Credentials(own.issue(**issue).token)) is None  # type: ignore[arg-type]


def test_public_keys_are_read_from_public_and_private_pem_blocks() -> None:
    first, second = certs.generate_key(), certs.generate_key()
    bundle = (
        certs.cert_to_pem(certs.create_ca("x").cert)
        + certs.key_to_pem(first)
        + second.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    keys = public_keys_from_pem(bundle)
    assert [key.public_numbers() for key in keys] == [
        first.public_key().public_numbers(),
        second.public_key().public_numbers(),
    ]
    with pytest.raises(ValueError, match="no EC public or private key"):
        public_keys_from_pem(certs.cert_to_pem(certs.create_ca("x").cert))


def test_unusable_files_fail_the_start_with_their_name(paths: pki.PkiPaths, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="missing.pem"):
        _config(paths, service_account_key_files=(tmp_path / "missing.pem",))
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key")
    with pytest.raises(ConfigError, match="failed to parse key file .*garbage.pem"):
        _config(paths, service_account_key_files=(garbage,))
    bad_tokens = tmp_path / "tokens.csv"
    bad_tokens.write_text("only,two\n")
    with pytest.raises(TokenFileError, match="tokens.csv.*line 1"):
        _config(paths, token_auth_files=(bad_tokens,))
    paths.ca_cert.unlink()
    with pytest.raises(ConfigError, match="ca.crt cannot be read"):
        _config(paths)


async def _through_filter(paths: pki.PkiPaths, path: str, token: str = "") -> tuple[int, UserInfo | None]:
    union = build_authenticator(_config(paths), service_account_uid=Accounts())
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = make_mocked_request("GET", path, headers=headers)
    seen: list[UserInfo | None] = []

    async def handler(req: web.Request) -> web.StreamResponse:
        seen.append(req.get(USER_KEY))
        return web.Response(text="ok")

    try:
        response = await authentication_filter(union)(request, handler)
    except errors.StatusError as err:
        assert err.to_status()["reason"] == "Unauthorized" and err.message == "Unauthorized"
        return err.code, None
    return response.status, seen[0]


@pytest.mark.parametrize(
    ("path", "token", "code"),
    [
        ("/clusters/root/api", "", 401),
        ("/metrics", "", 401),
        ("/healthz", "", 200),
        ("/readyz", "", 200),
        ("/version", "", 200),
        ("/healthz", "bad-token", 401),  # a token that proves nobody is never anonymous
        ("/clusters/root/healthz", "", 401),
    ],
)
async def test_only_health_and_version_answer_without_credentials(
    paths: pki.PkiPaths, path: str, token: str, code: int
) -> None:
    status, user = await _through_filter(paths, path, token)
    assert status == code and user is None


async def test_the_authenticated_user_is_handed_to_the_handler(paths: pki.PkiPaths) -> None:
    status, user = await _through_filter(paths, "/clusters/root/api", pki.read_token(paths.admin_token))
    assert status == 200 and user is not None and user.name == "kplane-admin"
