"""X.509 building blocks: EC P-256 keys, CA, serving and client certificates, PEM encoding, atomic files.

This module owns how kplane makes a key or a certificate and how either reaches the disk (atomically, a
secret never readable by others). It knows nothing of the PKI directory layout (`apimachinery.pki`).
"""

from __future__ import annotations

import datetime
import functools
import ipaddress
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_VALIDITY = datetime.timedelta(days=3650)
LEAF_VALIDITY = datetime.timedelta(days=3650)
CLOCK_SKEW = datetime.timedelta(minutes=5)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class CertKeyPair:
    """A certificate and the private key that goes with it."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


# --- keys and certificates ------------------------------------------------------------------------


def generate_key() -> ec.EllipticCurvePrivateKey:
    """A fresh EC P-256 private key."""
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str, organizations: Sequence[str] = ()) -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org) for org in organizations]
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _builder(subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey,
             not_after: datetime.datetime) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - CLOCK_SKEW)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def create_ca(common_name: str, *, validity: datetime.timedelta = CA_VALIDITY) -> CertKeyPair:
    """A self-signed CA certificate that may sign leaf certificates only (path length 0)."""
    key = generate_key()
    name = _name(common_name)
    cert = (
        _builder(name, name, key.public_key(), _now() + validity)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .sign(key, hashes.SHA256())
    )
    return CertKeyPair(cert=cert, key=key)


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    """digitalSignature for every EC key (no keyEncipherment: that is for RSA key transport)."""
    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign,
        encipher_only=False, decipher_only=False,
    )


def _issue(ca: CertKeyPair, subject: x509.Name, *, usage: x509.ObjectIdentifier,
           sans: Sequence[x509.GeneralName] = (), validity: datetime.timedelta) -> CertKeyPair:
    key = generate_key()
    not_after = min(_now() + validity, ca.cert.not_valid_after_utc)
    builder = (
        _builder(subject, ca.cert.subject, key.public_key(), not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(_authority_key_id(ca.cert), critical=False)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(list(sans)), critical=False)
    return CertKeyPair(cert=builder.sign(ca.key, hashes.SHA256()), key=key)


def _authority_key_id(ca_cert: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def subject_alt_names(hosts: Sequence[str]) -> list[x509.GeneralName]:
    """SAN entries for `hosts`: IP literals become IP addresses, anything else a DNS name."""
    sans: list[x509.GeneralName] = []
    for host in dict.fromkeys(hosts):
        ip = _parse_ip(host)
        sans.append(x509.IPAddress(ip) if ip is not None else x509.DNSName(host))
    return sans


def _parse_ip(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def issue_serving_cert(ca: CertKeyPair, *, hosts: Sequence[str], common_name: str = "",
                       validity: datetime.timedelta = LEAF_VALIDITY) -> CertKeyPair:
    """A TLS server certificate for `hosts` (DNS names and IP addresses), signed by `ca`."""
    if not hosts:
        raise ValueError("a serving certificate needs at least one host")
    subject = _name(common_name or hosts[0])
    return _issue(ca, subject, usage=ExtendedKeyUsageOID.SERVER_AUTH,
                  sans=subject_alt_names(hosts), validity=validity)


def issue_client_cert(ca: CertKeyPair, *, user: str, groups: Sequence[str] = (),
                      validity: datetime.timedelta = LEAF_VALIDITY) -> CertKeyPair:
    """A TLS client certificate naming `user` (CN) and `groups` (one O each), signed by `ca`."""
    return _issue(ca, _name(user, groups), usage=ExtendedKeyUsageOID.CLIENT_AUTH, validity=validity)


# --- PEM --------------------------------------------------------------------------------------


def cert_to_pem(cert: x509.Certificate) -> bytes:
    """PEM `CERTIFICATE` block."""
    return cert.public_bytes(serialization.Encoding.PEM)


def key_to_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    """Unencrypted PKCS#8 PEM `PRIVATE KEY` block (read by Python's ssl, Go and OpenSSL)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def cert_from_pem(data: bytes) -> x509.Certificate:
    """The first certificate of a PEM bundle."""
    return x509.load_pem_x509_certificate(data)


def key_from_pem(data: bytes) -> ec.EllipticCurvePrivateKey:
    """An unencrypted EC private key; any other key type is a `ValueError`."""
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError(f"expected an EC private key, got {type(key).__name__}")
    return key


def load_cert_key(cert_path: Path, key_path: Path) -> CertKeyPair:
    """Read a certificate and its key from PEM files."""
    return CertKeyPair(cert=cert_from_pem(cert_path.read_bytes()), key=key_from_pem(key_path.read_bytes()))


# --- files ------------------------------------------------------------------------------------


def write_atomic(path: Path, data: bytes, *, mode: int) -> None:
    """Write `data` to `path` through a temporary file in the same directory and a rename.

    The temporary file is created with `mode` from the start, so a secret is never readable by
    others, not even briefly. Readers see either the old content or the new one, never a part.
    """
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_cert_key(pair: CertKeyPair, cert_path: Path, key_path: Path) -> None:
    """Write the key (mode 0600) first, then the certificate (mode 0644)."""
    write_atomic(key_path, key_to_pem(pair.key), mode=0o600)
    write_atomic(cert_path, cert_to_pem(pair.cert), mode=0o644)


def read_token(path: Path) -> str:
    """A bearer token file's content without surrounding whitespace."""
    return path.read_text(encoding="utf-8").strip()


def common_name(cert: x509.Certificate) -> str:
    """The subject's common name; of several, the last, as Go's `pkix.Name` keeps it ("" if none)."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[-1].value) if names else ""


def organizations(cert: x509.Certificate) -> tuple[str, ...]:
    """The subject's organizations, in order (Kubernetes reads them as the user's groups)."""
    return tuple(str(attr.value) for attr in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME))


@dataclass(frozen=True)
class CertificateFacts:
    """What authenticators read from a client certificate, extracted once per certificate: the issuer's
    DER-encoded name (compared as bytes), the subject's CN and organizations, the SHA-256 fingerprint."""

    issuer: bytes
    common_name: str
    organizations: tuple[str, ...]
    fingerprint: str


@functools.lru_cache(maxsize=256)
def facts_of(cert: x509.Certificate) -> CertificateFacts:
    """Cached by certificate (equality is the DER encoding): a front-proxy presents the same certificate on
    every request, and reading names out of it costs more than the rest of authentication."""
    return CertificateFacts(
        cert.issuer.public_bytes(),
        common_name(cert),
        organizations(cert),
        cert.fingerprint(hashes.SHA256()).hex(),
    )

