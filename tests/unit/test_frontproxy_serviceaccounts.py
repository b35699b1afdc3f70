"""The front-proxy's ServiceAccount check (asked of the account's shard, remembered briefly) and the
newline framing of watch streams from shards."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from apimachinery.index.sharded import ShardedIndex
from frontproxy.authentication import ShardServiceAccounts
from frontproxy.lookup import Resolver
from frontproxy.metrics import ProxyMetrics
from frontproxy.shardclient import Object, ShardError, ShardUnreachable, _lines

SA_PATH = "/clusters/c1/api/v1/namespaces/default/serviceaccounts/robot"


class Shards:
    def __init__(self) -> None:
        self.accounts: dict[str, Object] = {"https://s1" + SA_PATH: {"metadata": {"uid": "uid-1"}}}
        self.down = False
        self.asked: list[str] = []

    async def get(self, base_url: str, path: str) -> Object | None:
        self.asked.append(base_url + path)
        if self.down:
            raise ShardUnreachable(base_url)
        return self.accounts.get(base_url + path)


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def _accounts(shards: Shards, clock: Clock) -> ShardServiceAccounts:
    index = ShardedIndex()
    index.set_shard("s1", "https://s1")
    index.set_cluster("s1", "c1")
    return ShardServiceAccounts(Resolver(index, shards, "https://root", ProxyMetrics()), shards, clock=clock)


async def test_the_uid_is_asked_of_the_accounts_shard_and_remembered_briefly() -> None:
    shards, clock = Shards(), Clock()
    accounts = _accounts(shards, clock)
    assert await accounts("c1", "default", "robot") == "uid-1"
    shards.accounts.clear()  # deleted: still remembered for the ttl
    assert await accounts("c1", "default", "robot") == "uid-1"
    assert len(shards.asked) == 1
    clock.now += 6
    assert await accounts("c1", "default", "robot") is None
    assert len(shards.asked) == 2


async def test_missing_accounts_and_outages_are_never_remembered() -> None:
    shards, clock = Shards(), Clock()
    accounts = _accounts(shards, clock)
    shards.down = True
    assert await accounts("c1", "default", "robot") is None
    shards.down = False
    assert await accounts("c1", "default", "robot") == "uid-1"
    assert await accounts("c1", "default", "nobody") is None
    assert await accounts("c1", "default", "nobody") is None
    assert await accounts("unknown-cluster", "default", "robot") is None
    assert len([url for url in shards.asked if url.endswith("/nobody")]) == 2


async def test_names_are_escaped_into_one_path_segment() -> None:
    shards = Shards()
    await _accounts(shards, Clock())("c1", "a/b", "x?y")
    assert shards.asked[-1] == "https://s1/clusters/c1/api/v1/namespaces/a%2Fb/serviceaccounts/x%3Fy"


class Stream:
    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    async def iter_any(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


async def test_watch_frames_are_yielded_per_newline_whatever_the_chunking() -> None:
    stream = Stream(b'{"type":"ADDED"}\n{"ty', b'pe":"MODI', b'FIED"}\n\n{"type":"DELETED"}')
    frames = [frame async for frame in _lines(stream)]  # type: ignore[arg-type]
    assert frames == [b'{"type":"ADDED"}', b'{"type":"MODIFIED"}', b'{"type":"DELETED"}']


async def test_an_endless_line_is_an_error_not_unbounded_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("frontproxy.shardclient.MAX_LINE_BYTES", 8)
    with pytest.raises(ShardError):
        [frame async for frame in _lines(Stream(b"0123456789"))]  # type: ignore[arg-type]
