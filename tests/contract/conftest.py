"""One real etcd for the whole contract session (embedded.py, random loopback ports, no fsync).

Everything in tests/contract runs on ONE event loop (the session's): grpc.aio binds its poller to
the loop of the first live channel, so channels on a sequence of per-test loops can outlive a loop.
Test modules here set `pytestmark = pytest.mark.asyncio(loop_scope="session")`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.embedded import EmbeddedEtcd, EmbeddedEtcdConfig

# etcd reports watch progress this often; bookmark tests wait for it.
PROGRESS_NOTIFY_INTERVAL = 0.2


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def etcd_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EmbeddedEtcd]:
    config = EmbeddedEtcdConfig(
        base_dir=Path(tmp_path_factory.mktemp("etcd")),
        unsafe_no_fsync=True,
        progress_notify_interval=PROGRESS_NOTIFY_INTERVAL,
    )
    async with EmbeddedEtcd(config) as server:
        yield server


@pytest_asyncio.fixture(loop_scope="session")
async def etcd_client(etcd_server: EmbeddedEtcd) -> AsyncIterator[EtcdClient]:
    async with EtcdClient(etcd_server.client_config()) as client:
        yield client
