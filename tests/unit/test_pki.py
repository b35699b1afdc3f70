"""Certificates from apimachinery.pki: chains, SANs, key usages, names, and the idempotent PKI directory."""

from __future__ import annotations

import ipaddress
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store

from apimachinery import pki


@pytest.fixture
def pki_paths(tmp_path: Path) -> pki.PkiPaths:
    return pki.ensure_pki(tmp_path / "pki", serving_hosts=["kplane.example", "10.1.2.3"])


def _cert(path: Path) -> x509.Certificate:
    return pki.cert_from_pem(path.read_bytes())


def _eku(cert: x509.Certificate) -> list[x509.ObjectIdentifier]:
    return list(cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value)


def _sans(cert: x509.Certificate) -> tuple[list[str], list[str]]:
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return san.get_values_for_type(x509.DNSName), [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]


def _names(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> list[str]:
    return [str(attr.value) for attr in cert.subject.get_attributes_for_oid(oid)]


def test_ca_is_self_signed_p256_ca_valid_ten_years() -> None:
    ca = pki.create_ca("test-ca")
    ca.cert.verify_directly_issued_by(ca.cert)
    constraints = ca.cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert constraints.ca is True
    assert ca.key.curve.name == "secp256r1"
    lifetime = ca.cert.not_valid_after_utc - ca.cert.not_valid_before_utc
    assert lifetime.days >= 3650
    assert _names(ca.cert, NameOID.COMMON_NAME) == ["test-ca"]


@pytest.mark.parametrize(
    ("hosts", "dns", "ips"),
    [
        (["localhost", "127.0.0.1", "::1"], ["localhost"], ["127.0.0.1", "::1"]),
        (["a.example", "[::1]", "a.example"], ["a.example"], ["::1"]),
    ],
)
def test_subject_alt_names_split_dns_and_ip(hosts: list[str], dns: list[str], ips: list[str]) -> None:
    ca = pki.create_ca("ca")
    assert _sans(pki.issue_serving_cert(ca, hosts=hosts).cert) == (dns, ips)


def test_serving_cert_chains_to_ca_for_every_host(pki_paths: pki.PkiPaths) -> None:
    ca, leaf = _cert(pki_paths.ca_cert), _cert(pki_paths.serving_cert)
    names: list[x509.DNSName | x509.IPAddress] = [x509.DNSName("localhost"), x509.DNSName("kplane.example")]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ("127.0.0.1", "::1", "10.1.2.3")]
    for name in names:
        chain = PolicyBuilder().store(Store([ca])).build_server_verifier(name).verify(leaf, [])
        assert chain[-1] == ca
    assert _eku(leaf) == [ExtendedKeyUsageOID.SERVER_AUTH]


def test_serving_cert_rejected_for_other_host(pki_paths: pki.PkiPaths) -> None:
    verifier = (
        PolicyBuilder().store(Store([_cert(pki_paths.ca_cert)])).build_server_verifier(x509.DNSName("other.example"))
    )
    with pytest.raises(x509.verification.VerificationError):
        verifier.verify(_cert(pki_paths.serving_cert), [])


def test_admin_cert_names_user_and_group(pki_paths: pki.PkiPaths) -> None:
    admin = _cert(pki_paths.admin_cert)
    admin.verify_directly_issued_by(_cert(pki_paths.ca_cert))
    assert _names(admin, NameOID.COMMON_NAME) == ["kplane-admin"]
    assert _names(admin, NameOID.ORGANIZATION_NAME) == ["system:masters"]
    assert _eku(admin) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert not admin.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_client_cert_carries_every_group() -> None:
    ca = pki.create_ca("ca")
    cert = pki.issue_client_cert(ca, user="alice", groups=["team-a", "team-b"]).cert
    assert _names(cert, NameOID.COMMON_NAME) == ["alice"]
    assert _names(cert, NameOID.ORGANIZATION_NAME) == ["team-a", "team-b"]


def test_front_proxy_client_cert_has_its_own_ca(pki_paths: pki.PkiPaths) -> None:
    fp_ca, fp = _cert(pki_paths.front_proxy_client_ca_cert), _cert(pki_paths.front_proxy_client_cert)
    fp.verify_directly_issued_by(fp_ca)
    assert fp_ca.subject != _cert(pki_paths.ca_cert).subject
    assert _names(fp, NameOID.COMMON_NAME) == ["kplane-front-proxy"]
    assert _eku(fp) == [ExtendedKeyUsageOID.CLIENT_AUTH]


def test_front_proxy_client_cert_with_an_older_name_is_reissued(pki_paths: pki.PkiPaths) -> None:
    fp_ca = pki.load_cert_key(pki_paths.front_proxy_client_ca_cert, pki_paths.front_proxy_client_ca_key)
    pki.write_cert_key(
        pki.issue_client_cert(fp_ca, user="front-proxy"),
        pki_paths.front_proxy_client_cert,
        pki_paths.front_proxy_client_key,
    )
    pki.ensure_pki(pki_paths.directory, serving_hosts=[])
    fp = _cert(pki_paths.front_proxy_client_cert)
    assert _names(fp, NameOID.COMMON_NAME) == ["kplane-front-proxy"]
    fp.verify_directly_issued_by(fp_ca.cert)


