"""Periodic compaction of etcd history, as the Kubernetes API server does (default every 5 minutes).

At each tick the revision seen at the previous tick is compacted, so history is kept for at least one
interval. Watches and exact reads older than that answer 410 Expired.
"""

from __future__ import annotations

import asyncio
import logging

from shard.storage.errors import StorageError
from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.rpc_errors import RevisionCompactedError

log = logging.getLogger("kplane.storage.compactor")
DEFAULT_INTERVAL_SECONDS = 300.0


async def run_compactor(etcd_client: EtcdClient, *, interval: float = DEFAULT_INTERVAL_SECONDS) -> None:
    previous = 0
    while True:
        await asyncio.sleep(interval)
        try:
            current = (await etcd_client.status()).revision
        except StorageError as err:  # unreachable: try again next tick
            log.warning("compaction skipped: %s", err)
            continue
        try:
            if previous:
                await etcd_client.compact(previous)
        except RevisionCompactedError:
            pass  # someone compacted at least this far (another API server, an operator): nothing to do
        except StorageError as err:
            log.warning("compaction skipped: %s", err)
            continue
        previous = current
