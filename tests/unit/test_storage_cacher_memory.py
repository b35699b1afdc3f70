"""What the watch cache keeps per object: exact-size encoded bytes only, shared by the state and its events."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import tracemalloc
from collections.abc import AsyncIterator

import pytest_asyncio

from shard.storage.cacher import Cacher
from shard.storage.cacher.buffer import CachedEvent, SharedDecodes
from shard.storage.cacher.encoding import Encoder, decode
from shard.storage.cacher.watch_server import to_watch_event
from shard.storage.interface import Object
from tests.unit.memory_storage import MemoryStorage

PREFIX = "/registry/things/"
encode = Encoder().encode
OBJECTS = 200


def thing(name: str, **fields: object) -> Object:
    return {"metadata": {"name": name, "labels": {"app": "x"}}, "data": {"payload": "p" * 250}, **fields}


async def settled(cacher: Cacher, store: MemoryStorage) -> None:
    while cacher.revision < store.revision:
        await asyncio.sleep(0.001)


@pytest_asyncio.fixture
async def cached() -> AsyncIterator[tuple[Cacher, MemoryStorage]]:
    store = MemoryStorage()
    async with Cacher(underlying=store, prefix=PREFIX) as cacher:
        yield cacher, store


def events_of(cacher: Cacher) -> list[CachedEvent]:
    return cacher._reflector.buffer.events_after(0)


def test_encode_holds_no_spare_capacity() -> None:
    """orjson's own result keeps ~4 KiB allocated whatever its length; what the cache keeps must not."""
    obj = thing("a")
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [encode(obj) for _ in range(100)]
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert isinstance(kept[0], bytes) and decode(kept[0]) == obj
    assert grown / len(kept) < len(kept[0]) + 100


async def test_the_cache_costs_about_the_json_per_object() -> None:
    """State and event ring together: the bytes once plus small records; no decoded copy, no 4 KiB buffer."""
    without_cache = await _traced_growth(cached=False)
    with_cache = await _traced_growth(cached=True)
    assert (with_cache - without_cache) / OBJECTS < len(encode(thing("t0000"))) + 400


async def _traced_growth(*, cached: bool) -> int:
    """Bytes still allocated after writing OBJECTS objects to a MemoryStorage (behind a cacher or not)."""
    store = MemoryStorage()
    async with contextlib.AsyncExitStack() as stack:
        cacher = await stack.enter_async_context(Cacher(underlying=store, prefix=PREFIX)) if cached else None
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for index in range(OBJECTS):
                await store.create(f"{PREFIX}t{index:04}", thing(f"t{index:04}"))
            if cacher is not None:
                await settled(cacher, store)
            gc.collect()
            return tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()


async def test_events_share_the_states_bytes(cached: tuple[Cacher, MemoryStorage]) -> None:
    cacher, store = cached
    key = f"{PREFIX}a"
    await store.create(key, thing("a"))
    await settled(cacher, store)
    created = cacher._reflector.state.get(key)
    await store.guaranteed_update(key, lambda obj: _with(obj, step=2))
    await settled(cacher, store)
    updated = cacher._reflector.state.get(key)
    await store.delete(key)
    await settled(cacher, store)

    added, modified, deleted = events_of(cacher)
    assert added.data is created and added.prev is None
    assert modified.data is updated and modified.prev is created
    assert deleted.data is updated and deleted.prev is None
    assert cacher._reflector.state.get(key) is None


async def test_a_deleted_event_reports_the_last_state_at_the_delete_revision(
    cached: tuple[Cacher, MemoryStorage],
) -> None:
    cacher, store = cached
    key = f"{PREFIX}a"
    await store.create(key, thing("a"))
    last = await store.delete(key)
    await settled(cacher, store)
    deleted = events_of(cacher)[-1]

    for predicate in (None, _everything):
        shown = to_watch_event(deleted, predicate)
        assert shown is not None and shown.type == "DELETED" and shown.object == last
        assert shown.object["metadata"]["resourceVersion"] == str(deleted.revision)
    assert decode(deleted.data)["metadata"]["resourceVersion"] != str(deleted.revision)  # shared, untouched


async def test_watchers_predicates_share_one_decoded_copy_and_each_gets_its_own(
    cached: tuple[Cacher, MemoryStorage],
) -> None:
    cacher, store = cached
    key = f"{PREFIX}a"
    await store.create(key, thing("a"))
    await store.guaranteed_update(key, lambda obj: _with(obj, step=2))
    await settled(cacher, store)
    buffer = cacher._reflector.buffer
    modified = events_of(cacher)[-1]
    seen: list[Object] = []

    def remember(obj: Object) -> bool:
        seen.append(obj)
        return True

    first, second = (to_watch_event(modified, remember, buffer.decoded(buffer.next_seq - 1)) for _ in range(2))
    assert first is not None and second is not None and first.type == second.type == "MODIFIED"
    assert [obj.get("step") for obj in seen] == [2, None, 2, None]  # the new state, then the previous one
    assert seen[0] is seen[2] and seen[1] is seen[3]  # decoded once for both watchers
    assert first.object == second.object == seen[0]
    assert first.object is not seen[0] and second.object is not first.object


def test_only_the_newest_events_are_decoded_once_for_all() -> None:
    shared = SharedDecodes(capacity=2)
    events = [CachedEvent(revision, "/p/a", "ADDED", encode(thing("a"))) for revision in (1, 2, 3)]
    newest = shared.of(2, events[2], 3)
    assert shared.of(1, events[1], 3) is shared.of(1, events[1], 3)
    assert shared.of(0, events[0], 3) is not shared.of(0, events[0], 3)  # older than the newest two
    assert shared.of(2, events[2], 3) is newest  # not pushed out by the older one
    assert shared.of(4, events[0], 5) is shared.of(4, events[0], 5)  # the window moved on
    assert shared.of(2, events[2], 5) is not newest


def _everything(obj: Object) -> bool:
    return True


async def _with(obj: Object, **fields: object) -> Object:
    return {**obj, **fields}
