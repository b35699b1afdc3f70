"""Store.delete(consistent=False): a controller's delete starts from the watch cache's state (that a stale
state is found out and judged again is the storage contract's: contract_crud.py, `cached`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from apimachinery.apis.catalog import builtin_catalog
from apimachinery.apis.core_v1 import CONFIGMAPS
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.options import DeleteRequest
from shard.registry.registry import Registry
from shard.registry.store import Store
from tests.unit.memory_storage import MemoryStorage

ADMIN = UserInfo("admin", ("system:masters",))
CTX = RequestContext("abc", ADMIN, "default")


@dataclass
class CountingReads(MemoryStorage):
    """Records whether each get asked for the current state or allowed a cached one."""

    reads: list[str] = field(default_factory=list)

    async def get(self, key: str, *, revision: int = 0, consistent: bool = True) -> Any:
        self.reads.append("current" if consistent else "cached")
        return await super().get(key)


async def _kept_configmap() -> tuple[Store, CountingReads]:
    storage = CountingReads()
    store = Registry(builtin_catalog(), storage).store_of(CONFIGMAPS)
    await storage.create("/registry/core/namespaces/abc/default", {"metadata": {"name": "default"}})
    await store.create(CTX, {"metadata": {"name": "c", "finalizers": ["example.com/keep"]}}, WriteOptions())
    storage.reads = []
    return store, storage


@pytest.mark.parametrize(("consistent", "first_read"), [(False, "cached"), (True, "current")])
async def test_the_delete_starts_from_the_state_asked_for(consistent: bool, first_read: str) -> None:
    store, storage = await _kept_configmap()
    marked, gone = await store.delete(CTX, "c", DeleteRequest(), consistent=consistent)
    assert not gone and marked["metadata"]["deletionTimestamp"]
    assert storage.reads[0] == first_read
