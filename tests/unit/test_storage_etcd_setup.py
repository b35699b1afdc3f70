"""etcd client settings, the progress-request version gate, and finding the etcd binary."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from shard.storage.etcd3.config import EtcdClientConfig, TLSConfig
from shard.storage.etcd3.embedded import EtcdNotFoundError, find_etcd_binary
from shard.storage.etcd3.progress import progress_requests_are_ordered


@pytest.mark.parametrize(
    ("endpoint", "target", "tls"),
    [
        ("127.0.0.1:2379", "127.0.0.1:2379", False),
        ("http://etcd:2379", "etcd:2379", False),
        ("https://etcd:2379/", "etcd:2379", True),
    ],
)
def test_endpoint_forms(endpoint: str, target: str, tls: bool) -> None:
    config = EtcdClientConfig(endpoint=endpoint)
    assert (config.target(), config.uses_tls()) == (target, tls)


def test_tls_config_makes_the_connection_tls(tmp_path: Path) -> None:
    (tmp_path / "ca.crt").write_bytes(b"CA")
    config = EtcdClientConfig(endpoint="etcd:2379", tls=TLSConfig(ca_file=tmp_path / "ca.crt"))
    assert config.uses_tls() and config.tls is not None and config.tls.read() == (b"CA", None, None)


@pytest.mark.parametrize(
    ("version", "ordered"),
    [
        ("3.4.30", False),
        ("3.4.31", True),
        ("3.5.1", False),
        ("3.5.12", False),
        ("3.5.13", True),
        ("3.6.0", True),
        ("3.6.0-rc.1", True),
        ("3.3.27", False),
        ("garbage", False),
    ],
)
def test_progress_requests_only_where_etcd_orders_them(version: str, ordered: bool) -> None:
    assert progress_requests_are_ordered(version) is ordered


def test_missing_etcd_binary_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    with pytest.raises(EtcdNotFoundError, match="no etcd binary found"):
        find_etcd_binary()


def test_etcd_binary_next_to_the_interpreter(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    binary = tmp_path / "etcd"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    assert find_etcd_binary() == binary
