"""`kplane shard`: the shard client certificate of the PKI, the shared PKI directory check, and the
options built from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from kplane.__main__ import parser
from kplane.shard import PkiDirError, options_of, shared_pki

from apimachinery import pki


def test_pki_has_a_shard_client_certificate_of_the_ca(tmp_path: Path) -> None:
    paths = pki.ensure_pki(tmp_path / "pki", serving_hosts=[])
    pair = pki.load_cert_key(paths.shard_client_cert, paths.shard_client_key)
    pair.cert.verify_directly_issued_by(pki.cert_from_pem(paths.ca_cert.read_bytes()))
    assert [a.value for a in pair.cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)] == ["system:kcp:shard"]
    organizations = [a.value for a in pair.cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    assert organizations == ["system:masters"]
    usages = pair.cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usages) == [ExtendedKeyUsageOID.CLIENT_AUTH]


def test_an_older_pki_directory_gets_the_shard_client_certificate(tmp_path: Path) -> None:
    paths = pki.ensure_pki(tmp_path / "pki", serving_hosts=[])
    paths.shard_client_cert.unlink()
    paths.shard_client_key.unlink()
    ca_before = paths.ca_cert.read_bytes()
    pki.ensure_pki(paths.directory, serving_hosts=[])
    assert paths.shard_client_cert.exists() and paths.ca_cert.read_bytes() == ca_before


def test_shared_pki_must_exist_and_be_complete(tmp_path: Path) -> None:
    with pytest.raises(PkiDirError, match="does not exist"):
        shared_pki(tmp_path / "missing")
    paths = pki.ensure_pki(tmp_path / "pki", serving_hosts=[])
    assert shared_pki(paths.directory) == paths
    paths.shard_client_key.unlink()
    with pytest.raises(PkiDirError, match="lacks shard-client.key"):
        shared_pki(paths.directory)


def test_options_from_the_command_line(tmp_path: Path) -> None:
    paths = pki.ensure_pki(tmp_path / "pki", serving_hosts=[])
    args = parser().parse_args(
        [
            "shard",
            "--name",
            "shard-1",
            "--root-dir",
            str(tmp_path / "s1"),
            "--pki-dir",
            str(paths.directory),
            "--port",
            "7002",
            "--etcd-servers",
            "http://a:2379,http://b:2379",
            "--root-shard-url",
            "https://r:6443/",
            "--external-url",
            "https://proxy:443/",
            "--etcd-compaction-interval",
            "5",
            "--watch-cache-size",
            "50",
        ]
    )
    options = options_of(args)
    assert (options.name, options.port, options.root_dir) == ("shard-1", 7002, (tmp_path / "s1").resolve())
    assert options.etcd_servers == ("http://a:2379", "http://b:2379")
    assert (options.root_shard_url, options.external_url) == ("https://r:6443", "https://proxy:443")
    assert (options.compaction_interval, options.watch_cache_size) == (5.0, 50)
    assert options.pki == paths and options.token_auth_file is None
