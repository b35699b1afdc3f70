"""The local PKI directory of kplane and the TLS contexts built from it.

This module owns the on-disk layout of a PKI directory (`ensure_pki` creates the files once and reuses
them afterwards): the cluster CA with the serving and admin certificates, the front-proxy CA with the
front-proxy's client certificate, the shards' client certificate (how shards call each other), the
service-account signing key and the admin token. How a key or a certificate is made lives in
`apimachinery.certs`; its names are re-exported here for callers that think of "the PKI". Nothing here
talks to the network.
"""

from __future__ import annotations

import secrets
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature

from apimachinery.certs import (
    CA_VALIDITY,
    CLOCK_SKEW,
    LEAF_VALIDITY,
    CertKeyPair,
    cert_from_pem,
    cert_to_pem,
    common_name,
    create_ca,
    generate_key,
    issue_client_cert,
    issue_serving_cert,
    key_from_pem,
    key_to_pem,
    load_cert_key,
    read_token,
    subject_alt_names,
    write_atomic,
    write_cert_key,
)

__all__ = [
    "ADMIN_GROUPS", "ADMIN_USER", "CA_VALIDITY", "CLOCK_SKEW", "DEFAULT_SERVING_HOSTS", "FRONT_PROXY_USER",
    "LEAF_VALIDITY", "SHARD_CLIENT_GROUPS", "SHARD_CLIENT_USER", "CertKeyPair", "PkiError", "PkiPaths",
    "cert_from_pem", "cert_to_pem", "create_ca", "ensure_pki", "generate_key", "issue_client_cert",
    "issue_serving_cert", "key_from_pem", "key_to_pem", "load_cert_key", "read_token", "ssl_client_context",
    "ssl_server_context", "subject_alt_names", "write_atomic", "write_cert_key",
]

DEFAULT_SERVING_HOSTS = ("localhost", "127.0.0.1", "::1")
ADMIN_USER = "kplane-admin"
ADMIN_GROUPS = ("system:masters",)
FRONT_PROXY_USER = "kplane-front-proxy"
SHARD_CLIENT_USER = "system:kcp:shard"  # how shards call each other (registration, remote LogicalClusters)
SHARD_CLIENT_GROUPS = ("system:masters",)


class PkiError(Exception):
    """The PKI directory is in a state that `ensure_pki` must not repair silently."""


@dataclass(frozen=True)
class PkiPaths:
    """Where `ensure_pki` keeps each file of a local PKI directory.

    The front-proxy CA (`front_proxy_client_ca_*`) is the request-header CA of the shards: only a client
    certificate it issued, with an allowed common name, may speak for users with `X-Remote-User`."""

    directory: Path
    ca_cert: Path
    ca_key: Path
    serving_cert: Path
    serving_key: Path
    admin_cert: Path
    admin_key: Path
    front_proxy_client_ca_cert: Path
    front_proxy_client_ca_key: Path
    front_proxy_client_cert: Path
    front_proxy_client_key: Path
    admin_token: Path
    service_account_key: Path
    shard_client_cert: Path
    shard_client_key: Path

    @classmethod
    def in_directory(cls, directory: Path) -> PkiPaths:
        """The fixed file names inside `directory`."""
        d = directory
        return cls(
            directory=d,
            ca_cert=d / "ca.crt",
            ca_key=d / "ca.key",
            serving_cert=d / "serving.crt",
            serving_key=d / "serving.key",
            admin_cert=d / "admin.crt",
            admin_key=d / "admin.key",
            front_proxy_client_ca_cert=d / "front-proxy-client-ca.crt",
            front_proxy_client_ca_key=d / "front-proxy-client-ca.key",
            front_proxy_client_cert=d / "front-proxy-client.crt",
            front_proxy_client_key=d / "front-proxy-client.key",
            admin_token=d / "admin.token",
            service_account_key=d / "service-account.key",
            shard_client_cert=d / "shard-client.crt",
            shard_client_key=d / "shard-client.key",
        )


