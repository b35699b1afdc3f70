"""The storage contract suite against Etcd3Storage and against the Cacher in front of it."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from shard.storage.cacher import Cacher, CacherConfig
from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.store import Etcd3Storage
from shard.storage.testing import StorageContract, StorageHarness
from shard.storage.testing.harness import MIN_HISTORY

pytestmark = pytest.mark.asyncio(loop_scope="session")
FUTURE_REVISION_WAIT = 0.3


def new_prefixes() -> tuple[str, str]:
    """A prefix of this test's own and a sibling outside it (same parent, so it sorts nearby)."""
    test_id = uuid.uuid4().hex[:10]
    return f"/contract/{test_id}/", f"/contract/{test_id}-outside/"


def harness_for(storage: Etcd3Storage | Cacher, etcd_client: EtcdClient, prefixes: tuple[str, str]) -> StorageHarness:
    return StorageHarness(storage=storage, prefix=prefixes[0], outside_prefix=prefixes[1], compact=etcd_client.compact)


class TestEtcd3Storage(StorageContract):
    @pytest_asyncio.fixture(loop_scope="session")
    async def harness(self, etcd_client: EtcdClient) -> StorageHarness:
        store = Etcd3Storage(etcd_client=etcd_client, future_revision_wait=FUTURE_REVISION_WAIT)
        return harness_for(store, etcd_client, new_prefixes())


class TestCacher(StorageContract):
    @pytest_asyncio.fixture(loop_scope="session")
    async def harness(self, etcd_client: EtcdClient) -> AsyncIterator[StorageHarness]:
        store = Etcd3Storage(etcd_client=etcd_client, future_revision_wait=FUTURE_REVISION_WAIT)
        prefixes = new_prefixes()
        config = CacherConfig(capacity=MIN_HISTORY, bookmark_interval=0.2)
        async with Cacher(underlying=store, prefix=prefixes[0], config=config) as cacher:
            yield harness_for(cacher, etcd_client, prefixes)
