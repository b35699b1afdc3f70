"""Store.delete (registry/deletion.py): the verdict starts from the watch cache's state and is made again on
etcd's whenever the cache was behind, so a lagging cache never costs a wrong answer: an object that gained a
finalizer is marked, not deleted; one that lost its finalizers is deleted, not left marked; one the cache
does not show yet is found; a client's preconditions are checked against the real state."""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass, field
from typing import Any

import pytest

from apimachinery import errors
from apimachinery.apis.catalog import builtin_catalog
from apimachinery.apis.core_v1 import CONFIGMAPS
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.options import DeleteRequest
from shard.registry.registry import Registry
from shard.registry.store import Store
from shard.storage import errors as storage_errors
from tests.unit.memory_storage import MemoryStorage

Object = dict[str, Any]
ADMIN = UserInfo("admin", ("system:masters",))
CTX = RequestContext("abc", ADMIN, "default")
KEY = "/registry/core/configmaps/abc/default/c"


@dataclass
class LaggingCache(MemoryStorage):
    """MemoryStorage with a watch cache that may lag (`behind`: the cache's state of a key, None: the cache
    lacks it) and etcd3's guarded writes from a cached state: a write (or a verdict that aborts it) made on
    a state that is not etcd's current one is made again on etcd's."""

    behind: dict[str, Object | None] = field(default_factory=dict)
    reads: list[str] = field(default_factory=list)
    writing: bool = False  # MemoryStorage's own reads inside a write are no reader's

    async def get(self, key: str, *, revision: int = 0, consistent: bool = True) -> Object:
        if not self.writing:
            self.reads.append("etcd" if consistent else "cache")
        if not consistent and key in self.behind:
            state = self.behind[key]
            if state is None:
                raise storage_errors.KeyNotFoundError(key)
            return copy.deepcopy(state)
        return await super().get(key)

    def _is_current(self, cached: Object | None, key: str) -> bool:
        real = self.objects.get(key)
        return cached is None or (real is not None and cached["metadata"] == real["metadata"] and cached == real)

    async def guaranteed_update(self, key: str, update: Any, *, preconditions: Any = None, cached: Any = None) -> Any:
        if cached is not None and not self._is_current(cached, key):
            with contextlib.suppress(Exception):  # the guarded write fails; a verdict is judged again
                await update(copy.deepcopy(cached))
        self.writing = True
        try:
            return await super().guaranteed_update(key, update)
        finally:
            self.writing = False

    async def delete(self, key: str, *, preconditions: Any = None, validate: Any = None, cached: Any = None) -> Any:
        if cached is not None and not self._is_current(cached, key) and validate is not None:
            with contextlib.suppress(Exception):  # a verdict on a stale state is judged again
                await validate(copy.deepcopy(cached))
        self.writing = True
        try:
            return await super().delete(key, validate=validate)
        finally:
            self.writing = False


async def _store(finalizers: list[str]) -> tuple[Store, LaggingCache]:
    storage = LaggingCache()
    store = Registry(builtin_catalog(), storage).store_of(CONFIGMAPS)
    await storage.create("/registry/core/namespaces/abc/default", {"metadata": {"name": "default"}})
    await store.create(CTX, {"metadata": {"name": "c", "finalizers": finalizers}}, WriteOptions())
    storage.reads = []
    return store, storage


async def _set_finalizers(store: Store, finalizers: list[str]) -> None:
    async def change(current: Object) -> Object:
        current["metadata"]["finalizers"] = finalizers
        return current

    await store.update(CTX, "c", change, WriteOptions())


async def test_with_the_cache_current_a_delete_reads_nothing_from_etcd() -> None:
    store, storage = await _store([])
    _, gone = await store.delete(CTX, "c", DeleteRequest())
    assert gone and KEY not in storage.objects
    assert storage.reads == ["cache"]


async def test_an_object_that_gained_a_finalizer_behind_the_cache_is_marked_not_deleted() -> None:
    store, storage = await _store([])
    storage.behind[KEY] = copy.deepcopy(storage.objects[KEY])
    await _set_finalizers(store, ["example.com/keep"])
    marked, gone = await store.delete(CTX, "c", DeleteRequest())
    assert not gone
    assert storage.objects[KEY]["metadata"]["deletionTimestamp"] == marked["metadata"]["deletionTimestamp"]
    assert storage.objects[KEY]["metadata"]["finalizers"] == ["example.com/keep"]


async def test_an_object_that_lost_its_finalizers_behind_the_cache_is_deleted_not_left_marked() -> None:
    store, storage = await _store(["example.com/keep"])
    storage.behind[KEY] = copy.deepcopy(storage.objects[KEY])
    await _set_finalizers(store, [])
    _, gone = await store.delete(CTX, "c", DeleteRequest())
    assert gone and KEY not in storage.objects


async def test_an_object_the_cache_does_not_show_yet_is_found_and_deleted() -> None:
    store, storage = await _store([])
    storage.behind[KEY] = None
    _, gone = await store.delete(CTX, "c", DeleteRequest())
    assert gone and KEY not in storage.objects
    assert storage.reads[:2] == ["cache", "etcd"]


async def test_an_object_gone_from_etcd_but_still_cached_is_not_found() -> None:
    store, storage = await _store([])
    storage.behind[KEY] = copy.deepcopy(storage.objects[KEY])
    del storage.objects[KEY]
    with pytest.raises(errors.StatusError) as raised:
        await store.delete(CTX, "c", DeleteRequest())
    assert raised.value.code == 404


@pytest.mark.parametrize("finalizers", [[], ["example.com/keep"]])
async def test_a_resource_version_precondition_is_checked_against_etcd_not_the_cache(finalizers: list[str]) -> None:
    store, storage = await _store(finalizers)
    storage.behind[KEY] = copy.deepcopy(storage.objects[KEY])
    await _set_finalizers(store, finalizers + ["example.com/other"])
    await _set_finalizers(store, finalizers)  # the cache's state is now two writes behind
    real_version = storage.objects[KEY]["metadata"]["resourceVersion"]
    _, gone = await store.delete(CTX, "c", DeleteRequest(precondition_resource_version=real_version))
    assert gone == (not finalizers)


async def test_a_wrong_precondition_is_a_conflict_with_upstreams_message() -> None:
    store, storage = await _store([])
    with pytest.raises(errors.StatusError) as raised:
        await store.delete(CTX, "c", DeleteRequest(precondition_uid="not-the-uid"))
    assert raised.value.code == 409
    assert "Precondition failed: UID in precondition: not-the-uid" in raised.value.message
    assert KEY in storage.objects
