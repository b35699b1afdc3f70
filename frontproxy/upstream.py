"""The forwarder's way to shards: keep-alive HTTP/1.1 connections over mTLS, pooled per shard.

Cheaper per request than a general HTTP client (no cookie jar, redirects, tracing, URL objects or
per-request option merging): the request head is written as one string, the response comes from
http1.py. Connecting is bounded by `connect_seconds`; nothing else times out (a watch lasts as long as
the shard keeps it). A connection goes back to the pool only after a complete answer that allows it;
an idle one is used again for at most `idle_seconds` (less than a shard's keep-alive, so a shard rarely
closes one as it is reused). A reused connection that fails before any answer is retried once on a new
one when the request can be sent again (no body, or one held in memory).

Header names and values with CR or LF are refused (`ValueError`): they would split the request.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

from frontproxy.http1 import Http1Connection, UpstreamError

Body = bytes | AsyncIterator[bytes] | None
Head = tuple[int, str, list[tuple[str, str]]]
SENDS_BODY = frozenset({"POST", "PUT", "PATCH"})  # an absent body is announced as Content-Length: 0


@dataclass(frozen=True)
class Origin:
    host: str
    port: int
    authority: str


class UpstreamResponse:
    """A shard's answer: status, reason, headers, and the body read through `content`."""

    def __init__(self, pool: UpstreamPool, origin: Origin, connection: Http1Connection, head: Head) -> None:
        self.status, self.reason, self.headers = head
        self.content = connection
        self._pool, self._origin = pool, origin

    def release(self) -> None:
        """Done with a completely read answer: the connection may serve another request."""
        self._pool.put_back(self._origin, self.content)

    def close(self) -> None:
        """Done before the end of the answer: the connection is dropped."""
        _abort(self.content)


@dataclass
class UpstreamPool:
    ssl_context: ssl.SSLContext
    connect_seconds: float = 10.0
    idle_seconds: float = 30.0
    idle: dict[Origin, list[Http1Connection]] = field(default_factory=dict)
    origins: dict[str, tuple[Origin, str]] = field(default_factory=dict)

    async def request(self, method: str, url: str, headers: Iterable[tuple[str, str]], body: Body) -> UpstreamResponse:
        origin, target = self._split(url)
        head, chunked = _request_head(method, target, origin, headers, body)
        connection, reused = await self._connection(origin)
        try:
            try:
                answer = await self._exchange(connection, method, head, body, chunked)
            except UpstreamError:
                if not reused or connection.answered or not (body is None or isinstance(body, bytes)):
                    raise
                _abort(connection)
                connection = await self._connect(origin)  # the shard closed the idle connection meanwhile
                answer = await self._exchange(connection, method, head, body, chunked)
        except BaseException:
            _abort(connection)
            raise
        return UpstreamResponse(self, origin, connection, answer)

    def put_back(self, origin: Origin, connection: Http1Connection) -> None:
        if connection.reusable and not connection.closed and connection.at_eof:
            connection.idle_since = time.monotonic()
            self.idle.setdefault(origin, []).append(connection)
        elif connection.transport is not None:
            connection.transport.close()

    def close(self) -> None:
        for connections in self.idle.values():
            for connection in connections:
                if connection.transport is not None:
                    connection.transport.close()
        self.idle.clear()

    async def _exchange(self, connection: Http1Connection, method: str, head: bytes, body: Body, chunked: bool) -> Head:
        answer = connection.start(head + body if isinstance(body, bytes) else head, head_only=method == "HEAD")
        if body is None or isinstance(body, bytes):
            return await answer
        sending = asyncio.ensure_future(_send_stream(connection, body, chunked))
        try:
            result = await answer
        finally:
            if not sending.done():
                connection.reusable = False  # answered before the whole body went: never reuse it
                sending.cancel()
            with contextlib.suppress(asyncio.CancelledError, UpstreamError, OSError):
                await sending
        return result

    async def _connection(self, origin: Origin) -> tuple[Http1Connection, bool]:
        idle = self.idle.get(origin)
        now = time.monotonic()
        while idle:
            connection = idle.pop()
            if not connection.closed and now - connection.idle_since < self.idle_seconds:
                return connection, True
            if connection.transport is not None:
                connection.transport.close()
        return await self._connect(origin), False

    async def _connect(self, origin: Origin) -> Http1Connection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_seconds):
                _, connection = await loop.create_connection(
                    Http1Connection, origin.host, origin.port, ssl=self.ssl_context, server_hostname=origin.host
                )
        except (OSError, TimeoutError) as err:
            raise UpstreamError(f"cannot connect to {origin.authority}: {err!r}") from err
        return connection

    def _split(self, url: str) -> tuple[Origin, str]:
        """(origin, request target) of an https URL; origins are remembered (there are few shards)."""
        scheme, _, rest = url.partition("://")
        authority, slash, target = rest.partition("/")
        known = self.origins.get(authority)
        if known is None:
            if scheme != "https" or not authority:
                raise UpstreamError(f"not an https URL: {url[:100]!r}")
            if len(self.origins) > 1000:
                self.origins.clear()
            known = self.origins[authority] = (_origin(authority), authority)
        return known[0], slash + target if slash else "/"


def _origin(authority: str) -> Origin:
    host, _, port = authority.rpartition(":") if not authority.endswith("]") else (authority, "", "")
    if not host or (port and not port.isdigit()):
        host, port = authority, ""
    return Origin(host.strip("[]"), int(port) if port else 443, authority)


def _abort(connection: Http1Connection) -> None:
    connection.reusable = False
    connection.detach()
    if connection.transport is not None:
        connection.transport.abort()


def _request_head(
    method: str, target: str, origin: Origin, headers: Iterable[tuple[str, str]], body: Body
) -> tuple[bytes, bool]:
    """The request head, and whether the body goes in chunked encoding."""
    headers = list(headers)
    chunked = False
    lines = [f"{method} {target} HTTP/1.1", f"Host: {origin.authority}"]
    lines.extend([f"{name}: {value}" for name, value in headers])
    # only a request that has or announces a body needs to know whether its length was given (not most gets)
    if (body is not None or method in SENDS_BODY) and not _has_content_length(headers):
        if isinstance(body, bytes):
            lines.append(f"Content-Length: {len(body)}")
        elif body is not None:
            lines.append("Transfer-Encoding: chunked")
            chunked = True
        else:
            lines.append("Content-Length: 0")
    text = "\r\n".join(lines)
    if text.count("\n") != len(lines) - 1 or text.count("\r") != len(lines) - 1:
        raise ValueError("a CR or LF in the request line or a header: refused")
    return (text + "\r\n\r\n").encode("utf-8", "surrogateescape"), chunked


def _has_content_length(headers: list[tuple[str, str]]) -> bool:
    return any(name.lower() == "content-length" for name, _ in headers)


async def _send_stream(connection: Http1Connection, body: AsyncIterator[bytes], chunked: bool) -> None:
    """Stream a request body: as it comes if its length was announced, else in chunked encoding."""
    async for chunk in body:
        if chunk:
            connection.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            await connection.drain()
    if chunked:
        connection.write(b"0\r\n\r\n")
