"""An embedded etcd of a test module's own, run in a thread so that sync tests can read it directly (the
fixtures `etcd`, `server` and `ctl` of conftest.py use it)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.config import EtcdClientConfig
from shard.storage.etcd3.embedded import EmbeddedEtcd, EmbeddedEtcdConfig
from shard.storage.etcd3.keys import prefix_range_end


class EtcdInThread:
    """An embedded etcd run on its own event loop in a thread, so sync tests can read it directly."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self.endpoint = ""
        self._started = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with EmbeddedEtcd(EmbeddedEtcdConfig(self.base_dir, unsafe_no_fsync=True)) as etcd:
            self.endpoint = etcd.endpoint
            self._started.set()
            await self._stop.wait()

    def __enter__(self) -> EtcdInThread:
        self._thread.start()
        assert self._started.wait(60), "embedded etcd did not start"
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def stored_keys(self, prefix: str = "/registry/") -> list[str]:
        async def read() -> list[str]:
            async with EtcdClient(EtcdClientConfig(endpoint=self.endpoint)) as etcd_client:
                start = prefix.encode()
                result = await etcd_client.range(start, range_end=prefix_range_end(start), keys_only=True)
                return [kv.key.decode() for kv in result.kvs]

        return asyncio.run(read())
