"""The last sweep of deleted logical clusters, done a little later and for many at once.

A write into a logical cluster that was admitted while its LogicalCluster still existed can land after the
content was deleted (the request was in flight; the cluster-existence check also keeps positive answers
for POSITIVE_TTL_SECONDS). A sweep right after the deletion would miss whatever lands after it, so the
sweep waits SWEEP_DELAY_SECONDS, past that window, and then deletes everything under the clusters'
prefixes unconditionally: their LogicalClusters are gone, nothing there may stay. The due clusters of one
tick share transactions (`delete_prefixes` takes up to 128 prefixes in one), so the sweep costs a fraction
of a transaction per deleted workspace instead of one each.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass, field

from shard.controllers.logicalclusterdeletion.purge import content_prefixes
from shard.registry.clusters import POSITIVE_TTL_SECONDS
from shard.registry.registry import Registry
from shard.storage.errors import StorageError
from shard.storage.interface import ListOptions

SWEEP_DELAY_SECONDS = POSITIVE_TTL_SECONDS + 1.0
TICK_SECONDS = 0.5
CACHED = ListOptions(consistent=False)
log = logging.getLogger("kplane.controllers.logicalclusterdeletion")


@dataclass
class Sweeper:
    registry: Registry
    delay: float = SWEEP_DELAY_SECONDS
    _due: deque[tuple[float, str]] = field(default_factory=deque)  # (when, cluster) in scheduling order

    def schedule(self, cluster_name: str) -> None:
        """Sweep this cluster (whose LogicalCluster is gone) once the delay has passed."""
        self._due.append((time.monotonic() + self.delay, cluster_name))

    def __len__(self) -> int:
        return len(self._due)

    async def run(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            await self.sweep_due()

    async def sweep_due(self, *, now: float | None = None) -> int:
        """Sweep every cluster whose time has come; the number swept. A failed sweep is kept for the next tick."""
        moment = time.monotonic() if now is None else now
        due: list[str] = []
        while self._due and self._due[0][0] <= moment:
            due.append(self._due.popleft()[1])
        if not due:
            return 0
        prefixes = [prefix for cluster in due for prefix in await content_prefixes(self.registry, cluster, CACHED)]
        try:
            await self.registry.storage.delete_prefixes(prefixes, unchanged_since=None)
        except StorageError as err:
            log.warning("sweeping %d deleted logical clusters failed (%s); trying again", len(due), err)
            self._due.extendleft((moment, cluster) for cluster in reversed(due))
            return 0
        return len(due)
