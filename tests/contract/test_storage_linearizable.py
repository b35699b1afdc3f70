"""Linearizable reads (get and list at revision 0) against Etcd3Storage and the Cacher, on a real etcd.

A read must reflect every write acknowledged before it began, whichever path wrote it (the cacher
or the store underneath) and however many readers and writers run at once. For the cacher, reads
must also be cheap: served from memory, with concurrent readers sharing one revision fetch.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
import pytest_asyncio

from shard.storage.cacher import Cacher, CacherConfig
from shard.storage.errors import KeyNotFoundError
from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.store import Etcd3Storage
from shard.storage.interface import ListOptions, Object, Storage
from shard.storage.testing.harness import make_object, rv, set_field

pytestmark = pytest.mark.asyncio(loop_scope="session")

ROUNDS = 30
WRITERS = 4
READERS = 16
WRITES_PER_WRITER = 40


class CountingStore(Etcd3Storage):
    """Etcd3Storage that counts the linearizable reads it serves."""

    gets = 0
    revision_fetches = 0

    async def get(self, key: str, *, revision: int = 0) -> Object:
        self.gets += 1
        return await super().get(key, revision=revision)

    async def current_revision(self) -> int:
        self.revision_fetches += 1
        return await super().current_revision()


@dataclass
class Stores:
    """`reader` is the Storage under test; `writers` are the paths writes may take to reach etcd."""

    reader: Storage
    underlying: CountingStore
    prefix: str
    writers: list[Storage] = field(default_factory=list)


@pytest_asyncio.fixture(loop_scope="session", params=["etcd3", "cacher"])
async def stores(request: pytest.FixtureRequest, etcd_client: EtcdClient) -> AsyncIterator[Stores]:
    underlying = CountingStore(etcd_client=etcd_client)
    prefix = f"/linearizable/{uuid.uuid4().hex[:10]}/"
    if request.param == "etcd3":
        yield Stores(reader=underlying, underlying=underlying, prefix=prefix, writers=[underlying])
        return
    async with Cacher(underlying=underlying, prefix=prefix, config=CacherConfig(consistent_read_wait=5.0)) as cacher:
        await warm_up(cacher, prefix)
        yield Stores(reader=cacher, underlying=underlying, prefix=prefix, writers=[underlying, cacher])


async def warm_up(cacher: Cacher, prefix: str) -> None:
    """Return once the cacher's watch delivers events: a cacher is ready as soon as its first list is in
    memory, and etcd may hold back events for a watch registered after newer writes (up to ~100 ms)."""
    created = await cacher.create(f"{prefix}!warm-up", make_object("warm-up"))
    async with asyncio.timeout(10):
        while cacher.revision < rv(created):
            await asyncio.sleep(0.005)


async def test_a_get_right_after_a_write_sees_it(stores: Stores) -> None:
    key = f"{stores.prefix}a"
    await stores.underlying.create(key, make_object("a", step=0))
    for step in range(1, ROUNDS + 1):
        writer = stores.writers[step % len(stores.writers)]
        written = await writer.guaranteed_update(key, set_field("step", step))
        assert await stores.reader.get(key) == written


async def test_a_get_right_after_a_delete_does_not_find_the_key(stores: Stores) -> None:
    for index, writer in enumerate(stores.writers):
        key = f"{stores.prefix}d{index}"
        await writer.create(key, make_object(f"d{index}"))
        await writer.delete(key)
        with pytest.raises(KeyNotFoundError):
            await stores.reader.get(key)


async def test_a_list_right_after_a_write_sees_it(stores: Stores) -> None:
    for index in range(ROUNDS):
        writer = stores.writers[index % len(stores.writers)]
        created = await writer.create(f"{stores.prefix}l{index:03}", make_object(f"l{index}"))
        listed = await stores.reader.list(stores.prefix, ListOptions())
        assert listed.revision >= rv(created) and listed.items[-1] == created


@dataclass
class Acknowledged:
    """The highest revision acknowledged so far, per key and over all keys."""

    by_key: dict[str, int] = field(default_factory=dict)
    latest: int = 0

    def record(self, key: str, revision: int) -> None:
        self.by_key[key] = max(self.by_key.get(key, 0), revision)
        self.latest = max(self.latest, revision)


async def test_concurrent_reads_never_miss_an_acknowledged_write(stores: Stores) -> None:
    keys = [f"{stores.prefix}w{index}" for index in range(WRITERS)]
    acknowledged = Acknowledged()
    for key in keys:
        acknowledged.record(key, rv(await stores.underlying.create(key, make_object(key, step=0))))
    writing = asyncio.gather(*(write_steps(stores, key, acknowledged) for key in keys))
    reading = asyncio.gather(*(read_until(stores, keys, acknowledged, writing) for _ in range(READERS)))
    await writing
    assert sum(await reading) > READERS, "the readers must overlap the writers"


async def write_steps(stores: Stores, key: str, acknowledged: Acknowledged) -> None:
    for step in range(1, WRITES_PER_WRITER + 1):
        writer = stores.writers[step % len(stores.writers)]
        acknowledged.record(key, rv(await writer.guaranteed_update(key, set_field("step", step))))


async def read_until(
    stores: Stores, keys: list[str], acknowledged: Acknowledged, writing: asyncio.Future[list[None]]
) -> int:
    """Alternate gets and lists until the writers finish, checking each against what was acknowledged
    before it started; returns how many reads it made."""
    reads = 0
    while not writing.done():
        key = keys[reads % len(keys)]
        floor = acknowledged.by_key[key]
        assert rv(await stores.reader.get(key)) >= floor
        latest = acknowledged.latest
        assert (await stores.reader.list(stores.prefix, ListOptions())).revision >= latest
        reads += 1
    return reads


async def test_cacher_serves_concurrent_gets_from_memory_sharing_revision_fetches(etcd_client: EtcdClient) -> None:
    underlying = CountingStore(etcd_client=etcd_client)
    prefix = f"/linearizable/{uuid.uuid4().hex[:10]}/"
    async with Cacher(underlying=underlying, prefix=prefix, config=CacherConfig(consistent_read_wait=5.0)) as cacher:
        created = await cacher.create(f"{prefix}a", make_object("a"))
        underlying.gets = underlying.revision_fetches = 0
        results = await asyncio.gather(*(cacher.get(f"{prefix}a") for _ in range(64)))
    assert results == [created] * 64
    assert underlying.gets == 0, "a linearizable get of a cached key is served from memory"
    assert underlying.revision_fetches <= 2, "concurrent gets share one revision fetch (two at most)"


async def test_cacher_get_hands_out_copies(etcd_client: EtcdClient) -> None:
    underlying = CountingStore(etcd_client=etcd_client)
    prefix = f"/linearizable/{uuid.uuid4().hex[:10]}/"
    async with Cacher(underlying=underlying, prefix=prefix) as cacher:
        created = await cacher.create(f"{prefix}a", make_object("a", data={"k": "v"}))
        got = await cacher.get(f"{prefix}a")
        got["data"]["k"] = "changed"
        got["metadata"]["resourceVersion"] = "1"
        assert await cacher.get(f"{prefix}a") == created
        listed = await cacher.list(prefix, ListOptions())
        assert listed.items == [created]
