"""One HTTP/1.1 client connection to a shard: the request written, the response head parsed, the body
handed over piece by piece as it arrives.

Only what forwarding needs: one request at a time per connection (no pipelining), responses framed by
`Content-Length`, `Transfer-Encoding: chunked` (decoded: the client side frames the body again) or the
end of the connection; interim 1xx answers are skipped. Flow control both ways: reading pauses while
more than `HIGH_WATER` bytes wait for the consumer, writing waits while the transport's buffer is full.
Any malformed answer, or a connection lost before the body ended, is `UpstreamError` to whoever waits.

The body is read either piece by piece (`read`), or relayed (`relay`): each piece handed to a sink in the
very callback that parsed it, so a streamed answer (a watch) costs no task wake-up per piece; a sink that
says it is full pauses reading until the consumer has drained it and relays again.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable
from typing import cast

HIGH_WATER = 256 * 1024
MAX_HEAD_BYTES = 1024 * 1024
NO_BODY_STATUSES = frozenset({204, 304})
HEAD, SIZE, DATA, DATA_END, TRAILER, LENGTH, UNTIL_CLOSE, DONE = range(8)
Sink = Callable[[bytes], bool]  # takes a piece of the body; True: it is full, stop until drained


class UpstreamError(Exception):
    """The shard's connection failed or its answer is not HTTP/1.1 we can forward."""


