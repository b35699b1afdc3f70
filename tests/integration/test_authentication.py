"""Client-certificate and token authentication, and the default deny for anyone but system:masters."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from apimachinery.kubeconfig import write_admin_kubeconfig
from apimachinery.pki import (
    cert_to_pem,
    create_ca,
    issue_client_cert,
    key_to_pem,
    load_cert_key,
    ssl_client_context,
)
from tests.integration.harness import Kplane, Kubectl


def _as_user(kplane: Kplane, kubectl: Kubectl, tmp_path: Path, cert_pem: bytes, key_pem: bytes) -> Kubectl:
    """kubectl with a kubeconfig that authenticates by this client certificate only."""
    path = tmp_path / "user.kubeconfig"
    write_admin_kubeconfig(
        path,
        server_url=f"{kplane.base_url}/clusters/root",
        ca_pem=kplane.ca_file.read_bytes(),
        context_name="root",
        token=None,
        client_cert_pem=cert_pem,
        client_key_pem=key_pem,
    )
    return Kubectl(kubectl.binary, path)


def test_admin_client_certificate_is_system_masters(kplane: Kplane, kubectl: Kubectl, tmp_path: Path) -> None:
    pki = kplane.root_dir / "pki"
    admin = _as_user(kplane, kubectl, tmp_path, (pki / "admin.crt").read_bytes(), (pki / "admin.key").read_bytes())
    assert "namespace/default" in admin.ok("get", "ns", "-o", "name").split()


def test_other_users_are_denied_with_the_upstream_text(kplane: Kplane, kubectl: Kubectl, tmp_path: Path) -> None:
    ca = load_cert_key(kplane.root_dir / "pki" / "ca.crt", kplane.root_dir / "pki" / "ca.key")
    jane = issue_client_cert(ca, user="jane", groups=["devs"])
    as_jane = _as_user(kplane, kubectl, tmp_path, cert_to_pem(jane.cert), key_to_pem(jane.key))
    result = as_jane.run("-n", "default", "get", "configmaps")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        'Error from server (Forbidden): configmaps is forbidden: User "jane" cannot list resource '
        '"configmaps" in API group "" in the namespace "default"'
    )
    err = as_jane.run("get", "clusterroles").stderr
    assert (
        'User "jane" cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" at the '
        "cluster scope" in err
    )


def test_certificate_from_another_ca_is_rejected(kplane: Kplane, tmp_path: Path) -> None:
    stranger_ca = create_ca("stranger")
    mallory = issue_client_cert(stranger_ca, user="mallory", groups=["system:masters"])
    cert, key = tmp_path / "mallory.crt", tmp_path / "mallory.key"
    cert.write_bytes(cert_to_pem(mallory.cert))
    key.write_bytes(key_to_pem(mallory.key))
    context = ssl_client_context(kplane.ca_file, cert, key)
    request = urllib.request.Request(f"{kplane.base_url}/clusters/root/api/v1/namespaces")
    with (
        pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionResetError)),
        urllib.request.urlopen(request, context=context, timeout=10) as response,
    ):
        response.read()
