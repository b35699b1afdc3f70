"""Store.delete(consistent=False): a controller's delete starts from the watch cache's state (that a stale
state is found out and judged again is the storage contract's: contract_crud.py, `cached`)."""

from __future__ import annotations

import copy

from apimachinery.apis.catalog import builtin_catalog
from apimachinery.apis.core_v1 import CONFIGMAPS
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.options import DeleteRequest
from shard.registry.registry import Registry
from tests.unit.memory_storage import MemoryStorage

ADMIN = UserInfo("admin", ("system:masters",))


class StaleReads(MemoryStorage):
    """Non-consistent gets answer from a snapshot taken by `freeze()` (a lagging watch cache)."""

    frozen: dict[str, dict] | None = None

    def freeze(self) -> None:
        self.frozen = copy.deepcopy(self.objects)

    async def get(self, key: str, *, revision: int = 0, consistent: bool = True) -> dict:
        self.reads = getattr(self, "reads", []) + ["current" if consistent else "cached"]
        if not consistent and self.frozen is not None and key in self.frozen:
            return copy.deepcopy(self.frozen[key])
        return await super().get(key)


async def test_a_cached_delete_reads_no_current_state() -> None:
    storage = StaleReads()
    registry = Registry(builtin_catalog(), storage)
    ctx = RequestContext("abc", ADMIN, "default")
    store = registry.store_of(CONFIGMAPS)
    await storage.create("/registry/core/namespaces/abc/default", {"metadata": {"name": "default"}})
    await store.create(ctx, {"metadata": {"name": "c", "finalizers": ["example.com/keep"]}}, WriteOptions())
    storage.reads = []
    marked, gone = await store.delete(ctx, "c", DeleteRequest(), consistent=False)
    assert not gone and marked["metadata"]["deletionTimestamp"]
    assert storage.reads[0] == "cached", "the Store's own read comes from the cache"


async def test_a_consistent_delete_reads_the_current_state() -> None:
    storage = StaleReads()
    registry = Registry(builtin_catalog(), storage)
    ctx = RequestContext("abc", ADMIN, "default")
    store = registry.store_of(CONFIGMAPS)
    await storage.create("/registry/core/namespaces/abc/default", {"metadata": {"name": "default"}})
    await store.create(ctx, {"metadata": {"name": "c", "finalizers": ["example.com/keep"]}}, WriteOptions())
    storage.reads = []
    await store.delete(ctx, "c", DeleteRequest())
    assert storage.reads[0] == "current"
