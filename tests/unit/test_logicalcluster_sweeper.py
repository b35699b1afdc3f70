"""The Sweeper: the last sweep of deleted logical clusters after SWEEP_DELAY_SECONDS, several clusters in one
unconditional `delete_prefixes`; purge hands its sweep to it instead of sweeping at once."""

from __future__ import annotations

import time
from collections.abc import Sequence

from shard.controllers.logicalclusterdeletion.purge import purge
from shard.controllers.logicalclusterdeletion.sweeper import Sweeper
from shard.registry.registry import Registry
from shard.storage import errors as storage_errors
from tests.unit.test_logicalcluster_purge import LC_KEY, RecordingStorage, deleting_cluster, keys_of


async def test_purge_hands_the_last_sweep_to_the_sweeper() -> None:
    registry, storage = await deleting_cluster()
    later: list[str] = []
    assert await purge(registry, "abc", sweep_later=later.append)
    assert later == ["abc"]
    assert storage.transactions() == ["delete_prefixes done", f"delete {LC_KEY}"], "no sweep right away"


async def test_a_late_write_is_swept_once_the_delay_has_passed() -> None:
    registry, storage = await deleting_cluster()
    sweeper = Sweeper(registry, delay=5.0)
    assert await purge(registry, "abc", sweep_later=sweeper.schedule)
    late = "/registry/core/configmaps/abc/default/late"
    await storage.create(late, {"metadata": {"name": "late"}})  # admitted while the cluster still existed
    assert await sweeper.sweep_due(now=time.monotonic()) == 0, "not before the delay"
    assert keys_of(storage) == [late]
    assert await sweeper.sweep_due(now=time.monotonic() + 6.0) == 1
    assert keys_of(storage) == []
    assert len(sweeper) == 0


async def test_the_due_clusters_share_one_transaction() -> None:
    registry, storage = await _two_leftover_clusters()
    sweeper = Sweeper(registry, delay=0.0)
    sweeper.schedule("abc")
    sweeper.schedule("xyz")
    assert await sweeper.sweep_due(now=time.monotonic() + 1.0) == 2
    assert storage.transactions() == ["delete_prefixes done"]
    assert keys_of(storage, "abc") == [] and keys_of(storage, "xyz") == []


async def test_a_failed_sweep_is_tried_again_at_the_next_tick() -> None:
    registry, storage = await _two_leftover_clusters()
    failing = _FailingOnce(storage)
    registry.storage = failing
    sweeper = Sweeper(registry, delay=0.0)
    sweeper.schedule("abc")
    assert await sweeper.sweep_due(now=time.monotonic() + 1.0) == 0
    assert len(sweeper) == 1 and keys_of(storage, "abc") != []
    assert await sweeper.sweep_due(now=time.monotonic() + 1.0) == 1
    assert keys_of(storage, "abc") == []


async def _two_leftover_clusters() -> tuple[Registry, RecordingStorage]:
    registry, storage = await deleting_cluster()
    del storage.objects[LC_KEY]
    await storage.create("/registry/core/configmaps/xyz/default/data", {"metadata": {"name": "data"}})
    return registry, storage


class _FailingOnce:
    """The storage, except that the first delete_prefixes fails as an unreachable etcd would."""

    def __init__(self, storage: RecordingStorage) -> None:
        self._storage = storage
        self._failed = False

    def __getattr__(self, name: str) -> object:
        return getattr(self._storage, name)

    async def delete_prefixes(self, prefixes: Sequence[str], *, unchanged_since: int | None) -> int | None:
        if not self._failed:
            self._failed = True
            raise storage_errors.UnavailableError("/registry/", "etcd unreachable")
        return await self._storage.delete_prefixes(prefixes, unchanged_since=unchanged_since)
