"""Relaying a shard's answer body: each piece handed to the sink in the callback that parsed it, a full sink
pausing the relay, failures; and the forwarder streaming through aiohttp's server to a client, chunked or
length-framed, with a client that reads slowly."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import RawTestServer, TestClient

from frontproxy.forward import Forwarder
from frontproxy.http1 import UpstreamError
from frontproxy.metrics import ProxyMetrics
from frontproxy.upstream import UpstreamPool
from tests.unit import test_frontproxy_upstream as upstream_tests
from tests.unit.test_frontproxy_upstream import Script, Shard

# the scripted TLS shard and the pool of the upstream tests
paths, serve, pool = upstream_tests.paths, upstream_tests.serve, upstream_tests.pool
Serve = Callable[[Script], Awaitable[Shard]]
CHUNKED = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def in_steps(head: bytes, *pieces: bytes, tail: bytes = b"") -> tuple[Script, list[asyncio.Event]]:
    """A shard that writes `head`, then each piece once its event is set, then `tail`; then answers `{}`."""
    steps = [asyncio.Event() for _ in pieces]

    async def script(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, shard: Shard) -> None:
        await shard.read_request(reader)
        writer.write(head)
        for step, piece in zip(steps, pieces, strict=True):
            await step.wait()
            writer.write(piece)
            await writer.drain()
        writer.write(tail)
        await shard.read_request(reader)  # a next request on the connection: answered at once
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        await reader.read()

    return script, steps


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(0.01)


async def test_each_piece_reaches_the_sink_as_it_arrives(serve: Serve, pool: UpstreamPool) -> None:
    script, steps = in_steps(CHUNKED, chunk(b"hello"), chunk(b" world"), tail=b"0\r\n\r\n")
    shard = await serve(script)
    response = await pool.request("GET", shard.url + "/watch", [], None)
    pieces: list[bytes] = []
    relayed = response.content.relay(lambda data: pieces.append(data) is not None)
    steps[0].set()
    await _until(lambda: pieces == [b"hello"])
    assert not relayed.done()  # the shard has not ended the body: nothing waits for it
    steps[1].set()
    assert await relayed is True and pieces == [b"hello", b" world"]
    response.release()
    assert await _reused_body(pool, shard) == b"{}" and pieces == [b"hello", b" world"]  # the old sink is done


async def _reused_body(pool: UpstreamPool, shard: Shard) -> bytes:
    """Another request on the connection the relay used (the script answers it)."""
    response = await pool.request("GET", shard.url + "/again", [], None)
    data = b""
    while piece := await response.content.read():
        data += piece
    response.release()
    assert shard.connections == 1
    return data


async def test_a_full_sink_pauses_the_relay_until_relayed_again(serve: Serve, pool: UpstreamPool) -> None:
    script, steps = in_steps(CHUNKED, chunk(b"one") + chunk(b"two"), chunk(b"three") + b"0\r\n\r\n")
    shard = await serve(script)
    response = await pool.request("GET", shard.url + "/watch", [], None)
    full: list[bytes] = []
    relayed = response.content.relay(lambda data: full.append(data) is None)
    steps[0].set()
    assert await relayed is False and full == [b"one"]  # "two" came in the same read: kept, not handed over
    steps[1].set()
    await asyncio.sleep(0.1)
    assert full == [b"one"]
    rest: list[bytes] = []
    assert await response.content.relay(lambda data: rest.append(data) is not None) is True
    assert b"".join(rest) == b"twothree"


async def test_a_body_cut_short_fails_the_relay(serve: Serve, pool: UpstreamPool) -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, shard: Shard) -> None:
        await shard.read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello")
        await writer.drain()
        await asyncio.sleep(0.1)

    shard = await serve(cut)
    response = await pool.request("GET", shard.url, [], None)
    pieces: list[bytes] = []
    with pytest.raises(UpstreamError):
        await response.content.relay(lambda data: pieces.append(data) is not None)
    assert pieces == [b"hello"]


@pytest.fixture
async def forwarding(
    pool: UpstreamPool,
) -> AsyncIterator[Callable[[str], Awaitable[TestClient[web.BaseRequest, None]]]]:
    """A client of an aiohttp server whose every request the forwarder sends to `url`."""
    clients: list[TestClient[web.BaseRequest, None]] = []
    forwarder = Forwarder(pool, ProxyMetrics())

    async def start(url: str) -> TestClient[web.BaseRequest, None]:
        async def handler(request: web.BaseRequest) -> web.StreamResponse:
            return await forwarder.forward(request, url, None)

        client: TestClient[web.BaseRequest, None] = TestClient(RawTestServer(handler))
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()


async def test_a_streamed_answer_reaches_the_client_piece_by_piece(
    serve: Serve, forwarding: Callable[[str], Awaitable[TestClient[web.BaseRequest, None]]]
) -> None:
    script, steps = in_steps(CHUNKED, chunk(b'{"a":1}\n'), chunk(b'{"b":2}\n') + b"0\r\n\r\n")
    shard = await serve(script)
    client = await forwarding(shard.url + "/watch")
    async with client.get("/") as response:
        assert response.headers["Transfer-Encoding"] == "chunked"
        steps[0].set()
        assert await asyncio.wait_for(response.content.readline(), 5) == b'{"a":1}\n'
        steps[1].set()
        assert await response.content.read() == b'{"b":2}\n'


async def test_a_length_framed_answer_in_pieces_is_relayed_as_it_is(
    serve: Serve, forwarding: Callable[[str], Awaitable[TestClient[web.BaseRequest, None]]]
) -> None:
    script, steps = in_steps(b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello", b" world")
    shard = await serve(script)
    client = await forwarding(shard.url)
    async with client.get("/") as response:
        assert response.headers["Content-Length"] == "11" and "Transfer-Encoding" not in response.headers
        steps[0].set()
        assert await response.read() == b"hello world"


async def test_a_client_that_reads_slowly_gets_the_whole_body(
    serve: Serve, forwarding: Callable[[str], Awaitable[TestClient[web.BaseRequest, None]]]
) -> None:
    pieces = [bytes([index % 251]) * 65_536 for index in range(128)]  # 8 MiB: far more than any buffer
    script, steps = in_steps(CHUNKED, b"".join(chunk(piece) for piece in pieces) + b"0\r\n\r\n")
    shard = await serve(script)
    client = await forwarding(shard.url)
    async with client.get("/") as response:
        steps[0].set()
        await asyncio.sleep(0.3)  # the client's transport fills up: the relay has to pause and resume
        assert await response.read() == b"".join(pieces)
