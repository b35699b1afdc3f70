"""Every source of identity a shard accepts, and the ones it must refuse: the token file's user, a bad token,
`X-Remote-*` headers with and without the front-proxy's certificate, a user certificate of the front-proxy
CA, and a service-account token from `kubectl create token`."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from apimachinery.pki import cert_to_pem, issue_client_cert, key_to_pem, load_cert_key, ssl_client_context
from shard.auth.tokenfile import find_user, read_token_file
from tests.integration.harness import Kplane, Kubectl

CONFIGMAPS = "/clusters/root/api/v1/namespaces/default/configmaps"
AS_ADMIN = {"X-Remote-User": "kplane-admin", "X-Remote-Group": "system:masters"}


def _tenant_token(kplane: Kplane) -> str:
    record = find_user(read_token_file(kplane.root_dir / "tokens.csv"), "tenant")
    assert record is not None
    return record.token


def _get(
    kplane: Kplane, path: str, *, headers: dict[str, str], token: str = "", context: ssl.SSLContext | None = None
) -> tuple[int, dict[str, Any]]:
    """One GET with exactly these credentials (no admin token unless given)."""
    request = urllib.request.Request(kplane.base_url + path, headers=headers)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, context=context or ssl_client_context(kplane.ca_file), timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def _front_proxy_context(
    kplane: Kplane, tmp_path: Path, user: str = "", groups: tuple[str, ...] = ()
) -> ssl.SSLContext:
    """TLS as the front-proxy (its own certificate), or as `user` with a certificate of the front-proxy CA."""
    pki = kplane.root_dir / "pki"
    if not user:
        return ssl_client_context(kplane.ca_file, pki / "front-proxy-client.crt", pki / "front-proxy-client.key")
    ca = load_cert_key(pki / "front-proxy-client-ca.crt", pki / "front-proxy-client-ca.key")
    pair = issue_client_cert(ca, user=user, groups=groups)
    cert, key = tmp_path / f"{user}.crt", tmp_path / f"{user}.key"
    cert.write_bytes(cert_to_pem(pair.cert))
    key.write_bytes(key_to_pem(pair.key))
    return ssl_client_context(kplane.ca_file, cert, key)


def test_token_file_user_is_authenticated(kplane: Kplane, kubectl: Kubectl) -> None:
    tenant = Kubectl(kubectl.binary, kplane.root_dir / "tenant.kubeconfig")
    result = tenant.run("-n", "default", "get", "configmaps")
    assert result.returncode == 1
    assert result.stderr.startswith("Error from server (Forbidden): configmaps is forbidden: ")
    assert 'User "tenant" cannot list resource "configmaps" in API group "" in the namespace "default"' in result.stderr


def test_bad_token_is_unauthorized(kubectl: Kubectl) -> None:
    result = kubectl.run("--token", "not-a-known-token", "-n", "default", "get", "configmaps")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: You must be logged in to the server (Unauthorized)"


def test_remote_user_headers_without_the_front_proxy_certificate_are_ignored(kplane: Kplane) -> None:
    status, body = _get(kplane, CONFIGMAPS, headers=AS_ADMIN)
    assert (status, body["reason"], body["message"]) == (401, "Unauthorized", "Unauthorized")
    status, body = _get(kplane, CONFIGMAPS, headers=AS_ADMIN, token=_tenant_token(kplane))
    assert status == 403
    assert 'User "tenant" cannot list resource "configmaps"' in body["message"]


def test_remote_user_headers_with_the_front_proxy_certificate_are_trusted(kplane: Kplane, tmp_path: Path) -> None:
    context = _front_proxy_context(kplane, tmp_path)
    status, body = _get(kplane, CONFIGMAPS, headers=AS_ADMIN, context=context)
    assert (status, body["kind"]) == (200, "ConfigMapList")
    as_jane = {"X-Remote-User": "jane", "X-Remote-Group": "devs"}
    status, body = _get(kplane, CONFIGMAPS, headers=as_jane, context=context)
    assert status == 403
    assert 'User "jane" cannot list resource "configmaps"' in body["message"]
    status, _ = _get(kplane, CONFIGMAPS, headers={"X-Remote-Group": "system:masters"}, context=context)
    assert status == 401  # the front-proxy's certificate is no user itself


def test_user_certificate_of_the_front_proxy_ca_is_not_a_user(kplane: Kplane, tmp_path: Path) -> None:
    context = _front_proxy_context(kplane, tmp_path, user="mallory", groups=("system:masters",))
    assert _get(kplane, CONFIGMAPS, headers={}, context=context)[0] == 401
    assert _get(kplane, CONFIGMAPS, headers=AS_ADMIN, context=context)[0] == 401  # not an allowed name either


def test_service_account_token_from_kubectl_create_token(kubectl: Kubectl) -> None:
    token = kubectl.ok("-n", "default", "create", "token", "default").strip()
    assert token.count(".") == 2
    result = kubectl.run("--token", token, "-n", "default", "get", "configmaps")
    assert result.returncode == 1
    assert (
        'User "system:serviceaccount:default:default" cannot list resource "configmaps" in API group "" in the '
        'namespace "default"' in result.stderr
    )
    short = kubectl.run("-n", "default", "create", "token", "default", "--duration", "5m")
    assert "may not specify a duration less than 10 minutes" in short.stderr
    missing = kubectl.run("-n", "default", "create", "token", "ghost")
    assert 'serviceaccounts "ghost" not found' in missing.stderr
