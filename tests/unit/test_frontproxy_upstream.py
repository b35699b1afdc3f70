"""The forwarder's HTTP/1.1 connections to shards, against a scripted TLS server: framing (length,
chunked, until close, no body), streaming piece by piece, keep-alive reuse and its limits, failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from apimachinery import pki
from frontproxy.http1 import UpstreamError
from frontproxy.upstream import UpstreamPool

Script = Callable[[asyncio.StreamReader, asyncio.StreamWriter, "Shard"], Awaitable[None]]


@dataclass
class Shard:
    """A TLS server that answers each connection with `script`, and remembers the requests it read."""

    script: Script
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0
    url: str = ""

    async def read_request(self, reader: asyncio.StreamReader) -> bytes:
        head = await reader.readuntil(b"\r\n\r\n")
        body = b""
        if b"content-length:" in head.lower():
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            body = await reader.readexactly(length)
        elif b"transfer-encoding: chunked" in head.lower():
            while (size := int((await reader.readuntil(b"\r\n")).strip(), 16)) > 0:
                body += (await reader.readexactly(size + 2))[:-2]
            await reader.readuntil(b"\r\n")
        self.requests.append(head + body)
        return head + body


@pytest.fixture
def paths(tmp_path: Path) -> pki.PkiPaths:
    return pki.ensure_pki(tmp_path / "pki", serving_hosts=["127.0.0.1"])


@pytest.fixture
async def serve(paths: pki.PkiPaths) -> AsyncIterator[Callable[[Script], Awaitable[Shard]]]:
    servers: list[asyncio.Server] = []

    async def start(script: Script) -> Shard:
        shard = Shard(script)

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            shard.connections += 1
            try:
                await script(reader, writer, shard)
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                writer.close()

        tls = pki.ssl_server_context(paths, client_ca=[paths.ca_cert, paths.front_proxy_client_ca_cert])
        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=tls)
        servers.append(server)
        shard.url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        return shard

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def pool(paths: pki.PkiPaths) -> UpstreamPool:
    return UpstreamPool(
        pki.ssl_client_context(paths.ca_cert, paths.front_proxy_client_cert, paths.front_proxy_client_key)
    )


def answering(*responses: bytes) -> Script:
    """Answer each request on a connection with the next response, keeping the connection open."""

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, shard: Shard) -> None:
        for response in responses:
            await shard.read_request(reader)
            writer.write(response)
            await writer.drain()
        await reader.read()

    return script


async def _body(pool: UpstreamPool, url: str, method: str = "GET", body: bytes | None = None) -> tuple[int, bytes]:
    response = await pool.request(method, url, [("Accept", "application/json")], body)
    data = b""
    while chunk := await response.content.read():
        data += chunk
    response.release()
    return response.status, data


async def test_a_length_framed_answer_and_the_connection_used_again(
    serve: Callable[[Script], Awaitable[Shard]], pool: UpstreamPool
) -> None:
    ok = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
    shard = await serve(answering(ok, ok))
    assert await _body(pool, shard.url + "/a?x=%2F") == (200, b"{}")
    response = await pool.request("GET", shard.url + "/b", [], None)
    assert response.headers == [("Content-Type", "application/json"), ("Content-Length", "2")]
    assert response.content.read_nowait() == b"{}" and response.content.at_eof
    response.release()
    assert shard.connections == 1
    assert shard.requests[0].startswith(b"GET /a?x=%2F HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b"\r\nAccept: application/json\r\n" in shard.requests[0]


async def test_a_chunked_answer_arrives_piece_by_piece(
    serve: Callable[[Script], Awaitable[Shard]], pool: UpstreamPool
) -> None:
    second = asyncio.Event()

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, shard: Shard) -> None:
        await shard.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n")
        await second.wait()
        writer.write(b"6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n")
        await reader.read()

    shard = await serve(script)
    response = await pool.request("GET", shard.url + "/watch", [], None)
    assert await response.content.read() == b"hello"  # before the shard wrote the rest
    second.set()
    assert await response.content.read() == b" world"
    assert await response.content.read() == b"" and response.content.at_eof
    response.release()
    assert len(pool.idle[next(iter(pool.idle))]) == 1


async def test_an_answer_until_close_and_answers_without_body(
    serve: Callable[[Script], Awaitable[Shard]], pool: UpstreamPool
) -> None:
    async def until_close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, shard: Shard) -> None:
        await shard.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\n\r\nall of it")

    shard = await serve(until_close)
    assert await _body(pool, shard.url) == (200, b"all of it")
    assert not pool.idle.get(next(iter(pool.origins.values()))[0])
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"
    shard = await serve(
        answering(b"HTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n" + head, b"HTTP/1.1 204 No Content\r\n\r\n")
    )
    response = await pool.request("HEAD", shard.url, [], None)
    assert response.status == 200 and response.content.at_eof
    response.release()
    assert await _body(pool, shard.url, "DELETE") == (204, b"")
    assert shard.connections == 1


async def test_request_bodies_are_framed(serve: Callable[[Script], Awaitable[Shard]], pool: UpstreamPool) -> None:
    ok = b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"
    shard = await serve(answering(ok, ok, ok))

    async def stream() -> AsyncIterator[bytes]:
        yield b"ab"
        yield b"cd"

    assert await _body(pool, shard.url, "POST", b"{}") == (201, b"")
    assert await _body(pool, shard.url, "POST") == (201, b"")
    response = await pool.request("PUT", shard.url, [], stream())
    response.release()
    assert shard.requests[0].endswith(b"Content-Length: 2\r\n\r\n{}")
    assert shard.requests[1].endswith(b"Content-Length: 0\r\n\r\n")
    assert b"Transfer-Encoding: chunked\r\n\r\n" in shard.requests[2] and shard.requests[2].endswith(b"abcd")
    with pytest.raises(ValueError, match="CR or LF"):
        await pool.request("GET", shard.url, [("X-A", "b\r\nX-Remote-User: admin")], None)


async def test_a_cut_body_is_an_error(serve: Callable[[Script], Awaitable[Shard]], pool: UpstreamPool) -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, shard: Shard) -> None:
        await shard.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello")
        await writer.drain()

    shard = await serve(cut)
    response = await pool.request("GET", shard.url, [], None)
    assert await response.content.read() == b"hello"
    with pytest.raises(UpstreamError):
        await response.content.read()
    response.close()
    assert not any(pool.idle.values())


async def test_no_answer_is_an_error(serve: Callable[[Script], Awaitable[Shard]], pool: UpstreamPool) -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, shard: Shard) -> None:
        await shard.read_request(reader)
        writer.write(b"SSH-2.0-OpenSSH\r\n\r\n")
        await reader.read()

    shard = await serve(garbage)
    with pytest.raises(UpstreamError, match="status line"):
        await pool.request("GET", shard.url, [], None)
    port = shard.url.rsplit(":", 1)[1]
    with pytest.raises(UpstreamError, match="cannot connect"):
        await pool.request("GET", "https://127.0.0.1:1/x", [], None)
    assert port


async def test_an_idle_connection_the_shard_closed_is_replaced(
    serve: Callable[[Script], Awaitable[Shard]], pool: UpstreamPool
) -> None:
    async def one_each(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, shard: Shard) -> None:
        await shard.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n" + str(shard.connections).encode())
        await writer.drain()
        await asyncio.sleep(0.05)  # closes after the answer, without announcing it

    shard = await serve(one_each)
    assert await _body(pool, shard.url) == (200, b"1")
    await asyncio.sleep(0.2)
    assert await _body(pool, shard.url) == (200, b"2")
