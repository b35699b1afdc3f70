"""Real TLS handshakes on loopback between pki.ssl_server_context and pki.ssl_client_context."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from apimachinery import pki


@dataclass
class SeenConnection:
    peercert: dict[str, Any] | None
    alpn: str | None
    version: str | None


@dataclass
class TlsServer:
    port: int
    seen: list[SeenConnection] = field(default_factory=list)


@pytest.fixture
def pki_paths(tmp_path: Path) -> pki.PkiPaths:
    return pki.ensure_pki(tmp_path / "pki", serving_hosts=[])


@pytest.fixture
async def tls_server(pki_paths: pki.PkiPaths) -> AsyncIterator[TlsServer]:
    context = pki.ssl_server_context(pki_paths, client_ca=pki_paths.ca_cert)
    server_state = TlsServer(port=0)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ssl_object: ssl.SSLObject = writer.get_extra_info("ssl_object")
        peercert = ssl_object.getpeercert()
        seen = SeenConnection(peercert or None, ssl_object.selected_alpn_protocol(), ssl_object.version())
        server_state.seen.append(seen)
        writer.write(b"hello\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    server_state.port = server.sockets[0].getsockname()[1]
    async with server:
        yield server_state


async def _exchange(port: int, context: ssl.SSLContext, server_hostname: str = "localhost") -> tuple[bytes, str | None]:
    """Connect, read the server's greeting, and return it with the negotiated ALPN protocol."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context, server_hostname=server_hostname)
    try:
        line = await asyncio.wait_for(reader.readline(), timeout=5)
        ssl_object: ssl.SSLObject = writer.get_extra_info("ssl_object")
        return line, ssl_object.selected_alpn_protocol()
    finally:
        writer.close()


