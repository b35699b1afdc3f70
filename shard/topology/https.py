"""Calls from this shard to another shard over HTTPS, as `system:kcp:shard` (the PKI's shard-client
certificate, group system:masters), with the retry policy of shard/topology/resilience.py.

`ShardHttp.call` makes up to `backoff.attempts` attempts: a failure to connect, a failure after sending
(reset, timeout) and the statuses 429/500/502/503/504 are retried after the backoff's delays; any other
status is the answer. When the attempts run out, or the shard's breaker is open, the call raises
`ShardUnreachable` if the last failure was a failure to connect (the request never reached the shard), or
`ShardCallFailed` otherwise (it may have been applied). The transport is injected, so the policy is tested
without sockets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
import orjson

from apimachinery.pki import PkiPaths, ssl_client_context
from shard.topology.resilience import Backoff, Breakers

Object = dict[str, Any]
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
CONNECT_TIMEOUT_SECONDS = 3.0


class ShardUnreachable(Exception):
    """No connection to the shard could be made (or its breaker is open): nothing reached it."""

    def __init__(self, shard_name: str, detail: str) -> None:
        super().__init__(f'shard "{shard_name}" is unreachable: {detail}')
        self.shard_name = shard_name
        self.detail = detail


class ShardCallFailed(Exception):
    """The shard was reached but the call did not complete; it may or may not have been applied."""


class ConnectFailed(Exception):
    """Transport: the connection could not be established."""


class SendFailed(Exception):
    """Transport: connected, but no complete answer came back."""


@dataclass(frozen=True)
class Response:
    status: int
    body: Object


class Transport(Protocol):
    async def send(self, method: str, url: str, body: Object | None) -> Response: ...

    async def close(self) -> None: ...


@dataclass
class AiohttpTransport:
    """One aiohttp session (made on first use, inside the running loop) with the shard-client certificate."""

    pki: PkiPaths
    timeout: float = 10.0
    _session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            context = ssl_client_context(self.pki.ca_cert, self.pki.shard_client_cert, self.pki.shard_client_key)
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=context),
                timeout=aiohttp.ClientTimeout(total=self.timeout, sock_connect=CONNECT_TIMEOUT_SECONDS),
            )
        return self._session

    async def send(self, method: str, url: str, body: Object | None) -> Response:
        data = orjson.dumps(body) if body is not None else None
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        try:
            async with self._open().request(method, url, data=data, headers=headers) as answer:
                raw = await answer.read()
                return Response(answer.status, _decode(raw))
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as err:
            raise ConnectFailed(str(err) or type(err).__name__) from err
        except (aiohttp.ClientError, TimeoutError) as err:
            raise SendFailed(str(err) or type(err).__name__) from err

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _decode(raw: bytes) -> Object:
    try:
        decoded = orjson.loads(raw) if raw else {}
    except orjson.JSONDecodeError:
        return {"message": raw[:200].decode("utf-8", "replace")}
    return decoded if isinstance(decoded, dict) else {}


@dataclass
class ShardHttp:
    """Retrying, breaker-guarded JSON calls to shards; one instance per shard process."""

    transport: Transport
    backoff: Backoff = field(default_factory=Backoff)
    breakers: Breakers = field(default_factory=Breakers)
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep

    def available(self, shard_name: str) -> bool:
        """False while the shard's breaker is open (it failed to connect too often, and recently)."""
        return self.breakers.available(shard_name)

    async def call(self, shard_name: str, method: str, url: str, body: Object | None = None) -> Response:
        breaker = self.breakers.of(shard_name)
        unreachable, last_error = True, "circuit breaker open"
        for delay in [0.0, *self.backoff.delays()]:
            if delay:
                await self.sleep(delay)
            if not breaker.allow():
                break
            try:
                response = await self.transport.send(method, url, body)
            except ConnectFailed as err:
                breaker.connect_failed()
                unreachable, last_error = True, str(err)
                continue
            except SendFailed as err:
                breaker.succeeded()  # a connection was made: the shard is there
                unreachable, last_error = False, str(err)
                continue
            breaker.succeeded()
            if response.status not in RETRIED_STATUSES:
                return response
            unreachable, last_error = False, f"HTTP {response.status}: {response.body.get('message', '')}"
        if unreachable:
            raise ShardUnreachable(shard_name, last_error)
        raise ShardCallFailed(f'call to shard "{shard_name}" failed: {last_error}')

    async def close(self) -> None:
        await self.transport.close()
