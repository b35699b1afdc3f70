"""How the front-proxy itself talks to shards (index feeder, lookups, ServiceAccount checks).

Every call goes over the process's one `aiohttp.ClientSession` (mTLS with the front-proxy client
certificate) and speaks as `system:kcp:front-proxy` in `system:masters` through request-header
authentication, which is what lets the feeder list and watch `/clusters/*`. Answers: a decoded object,
None for "not there for you" (403/404), `ShardError` for any other HTTP status, `ShardUnreachable` when
no answer came (connection refused, reset, TLS failure, timeout).
"""

from __future__ import annotations

import random
from collections.abc import AsyncGenerator, AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

import aiohttp
import orjson

from apimachinery.auth.user import UserInfo
from frontproxy.identity import identity_headers
from frontproxy.options import FEEDER_GROUPS, FEEDER_USER

Object = dict[str, Any]
LIST_PAGE_SIZE = 500
WATCH_SECONDS = (300, 600)  # a server-side watch timeout drawn from this range, as reflectors do
MAX_LINE_BYTES = 16 * 1024 * 1024
USER_AGENT = "kplane-front-proxy"


class ShardUnreachable(Exception):
    """No HTTP answer from the shard."""


class ShardError(Exception):
    """The shard answered with an unexpected status."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"HTTP {status}: {body[:200]!r}")
        self.status = status


@dataclass(frozen=True)
class Listed:
    items: list[Object]
    resource_version: str


class ShardReader(Protocol):
    async def get(self, base_url: str, path: str) -> Object | None:
        """The object at `path` of the shard at `base_url`; None if it is not there (or not for us)."""
        ...


class ShardWatcher(Protocol):
    async def list(self, base_url: str, path: str) -> Listed:
        """Every item, and the list's resourceVersion."""
        ...

    def watch(self, base_url: str, path: str, resource_version: str) -> AsyncGenerator[Object, None]:
        """Watch events from `resource_version` until the shard ends the watch."""
        ...


@dataclass
class ShardClient:
    session: aiohttp.ClientSession
    identity: UserInfo = field(default_factory=lambda: UserInfo(FEEDER_USER, FEEDER_GROUPS))
    request_seconds: float = 10.0

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [
            ("Accept", "application/json"),
            ("Accept-Encoding", "identity"),  # the session never decompresses: it forwards bytes as they are
            ("User-Agent", USER_AGENT),
            *identity_headers(self.identity),
        ]

    async def get(self, base_url: str, path: str) -> Object | None:
        """The object at `path`; None if the shard says it is not there (404) or not for us (403)."""
        status, body = await self._request(base_url + path)
        if status in (403, 404):
            return None
        if status != 200:
            raise ShardError(status, body)
        return _decoded(body)

    async def list(self, base_url: str, path: str) -> Listed:
        """Every item of a list, page by page, and the list's resourceVersion."""
        items: list[Object] = []
        params: dict[str, str] = {"limit": str(LIST_PAGE_SIZE)}
        while True:
            status, body = await self._request(f"{base_url}{path}?{urlencode(params)}")
            if status != 200:
                raise ShardError(status, body)
            page = _decoded(body)
            items.extend(page.get("items") or [])
            metadata = page.get("metadata") or {}
            if not metadata.get("continue"):
                return Listed(items, str(metadata.get("resourceVersion", "")))
            params["continue"] = str(metadata["continue"])

    async def watch(self, base_url: str, path: str, resource_version: str) -> AsyncGenerator[Object, None]:
        """The watch events of `path` from `resource_version`, as they arrive, until the shard ends it."""
        seconds = random.randint(*WATCH_SECONDS)
        query = {"watch": "true", "allowWatchBookmarks": "true", "timeoutSeconds": str(seconds)}
        if resource_version:
            query["resourceVersion"] = resource_version
        timeout = aiohttp.ClientTimeout(total=seconds + 30, sock_connect=self.request_seconds)
        try:
            async with self.session.get(
                f"{base_url}{path}?{urlencode(query)}", headers=self.headers, timeout=timeout
            ) as response:
                if response.status != 200:
                    raise ShardError(response.status, await response.read())
                async for line in _lines(response.content):
                    yield _decoded(line)
        except (TimeoutError, aiohttp.ClientError, OSError) as err:
            raise ShardUnreachable(f"{base_url}: {err!r}") from err

    async def _request(self, url: str) -> tuple[int, bytes]:
        timeout = aiohttp.ClientTimeout(total=self.request_seconds)
        try:
            async with self.session.get(url, headers=self.headers, timeout=timeout) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ClientError, OSError) as err:
            raise ShardUnreachable(f"{url}: {err!r}") from err


async def _lines(content: aiohttp.StreamReader) -> AsyncIterator[bytes]:
    """Newline-delimited frames, each yielded as soon as its newline arrives."""
    buffer = b""
    async for chunk in content.iter_any():
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            if line.strip():
                yield line
        if len(buffer) > MAX_LINE_BYTES:
            raise ShardError(200, b"watch event larger than the limit")
    if buffer.strip():
        yield buffer


def _decoded(body: bytes) -> Object:
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError as err:
        raise ShardError(200, body) from err
    if not isinstance(decoded, Mapping):
        raise ShardError(200, body)
    return dict(decoded)