def test_service_account_signing_key_is_a_private_p256_key(pki_paths: pki.PkiPaths) -> None:
    key = pki.key_from_pem(pki_paths.service_account_key.read_bytes())
    assert key.curve.name == "secp256r1"
    assert stat.S_IMODE(pki_paths.service_account_key.stat().st_mode) == 0o600


def test_directory_of_an_older_kplane_gets_the_signing_key(pki_paths: pki.PkiPaths) -> None:
    pki_paths.service_account_key.unlink()
    ca_before = pki_paths.ca_cert.read_bytes()
    pki.ensure_pki(pki_paths.directory, serving_hosts=[])
    assert pki_paths.service_account_key.exists()
    assert pki_paths.ca_cert.read_bytes() == ca_before


def test_signing_key_that_is_not_an_ec_key_is_refused(pki_paths: pki.PkiPaths) -> None:
    pki_paths.service_account_key.write_bytes(b"not a key")
    with pytest.raises(ValueError):
        pki.ensure_pki(pki_paths.directory, serving_hosts=[])


def test_leaf_does_not_outlive_its_ca() -> None:
    ca = pki.create_ca("short", validity=pki.CA_VALIDITY / 10)
    leaf = pki.issue_client_cert(ca, user="u").cert
    assert leaf.not_valid_after_utc <= ca.cert.not_valid_after_utc


def test_pem_round_trip_and_key_matches_cert() -> None:
    pair = pki.issue_client_cert(pki.create_ca("ca"), user="u")
    cert, key = pki.cert_from_pem(pki.cert_to_pem(pair.cert)), pki.key_from_pem(pki.key_to_pem(pair.key))
    assert cert == pair.cert
    assert key.private_numbers() == pair.key.private_numbers()
    assert cert.public_key() == key.public_key()


def test_key_from_pem_rejects_non_ec_keys() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ValueError, match="EC private key"):
        pki.key_from_pem(pem)


def _all_files(paths: pki.PkiPaths) -> list[Path]:
    return [p for name, p in vars(paths).items() if name != "directory"]


def test_ensure_pki_creates_every_file_with_private_modes(pki_paths: pki.PkiPaths) -> None:
    expected = sorted(p.name for p in _all_files(pki_paths))
    assert sorted(p.name for p in pki_paths.directory.iterdir()) == expected
    for path in _all_files(pki_paths):
        mode = stat.S_IMODE(path.stat().st_mode)
        secret = path.suffix in (".key", ".token")
        assert mode == (0o600 if secret else 0o644), path.name


def test_admin_token_is_random_urlsafe(tmp_path: Path) -> None:
    first = pki.read_token(pki.ensure_pki(tmp_path / "a", serving_hosts=[]).admin_token)
    second = pki.read_token(pki.ensure_pki(tmp_path / "b", serving_hosts=[]).admin_token)
    assert first != second
    assert len(first) == 43 and first.replace("-", "").replace("_", "").isalnum()


def test_ensure_pki_is_idempotent(pki_paths: pki.PkiPaths) -> None:
    before = {p: p.read_bytes() for p in _all_files(pki_paths)}
    again = pki.ensure_pki(pki_paths.directory, serving_hosts=["changed.example"])
    assert again == pki_paths
    assert {p: p.read_bytes() for p in _all_files(again)} == before


def test_ensure_pki_fills_in_only_missing_files(pki_paths: pki.PkiPaths) -> None:
    ca_before = pki_paths.ca_cert.read_bytes()
    pki_paths.admin_cert.unlink()
    pki_paths.admin_key.unlink()
    pki.ensure_pki(pki_paths.directory, serving_hosts=[])
    assert pki_paths.ca_cert.read_bytes() == ca_before
    _cert(pki_paths.admin_cert).verify_directly_issued_by(_cert(pki_paths.ca_cert))


def test_ensure_pki_replaces_a_key_left_without_its_cert(pki_paths: pki.PkiPaths) -> None:
    pki_paths.serving_cert.unlink()
    pki.ensure_pki(pki_paths.directory, serving_hosts=[])
    pair = pki.load_cert_key(pki_paths.serving_cert, pki_paths.serving_key)
    assert pair.cert.public_key() == pair.key.public_key()


def test_ensure_pki_refuses_cert_without_key(pki_paths: pki.PkiPaths) -> None:
    pki_paths.ca_key.unlink()
    with pytest.raises(pki.PkiError, match="ca.key is missing"):
        pki.ensure_pki(pki_paths.directory, serving_hosts=[])
    assert not pki_paths.ca_key.exists()


def test_ensure_pki_refuses_leaf_from_another_ca(pki_paths: pki.PkiPaths) -> None:
    pki_paths.ca_cert.unlink()
    pki_paths.ca_key.unlink()
    with pytest.raises(pki.PkiError, match="serving.crt was not issued by the CA"):
        pki.ensure_pki(pki_paths.directory, serving_hosts=[])


def test_write_atomic_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "f"
    pki.write_atomic(target, b"one", mode=0o600)
    pki.write_atomic(target, b"two", mode=0o640)
    assert target.read_bytes() == b"two"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["f"]