def _subject(peercert: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rdn in peercert["subject"]:
        for key, value in rdn:
            out.setdefault(key, []).append(value)
    return out


async def test_client_cert_is_seen_by_server_and_alpn_is_http11(tls_server: TlsServer, pki_paths: pki.PkiPaths) -> None:
    context = pki.ssl_client_context(
        pki_paths.ca_cert, pki_paths.admin_cert, pki_paths.admin_key, alpn_protocols=["h2", "http/1.1"]
    )
    assert await _exchange(tls_server.port, context) == (b"hello\n", "http/1.1")
    [seen] = tls_server.seen
    assert seen.peercert is not None
    assert _subject(seen.peercert) == {"commonName": ["kplane-admin"], "organizationName": ["system:masters"]}
    assert seen.alpn == "http/1.1"
    assert seen.version in ("TLSv1.2", "TLSv1.3")


async def test_client_without_cert_connects_for_bearer_tokens(tls_server: TlsServer, pki_paths: pki.PkiPaths) -> None:
    context = pki.ssl_client_context(pki_paths.ca_cert)
    assert await _exchange(tls_server.port, context, server_hostname="127.0.0.1") == (b"hello\n", "http/1.1")
    [seen] = tls_server.seen
    assert seen.peercert is None


async def test_client_offering_only_h2_gets_no_h2(tls_server: TlsServer, pki_paths: pki.PkiPaths) -> None:
    context = pki.ssl_client_context(pki_paths.ca_cert, alpn_protocols=["h2"])
    assert await _exchange(tls_server.port, context) == (b"hello\n", None)


async def test_client_cert_from_unknown_ca_is_refused(
    tls_server: TlsServer, pki_paths: pki.PkiPaths, tmp_path: Path
) -> None:
    stranger = pki.issue_client_cert(pki.create_ca("stranger-ca"), user="mallory", groups=["system:masters"])
    cert_path, key_path = tmp_path / "m.crt", tmp_path / "m.key"
    pki.write_cert_key(stranger, cert_path, key_path)
    context = pki.ssl_client_context(pki_paths.ca_cert, cert_path, key_path)
    try:
        line, _ = await _exchange(tls_server.port, context)
    except (ssl.SSLError, ConnectionError):
        line = b""  # TLS 1.2 fails in the handshake; TLS 1.3 on the first read
    assert line == b""
    assert tls_server.seen == []


def test_contexts_require_tls12(pki_paths: pki.PkiPaths) -> None:
    server = pki.ssl_server_context(pki_paths, client_ca=pki_paths.ca_cert)
    assert server.minimum_version == ssl.TLSVersion.TLSv1_2
    assert server.verify_mode == ssl.CERT_OPTIONAL
    assert pki.ssl_client_context(pki_paths.ca_cert).minimum_version == ssl.TLSVersion.TLSv1_2


async def test_client_checks_the_server_hostname(tls_server: TlsServer, pki_paths: pki.PkiPaths) -> None:
    context = pki.ssl_client_context(pki_paths.ca_cert)
    with pytest.raises(ssl.SSLCertVerificationError):
        await _exchange(tls_server.port, context, server_hostname="not-in-the-cert.example")


def test_client_context_needs_cert_and_key_together(pki_paths: pki.PkiPaths) -> None:
    with pytest.raises(ValueError, match="needs its key"):
        pki.ssl_client_context(pki_paths.ca_cert, pki_paths.admin_cert)


@pytest.fixture
async def two_ca_server(pki_paths: pki.PkiPaths) -> AsyncIterator[TlsServer]:
    """A server trusting the client CA and the front-proxy CA, as a shard does."""
    context = pki.ssl_server_context(pki_paths, client_ca=(pki_paths.ca_cert, pki_paths.front_proxy_client_ca_cert))
    server_state = TlsServer(port=0)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ssl_object: ssl.SSLObject = writer.get_extra_info("ssl_object")
        server_state.seen.append(SeenConnection(ssl_object.getpeercert() or None, None, None))
        writer.write(b"hello\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    server_state.port = server.sockets[0].getsockname()[1]
    async with server:
        yield server_state


@pytest.mark.parametrize(
    ("cert", "key", "common_name"),
    [
        ("admin_cert", "admin_key", "kplane-admin"),
        ("front_proxy_client_cert", "front_proxy_client_key", "kplane-front-proxy"),
    ],
)
async def test_shard_context_accepts_certificates_of_both_cas(
    two_ca_server: TlsServer, pki_paths: pki.PkiPaths, cert: str, key: str, common_name: str
) -> None:
    context = pki.ssl_client_context(pki_paths.ca_cert, getattr(pki_paths, cert), getattr(pki_paths, key))
    assert (await _exchange(two_ca_server.port, context))[0] == b"hello\n"
    [seen] = two_ca_server.seen
    assert seen.peercert is not None and _subject(seen.peercert)["commonName"] == [common_name]


async def test_shard_context_still_refuses_other_cas(
    two_ca_server: TlsServer, pki_paths: pki.PkiPaths, tmp_path: Path
) -> None:
    stranger = pki.issue_client_cert(pki.create_ca("stranger-ca"), user="mallory")
    pki.write_cert_key(stranger, tmp_path / "m.crt", tmp_path / "m.key")
    context = pki.ssl_client_context(pki_paths.ca_cert, tmp_path / "m.crt", tmp_path / "m.key")
    try:
        line, _ = await _exchange(two_ca_server.port, context)
    except (ssl.SSLError, ConnectionError):
        line = b""
    assert line == b"" and two_ca_server.seen == []


def test_trusted_cas_with_the_same_subject_are_refused(pki_paths: pki.PkiPaths, tmp_path: Path) -> None:
    twin = pki.create_ca("kplane-ca")  # same subject as the client CA, another key
    (tmp_path / "twin.crt").write_bytes(pki.cert_to_pem(twin.cert))
    with pytest.raises(pki.PkiError, match="distinct subjects"):
        pki.ssl_server_context(pki_paths, client_ca=(pki_paths.ca_cert, tmp_path / "twin.crt"))