class Http1Connection(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reusable = True
        self.answered = False  # some of the current answer arrived (a failure then is not a stale connection)
        self.idle_since = 0.0
        self._buffer = bytearray()
        self._state = DONE
        self._head_only = False
        self._remaining = 0
        self._head: asyncio.Future[tuple[int, str, list[tuple[str, str]]]] | None = None
        self._chunks: collections.deque[bytes] = collections.deque()
        self._buffered = 0
        self._error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._drained: asyncio.Future[None] | None = None
        self._paused = False
        self._sink: Sink | None = None
        self._relayed: asyncio.Future[bool] | None = None

    # --- the request side ---------------------------------------------------------------------------

    def start(self, head: bytes, *, head_only: bool) -> asyncio.Future[tuple[int, str, list[tuple[str, str]]]]:
        """Write a request head; the future is the response's (status, reason, headers)."""
        assert self.transport is not None and self._state == DONE
        self._state, self._head_only, self._buffer, self.answered = HEAD, head_only, bytearray(), False
        self._chunks.clear()
        self._buffered, self._error = 0, None
        self._sink, self._relayed = None, None
        self._head = asyncio.get_running_loop().create_future()
        self.transport.write(head)
        return self._head

    def write(self, data: bytes) -> None:
        if self.transport is None or self.closed:
            raise UpstreamError("connection closed while sending the request body")
        self.transport.write(data)

    async def drain(self) -> None:
        if self.closed:
            raise UpstreamError("connection closed while sending the request body")
        if self._drained is not None:
            await self._drained

    def pause_writing(self) -> None:
        self._drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)
        self._drained = None

    # --- the response body, for its consumer ---------------------------------------------------------

    @property
    def at_eof(self) -> bool:
        return self._state == DONE and not self._chunks

    def read_nowait(self) -> bytes:
        """What has arrived of the body and not been read yet (b"" if nothing)."""
        if not self._chunks:
            if self._error is not None and self._state != DONE:
                raise self._error
            return b""
        data = b"".join(self._chunks) if len(self._chunks) > 1 else self._chunks[0]
        self._chunks.clear()
        self._buffered = 0
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return data

    async def read(self) -> bytes:
        """The next piece of the body as soon as there is one; b"" once it has ended."""
        while not self._chunks and self._state != DONE:
            if self._error is not None:
                raise self._error
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self.read_nowait()

    def relay(self, sink: Sink) -> asyncio.Future[bool]:
        """Hand what has arrived of the body, and every piece that arrives, to `sink` as it is parsed.

        The future is True once the whole body went to the sink, False when the sink said it is full
        (reading is paused; relay again once it has drained), the error if the answer failed."""
        self._relayed = relayed = asyncio.get_running_loop().create_future()
        self._sink = sink
        pending = self.read_nowait() if self._chunks else b""
        if pending and sink(pending):
            self._stall()
        elif self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        self._wake()
        return relayed

    def detach(self) -> None:
        """No more relaying: the consumer is gone."""
        self._sink = None

    def _stall(self) -> None:
        self._sink = None
        if not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()

    # --- asyncio.Protocol ------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's TLS transport is not a subclass

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed, self.reusable = True, False
        if self._state == UNTIL_CLOSE and exc is None:
            self._state = DONE
        elif self._state != DONE:
            self._fail(UpstreamError(f"the shard closed the connection: {exc!r}"))
        self._wake()
        self.resume_writing()

    def data_received(self, data: bytes) -> None:
        if self._state == DONE:
            self.reusable = False  # bytes nobody asked for: never trust this connection again
            return
        self.answered = True
        self._buffer += data
        try:
            self._parse()
        except UpstreamError as err:
            self._fail(err)
            if self.transport is not None:
                self.transport.abort()
        if self._buffered > HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    # --- parsing -----------------------------------------------------------------------------------------

    def _parse(self) -> None:
        buffer = self._buffer
        while buffer and self._state != DONE:
            state = self._state
            if state == HEAD:
                if not self._parse_head():
                    return
            elif state in (LENGTH, DATA):
                take = bytes(buffer[: self._remaining])
                del buffer[: len(take)]
                self._remaining -= len(take)
                self._body(take)
                if not self._remaining:
                    self._state = DONE if state == LENGTH else DATA_END
            elif state == UNTIL_CLOSE:
                self._body(bytes(buffer))
                buffer.clear()
            elif not self._parse_chunk_line(state):
                return
        if self._state == DONE and buffer:
            self.reusable = False

    def _parse_head(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise UpstreamError("response head too large")
            return False
        lines = bytes(self._buffer[:end]).decode("utf-8", "surrogateescape").split("\r\n")
        del self._buffer[: end + 4]
        version, _, rest = lines[0].partition(" ")
        code, _, reason = rest.partition(" ")
        if version not in ("HTTP/1.1", "HTTP/1.0") or len(code) != 3 or not code.isdigit():
            raise UpstreamError(f"not an HTTP/1.1 status line: {lines[0][:100]!r}")
        status, headers = int(code), [_header(line) for line in lines[1:]]
        if 100 <= status < 200:
            if status == 101:
                raise UpstreamError("the shard switched protocols")
            return True  # an interim answer: the real one follows
        self._framing(status, headers, version)
        if self._head is not None and not self._head.done():
            self._head.set_result((status, reason, headers))
        return True

    def _framing(self, status: int, headers: list[tuple[str, str]], version: str) -> None:
        lowered = {name.lower(): value for name, value in headers}
        connection = lowered.get("connection", "").lower()
        if "close" in connection or (version == "HTTP/1.0" and "keep-alive" not in connection):
            self.reusable = False
        if self._head_only or status in NO_BODY_STATUSES:
            self._state = DONE
        elif "transfer-encoding" in lowered:
            if not lowered["transfer-encoding"].lower().rstrip().endswith("chunked"):
                raise UpstreamError("a transfer coding other than chunked")
            self._state = SIZE
        elif "content-length" in lowered:
            length = lowered["content-length"].strip()
            if not length.isdigit() or any(n.lower() == "content-length" and v.strip() != length for n, v in headers):
                raise UpstreamError("an invalid Content-Length")
            self._remaining = int(length)
            self._state = LENGTH if self._remaining else DONE
        else:
            self._state, self.reusable = UNTIL_CLOSE, False

    def _parse_chunk_line(self, state: int) -> bool:
        end = self._buffer.find(b"\r\n")
        if end < 0:
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise UpstreamError("chunk line too large")
            return False
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 2]
        if state == DATA_END:
            if line:
                raise UpstreamError("chunk data longer than its size")
            self._state = SIZE
        elif state == TRAILER:
            self._state = TRAILER if line else DONE
        else:
            size = line.split(b";", 1)[0].strip()
            try:
                self._remaining = int(size, 16)
            except ValueError:
                raise UpstreamError(f"a bad chunk size: {size[:20]!r}") from None
            self._state = DATA if self._remaining else TRAILER
        return True

    def _body(self, data: bytes) -> None:
        if not data:
            return
        if self._sink is not None:
            if self._sink(data):
                self._stall()
            return
        self._chunks.append(data)
        self._buffered += len(data)

    def _fail(self, err: BaseException) -> None:
        self._error, self.reusable = err, False
        if self._head is not None and not self._head.done():
            self._head.set_exception(err)

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
        relayed = self._relayed
        if relayed is None or relayed.done():
            return
        if self._error is not None and self._state != DONE:
            self._sink = None
            relayed.set_exception(self._error)
        elif self._state == DONE and not self._chunks:
            self._sink = None
            relayed.set_result(True)
        elif self._sink is None:
            relayed.set_result(False)


def _header(line: str) -> tuple[str, str]:
    name, colon, value = line.partition(":")
    if not colon or not name or name != name.strip() or line[0] in " \t":
        raise UpstreamError(f"a malformed header line: {line[:100]!r}")
    return name, value.strip(" \t")
