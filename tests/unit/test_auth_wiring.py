"""A shard's authentication as built from its options, the authentication middleware, and `kplane start`'s
token file with its tenant kubeconfig."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from cryptography.hazmat.primitives import serialization
from kplane.users import TENANT_KUBECONFIG_NAME, ensure_token_file, write_tenant_kubeconfig

from apimachinery import certs, errors, pki
from shard.auth.authn import Credentials
from shard.auth.tokenfile import read_token_file
from shard.auth.wiring import build_authentication
from shard.config import ShardOptions
from shard.endpoints.filters import authentication_filter
from shard.endpoints.router import USER_KEY
from shard.registry.context import UserInfo

ADMIN = UserInfo("kplane-admin", ("system:masters",))


@pytest.fixture
def paths(tmp_path: Path) -> pki.PkiPaths:
    return pki.ensure_pki(tmp_path / "pki", serving_hosts=[])


async def _no_accounts(cluster: str, namespace: str, name: str) -> str | None:
    return "uid-1" if name == "robot" else None


def _options(paths: pki.PkiPaths, **kwargs: Any) -> ShardOptions:
    return ShardOptions(root_dir=paths.directory.parent, pki=paths, **kwargs)


def _cert_pair(paths: pki.PkiPaths, which: str) -> certs.CertKeyPair:
    if which == "client":
        return certs.load_cert_key(paths.ca_cert, paths.ca_key)
    return certs.load_cert_key(paths.front_proxy_client_ca_cert, paths.front_proxy_client_ca_key)


async def test_every_source_authenticates_in_the_union(paths: pki.PkiPaths, tmp_path: Path) -> None:
    token_file = tmp_path / "tokens.csv"
    token_file.write_text('t-jane,jane,u1,"devs"\n' + pki.read_token(paths.admin_token) + ",mallory,u2\n")
    options = _options(paths, token_auth_file=token_file, extra_tokens={"t-bob": ("bob", ("qa",))})
    authentication = build_authentication(options, admin=ADMIN, service_account_uid=_no_accounts)
    union = authentication.authenticator

    async def who(credentials: Credentials) -> str | None:
        user = await union.authenticate(credentials)
        return user.name if user else None

    sa_token = authentication.token_issuer.issue(
        cluster="c1",
        namespace="default",
        name="robot",
        uid="uid-1",
        audiences=["https://kplane.default.svc"],
        expiration_seconds=600,
    ).token
    user_cert = certs.issue_client_cert(_cert_pair(paths, "client"), user="alice").cert
    front_proxy = certs.cert_from_pem(paths.front_proxy_client_cert.read_bytes())
    headers = _headers(("X-Remote-User", "carol"))
    assert await who(Credentials("t-jane")) == "jane"
    assert await who(Credentials("t-bob")) == "bob"
    assert await who(Credentials(pki.read_token(paths.admin_token))) == "kplane-admin"  # the file cannot shadow it
    assert await who(Credentials(sa_token)) == "system:serviceaccount:default:robot"
    assert await who(Credentials("", lambda: user_cert)) == "alice"
    assert await who(Credentials("", lambda: front_proxy, headers)) == "carol"
    assert await who(Credentials("t-jane", lambda: front_proxy, headers)) == "jane"  # tokens come first
    assert await who(Credentials("", lambda: user_cert, headers)) == "alice"  # headers need the front-proxy
    assert await who(Credentials("nope")) is None
    assert authentication.client_cas == (paths.ca_cert, paths.front_proxy_client_ca_cert)
    assert authentication.token_issuer.default_audiences == ("https://kplane.default.svc",)


async def test_options_choose_issuer_audiences_key_and_allowed_names(paths: pki.PkiPaths, tmp_path: Path) -> None:
    key_file = tmp_path / "sa.key"
    key = certs.generate_key()
    key_file.write_bytes(certs.key_to_pem(key))
    options = _options(
        paths,
        service_account_key_file=key_file,
        service_account_issuer="https://issuer.example",
        api_audiences=("api",),
        requestheader_allowed_names=("other-proxy",),
    )
    authentication = build_authentication(options, admin=ADMIN, service_account_uid=_no_accounts)
    issuer = authentication.token_issuer
    assert (issuer.issuer, issuer.default_audiences) == ("https://issuer.example", ("api",))
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    assert issuer.signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, public
    ) == key.public_key().public_bytes(serialization.Encoding.PEM, public)
    front_proxy = certs.cert_from_pem(paths.front_proxy_client_cert.read_bytes())
    credentials = Credentials("", lambda: front_proxy, _headers(("X-Remote-User", "carol")))
    assert await authentication.authenticator.authenticate(credentials) is None  # kplane-front-proxy not allowed


def test_a_lookup_or_storage_is_required(paths: pki.PkiPaths) -> None:
    with pytest.raises(ValueError, match="lookup or the storage"):
        build_authentication(_options(paths), admin=ADMIN)


def _headers(*pairs: tuple[str, str]) -> Any:
    from multidict import CIMultiDict, CIMultiDictProxy

    return CIMultiDictProxy(CIMultiDict(pairs))


# --- the middleware ------------------------------------------------------------------------------


class Fixed:
    def __init__(self, users: dict[str, UserInfo]) -> None:
        self.users = users
        self.seen: list[Credentials] = []

    async def authenticate(self, credentials: Credentials) -> UserInfo | None:
        self.seen.append(credentials)
        cert = credentials.peer_certificate
        if cert is not None:
            return UserInfo(certs.common_name(cert))
        return self.users.get(credentials.bearer_token)


async def _serve(path: str, headers: dict[str, str], transport: Any = None) -> tuple[int, UserInfo | None]:
    authenticator = Fixed({"good": UserInfo("jane")})
    middleware = authentication_filter(authenticator)
    extra = {"transport": transport} if transport is not None else {}
    request = make_mocked_request("GET", path, headers=headers, **extra)

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text="ok")

    try:
        response = await middleware(request, handler)
    except errors.StatusError as err:
        return err.code, None
    return response.status, request.get(USER_KEY)


@pytest.mark.parametrize(
    ("path", "authorization", "code", "user"),
    [
        ("/clusters/root/api/v1/namespaces", "", 401, None),
        ("/clusters/root/api/v1/namespaces", "Bearer good", 200, "jane"),
        ("/clusters/root/api/v1/namespaces", "Bearer bad", 401, None),
        ("/healthz", "", 200, None),
        ("/clusters/root/readyz", "", 200, None),
        ("/healthz", "Bearer bad", 401, None),  # a bad token is never anonymous
        ("/version", "Basic abc", 200, None),
    ],
)
async def test_middleware(path: str, authorization: str, code: int, user: str | None) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    status, seen = await _serve(path, headers)
    assert (status, seen.name if seen else None) == (code, user)


async def test_middleware_decodes_the_peer_certificate_once(paths: pki.PkiPaths) -> None:
    der = certs.load_cert_key(paths.admin_cert, paths.admin_key).cert.public_bytes(serialization.Encoding.DER)
    ssl_object = mock.Mock()
    ssl_object.getpeercert.return_value = der
    transport = mock.Mock()
    transport.get_extra_info.side_effect = lambda name, default=None: ssl_object if name == "ssl_object" else default
    status, user = await _serve("/clusters/root/api", {}, transport)
    assert (status, user) == (200, UserInfo("kplane-admin"))
    ssl_object.getpeercert.assert_called_once_with(binary_form=True)


# --- kplane start's token file --------------------------------------------------------------------


def test_token_file_is_created_once_with_the_tenant(tmp_path: Path) -> None:
    path = ensure_token_file(tmp_path)
    [record] = read_token_file(path)
    assert (record.user.name, record.user.groups, len(record.token)) == ("tenant", ("tenants",), 43)
    assert record.user.uid
    path.write_text(path.read_text() + "t2,bob,u2\n")
    assert ensure_token_file(tmp_path) == path
    assert [r.user.name for r in read_token_file(path)] == ["tenant", "bob"]


def test_tenant_kubeconfig_holds_the_tenants_token(tmp_path: Path, paths: pki.PkiPaths) -> None:
    token_file = ensure_token_file(tmp_path)
    written = write_tenant_kubeconfig(
        tmp_path, token_file, server_url="https://127.0.0.1:1/clusters/root", ca_pem=paths.ca_cert.read_bytes()
    )
    assert written == tmp_path / TENANT_KUBECONFIG_NAME
    config = yaml.safe_load(written.read_text())
    assert config["users"] == [{"name": "tenant", "user": {"token": read_token_file(token_file)[0].token}}]
    assert config["clusters"][0]["cluster"]["server"] == "https://127.0.0.1:1/clusters/root"
    token_file.write_text("t2,bob,u2\n")
    written.unlink()
    assert write_tenant_kubeconfig(tmp_path, token_file, server_url="x", ca_pem=b"") is None
    assert not written.exists()