def ensure_pki(directory: Path, *, serving_hosts: list[str]) -> PkiPaths:
    """Create the PKI files in `directory` that do not exist yet; keep every file that does.

    Existing certificates are never regenerated, even if `serving_hosts` changed; the one exception is a
    front-proxy client certificate with an older common name, reissued by the same CA. A certificate
    without its key, or a leaf not issued by the CA on disk, is a `PkiError`. Keys are written before
    certificates, so a key without its certificate is a half-finished pair and is replaced. A directory
    made by an older kplane gets the files it lacks (service-account key, shard client certificate) on its
    next start.
    """
    paths = PkiPaths.in_directory(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ca = _ensure_ca(paths.ca_cert, paths.ca_key, common_name="kplane-ca")
    hosts = [*serving_hosts, *DEFAULT_SERVING_HOSTS]
    _ensure_leaf(ca, paths.serving_cert, paths.serving_key,
                 lambda: issue_serving_cert(ca, hosts=hosts, common_name="kplane"))
    _ensure_leaf(ca, paths.admin_cert, paths.admin_key,
                 lambda: issue_client_cert(ca, user=ADMIN_USER, groups=ADMIN_GROUPS))
    fp_ca = _ensure_ca(paths.front_proxy_client_ca_cert, paths.front_proxy_client_ca_key,
                       common_name="kplane-front-proxy-client-ca")
    _ensure_leaf(fp_ca, paths.front_proxy_client_cert, paths.front_proxy_client_key,
                 lambda: issue_client_cert(fp_ca, user=FRONT_PROXY_USER), expected_common_name=FRONT_PROXY_USER)
    _ensure_leaf(ca, paths.shard_client_cert, paths.shard_client_key,
                 lambda: issue_client_cert(ca, user=SHARD_CLIENT_USER, groups=SHARD_CLIENT_GROUPS))
    _ensure_token(paths.admin_token)
    _ensure_signing_key(paths.service_account_key)
    return paths


def _existing_pair(cert_path: Path, key_path: Path) -> CertKeyPair | None:
    """The pair on disk; None if there is none or only a key (left by an interrupted write)."""
    if not cert_path.exists():
        return None
    if not key_path.exists():
        raise PkiError(f"{cert_path} exists but {key_path} is missing; remove {cert_path} to regenerate both")
    return load_cert_key(cert_path, key_path)


def _ensure_ca(cert_path: Path, key_path: Path, *, common_name: str) -> CertKeyPair:
    pair = _existing_pair(cert_path, key_path)
    if pair is None:
        pair = create_ca(common_name)
        write_cert_key(pair, cert_path, key_path)
    return pair


def _ensure_leaf(ca: CertKeyPair, cert_path: Path, key_path: Path, issue: Callable[[], CertKeyPair], *,
                 expected_common_name: str = "") -> None:
    pair = _existing_pair(cert_path, key_path)
    if pair is None:
        write_cert_key(issue(), cert_path, key_path)
        return
    try:
        pair.cert.verify_directly_issued_by(ca.cert)
    except (ValueError, TypeError, InvalidSignature) as err:
        raise PkiError(f"{cert_path} was not issued by the CA on disk; remove it and its key") from err
    if expected_common_name and common_name(pair.cert) != expected_common_name:
        # Made by an older kplane under another name, which the shards' allowed names no longer accept.
        write_cert_key(issue(), cert_path, key_path)


def _ensure_token(path: Path) -> None:
    if not path.exists():
        write_atomic(path, (secrets.token_urlsafe(32) + "\n").encode(), mode=0o600)


def _ensure_signing_key(path: Path) -> None:
    """The service-account signing key (EC P-256, PKCS#8 PEM, 0600); an existing one must parse as EC."""
    if path.exists():
        key_from_pem(path.read_bytes())
        return
    write_atomic(path, key_to_pem(generate_key()), mode=0o600)


# --- TLS contexts -------------------------------------------------------------------------------


def ssl_server_context(paths: PkiPaths, *, client_ca: Path | Sequence[Path]) -> ssl.SSLContext:
    """Serve `paths.serving_cert`; ask for an optional client certificate verified against `client_ca`.

    Clients without a certificate still connect (they may authenticate with a bearer token); a
    client certificate that does not chain to one of the `client_ca` files fails the handshake. Several
    CAs (the client CA and the front-proxy CA) must have distinct subjects: the authenticators tell
    which one issued a peer certificate by its issuer name. ALPN offers only `http/1.1`, so kubectl
    (which offers `h2,http/1.1`) never tries HTTP/2.
    """
    cas = [client_ca] if isinstance(client_ca, Path) else list(client_ca)
    _check_distinct_subjects(cas)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(paths.serving_cert, paths.serving_key)
    for ca in cas:
        context.load_verify_locations(cafile=ca)
    context.verify_mode = ssl.CERT_OPTIONAL
    context.set_alpn_protocols(["http/1.1"])
    return context


def _check_distinct_subjects(cas: Sequence[Path]) -> None:
    if len(cas) < 2:
        return
    subjects = [cert_from_pem(path.read_bytes()).subject for path in cas]
    if len(set(subjects)) != len(subjects):
        raise PkiError("the trusted client CAs must have distinct subjects: " + ", ".join(map(str, cas)))


def ssl_client_context(ca: Path, cert: Path | None = None, key: Path | None = None, *,
                       alpn_protocols: Sequence[str] = ("http/1.1",)) -> ssl.SSLContext:
    """A client context trusting `ca` (hostname checked), presenting `cert`/`key` when given."""
    if (cert is None) != (key is None):
        raise ValueError("a client certificate needs its key, and a key its certificate")
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(ca))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert is not None and key is not None:
        context.load_cert_chain(cert, key)
    context.set_alpn_protocols(list(alpn_protocols))
    return context
