"""Whether a logical cluster exists: its `LogicalCluster` named `cluster` is stored.

Hits are remembered for a short time, so the per-request check costs no storage round trip; a miss is
always asked of storage, so a cluster is usable the moment its LogicalCluster is created.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from shard.registry.keys import logical_cluster_key
from shard.storage import errors as storage_errors
from shard.storage.interface import Storage

POSITIVE_TTL_SECONDS = 2.0


@dataclass
class LogicalClusters:
    storage: Storage
    _seen: dict[str, float] = field(default_factory=dict)

    async def exists(self, cluster: str) -> bool:
        now = time.monotonic()
        if self._seen.get(cluster, 0.0) > now:
            return True
        try:
            try:
                await self.storage.get(logical_cluster_key(cluster), consistent=False)
            except storage_errors.KeyNotFoundError:
                await self.storage.get(logical_cluster_key(cluster))
        except storage_errors.KeyNotFoundError:
            self._seen.pop(cluster, None)
            return False
        self._seen[cluster] = now + POSITIVE_TTL_SECONDS
        return True

    def forget(self, cluster: str) -> None:
        self._seen.pop(cluster, None)
