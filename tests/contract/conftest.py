"""One real etcd for the whole contract session (embedded.py, random loopback ports, no fsync)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.embedded import EmbeddedEtcd, EmbeddedEtcdConfig

# etcd reports watch progress this often; bookmark tests wait for it.
PROGRESS_NOTIFY_INTERVAL = 0.2


@pytest.fixture(scope="session")
def etcd_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedEtcd]:
    config = EmbeddedEtcdConfig(
        base_dir=Path(tmp_path_factory.mktemp("etcd")),
        unsafe_no_fsync=True,
        progress_notify_interval=PROGRESS_NOTIFY_INTERVAL,
    )
    server = EmbeddedEtcd(config)
    asyncio.run(server.start())
    try:
        yield server
    finally:
        asyncio.run(server.stop())


@pytest.fixture
async def etcd_client(etcd_server: EmbeddedEtcd) -> AsyncIterator[EtcdClient]:
    async with EtcdClient(etcd_server.client_config()) as client:
        yield client
