"""The compactor keeps moving when etcd was compacted by someone else or was briefly unreachable."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any, cast

from shard.storage.errors import StorageError
from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.compactor import run_compactor
from shard.storage.etcd3.rpc_errors import RevisionCompactedError


@dataclass
class Status:
    revision: int


@dataclass
class FakeEtcd:
    """Revisions grow by 10 per status call; `compacted_by_others` revisions answer compacted."""

    revision: int = 0
    compacted_by_others: set[int] = field(default_factory=set)
    unreachable_once: bool = False
    compacted: list[int] = field(default_factory=list)

    async def status(self, **_: Any) -> Status:
        if self.unreachable_once:
            self.unreachable_once = False
            raise StorageError("etcd unreachable")
        self.revision += 10
        return Status(self.revision)

    async def compact(self, revision: int, **_: Any) -> None:
        if revision in self.compacted_by_others:
            raise RevisionCompactedError("", revision, revision + 5)
        self.compacted.append(revision)


async def _ticks(etcd: FakeEtcd, count: int) -> None:
    task = asyncio.create_task(run_compactor(cast(EtcdClient, etcd), interval=0.001))

    async def enough() -> None:
        while len(etcd.compacted) < count:
            await asyncio.sleep(0.001)

    try:
        await asyncio.wait_for(enough(), 5)
    finally:
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def test_each_tick_compacts_the_revision_of_the_previous_tick() -> None:
    etcd = FakeEtcd()
    asyncio.run(_ticks(etcd, 3))
    assert etcd.compacted[:3] == [10, 20, 30]


def test_a_revision_compacted_by_someone_else_is_not_retried_forever() -> None:
    etcd = FakeEtcd(compacted_by_others={10})
    asyncio.run(_ticks(etcd, 2))
    assert etcd.compacted[:2] == [20, 30]


def test_an_unreachable_etcd_skips_a_tick() -> None:
    etcd = FakeEtcd(unreachable_once=True)
    asyncio.run(_ticks(etcd, 2))
    assert etcd.compacted[:2] == [10, 20]
