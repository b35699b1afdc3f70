"""The child etcd process: random ports, data dir, stop (and kill when it will not stop)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.embedded import EmbeddedEtcd, EmbeddedEtcdConfig

pytestmark = pytest.mark.asyncio(loop_scope="session")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_starts_on_random_loopback_port_with_data_under_base_dir(tmp_path: Path) -> None:
    async with EmbeddedEtcd(EmbeddedEtcdConfig(base_dir=tmp_path, unsafe_no_fsync=True)) as etcd:
        assert etcd.endpoint.startswith("http://127.0.0.1:") and etcd.client_port not in (2379, 2380)
        async with EtcdClient(etcd.client_config()) as client:
            assert (await client.status()).version
        assert (etcd.data_dir / "member").is_dir() and etcd.data_dir.parent == tmp_path
        pid = etcd.pid
    assert pid is not None and not alive(pid)


async def test_stop_kills_an_etcd_that_does_not_stop(tmp_path: Path) -> None:
    etcd = EmbeddedEtcd(EmbeddedEtcdConfig(base_dir=tmp_path, unsafe_no_fsync=True, stop_timeout=0.3))
    await etcd.start()
    pid = etcd.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # a stopped process ignores SIGTERM until continued
    await etcd.stop()
    assert not alive(pid)
