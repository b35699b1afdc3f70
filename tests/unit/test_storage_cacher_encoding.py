"""How the watch cache encodes objects: exact-size bytes, large repeated `data` values kept once."""

from __future__ import annotations

import asyncio
import tracemalloc

import orjson

from shard.storage.cacher import Cacher
from shard.storage.cacher.encoding import Encoder, decode, joined
from shard.storage.interface import ListOptions, Object
from tests.unit.memory_storage import MemoryStorage

CERT = (
    "-----BEGIN CERTIFICATE-----\n"
    + "MIIBbzCCARWgAwIBAgIUIp0TCghhQarqXFtJ58Yd28bFMBYw\n" * 12
    + "-----END CERTIFICATE-----\n"
)


def configmap(namespace: str, **data: str) -> Object:
    return {"metadata": {"name": "kube-root-ca.crt", "namespace": namespace}, "data": data}


def test_a_large_data_value_is_kept_once_for_every_object_that_holds_it() -> None:
    encoder = Encoder()
    objects = [configmap(namespace, **{"ca.crt": CERT, "other": "small"}) for namespace in ("a", "b", "c")]
    encoded = [encoder.encode(obj) for obj in objects]
    pieces = [piece for each in encoded if isinstance(each, tuple) for piece in each]
    shared = {id(piece) for piece in pieces if len(piece) > len(CERT)}
    assert len(shared) == 1 and len(encoder) == 1
    assert [joined(each) for each in encoded] == [orjson.dumps(obj) for obj in objects]
    assert [decode(each) for each in encoded] == objects


def test_objects_without_large_data_values_stay_one_piece() -> None:
    encoder = Encoder()
    for obj in (configmap("a", small="x"), {"metadata": {"name": "n"}, "spec": {"big": CERT}}, {"data": [CERT]}):
        encoded = encoder.encode(obj)
        assert isinstance(encoded, bytes) and decode(encoded) == obj
    assert len(encoder) == 0


def test_several_large_values_and_the_same_value_twice() -> None:
    encoder = Encoder()
    obj = configmap("a", first=CERT, second=CERT.lower(), third=CERT)
    encoded = encoder.encode(obj)
    assert decode(encoded) == obj and joined(encoded) == orjson.dumps(obj) and len(encoder) == 2


def test_values_no_object_holds_any_more_are_forgotten() -> None:
    encoder = Encoder(sweep_at=2)
    kept = [encoder.encode(configmap("a", value=CERT)), encoder.encode(configmap("b", value=CERT.lower()))]
    del kept[1]
    encoder.encode(configmap("c", value=CERT.upper()))  # the table is full: sweeping drops the unused value
    assert len(encoder) == 2
    assert decode(kept[0]) == configmap("a", value=CERT)
    kept.clear()
    encoder.encode(configmap("d", value=CERT.swapcase()))
    encoder.encode(configmap("e", value=CERT[::-1]))
    assert len(encoder) <= 3


def test_many_copies_of_a_large_value_cost_less_than_the_value_each() -> None:
    encoder = Encoder()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [encoder.encode(configmap(f"n{index}", **{"ca.crt": CERT})) for index in range(200)]
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(kept) == 200 and grown / len(kept) < len(CERT) / 2


async def test_the_cacher_serves_objects_with_shared_values() -> None:
    store = MemoryStorage()
    async with Cacher(underlying=store, prefix="/registry/") as cacher:
        start = store.revision
        events = cacher.watch("/registry/cm/", revision=start)
        written = [await store.create(f"/registry/cm/{ns}", configmap(ns, **{"ca.crt": CERT})) for ns in "abc"]
        deleted = await store.delete("/registry/cm/c")
        while cacher.revision < store.revision:
            await asyncio.sleep(0.001)
        assert await cacher.get("/registry/cm/a") == written[0]
        assert (await cacher.list("/registry/cm/", ListOptions())).items == written[:2]
        received = [await anext(events) for _ in range(4)]
        await events.aclose()  # type: ignore[attr-defined]
        assert [event.object for event in received] == [*written, deleted]
