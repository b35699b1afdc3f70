"""Contract: create_many and delete_prefixes, the two writes of several keys at one revision."""

from __future__ import annotations

import pytest

from shard.storage.errors import KeyExistsError, KeyNotFoundError
from shard.storage.interface import ListOptions
from shard.storage.testing.harness import StorageHarness, close, make_object, next_events, rv, set_field


class BatchContract:
    async def test_create_many_writes_every_object_at_one_revision(self, harness: StorageHarness) -> None:
        before = await harness.storage.current_revision()
        created = await harness.storage.create_many(
            [(harness.key(name), make_object(name, data={"k": name})) for name in ("a", "b", "c")]
        )
        assert [obj["metadata"]["name"] for obj in created] == ["a", "b", "c"]
        assert len({rv(obj) for obj in created}) == 1
        assert rv(created[0]) == before + 1 == await harness.storage.current_revision()
        listed = await harness.storage.list(harness.prefix, ListOptions())
        assert listed.items == created

    async def test_create_many_writes_nothing_if_one_key_exists(self, harness: StorageHarness) -> None:
        await harness.storage.create(harness.key("b"), make_object("b"))
        before = await harness.storage.current_revision()
        with pytest.raises(KeyExistsError) as raised:
            await harness.storage.create_many([(harness.key(name), make_object(name)) for name in ("a", "b", "c")])
        assert raised.value.key == harness.key("b")
        assert await harness.storage.current_revision() == before
        for name in ("a", "c"):
            with pytest.raises(KeyNotFoundError):
                await harness.storage.get(harness.key(name))

    async def test_create_many_is_watched_as_one_revision(self, harness: StorageHarness) -> None:
        start = await harness.storage.current_revision()
        events = harness.storage.watch(harness.prefix, revision=start)
        try:
            await harness.storage.create_many([(harness.key(name), make_object(name)) for name in ("a", "b")])
            received = await next_events(events, 2)
        finally:
            await close(events)
        assert [(event.type, event.key, event.revision) for event in received] == [
            ("ADDED", harness.key("a"), start + 1),
            ("ADDED", harness.key("b"), start + 1),
        ]

    async def test_a_read_after_create_many_sees_every_object(self, harness: StorageHarness) -> None:
        for round_number in range(5):
            names = [f"r{round_number}-{index}" for index in range(8)]
            await harness.storage.create_many([(harness.key(name), make_object(name)) for name in names])
            listed = await harness.storage.list(harness.prefix, ListOptions())
            assert len(listed.items) == 8 * (round_number + 1)

    async def test_delete_prefixes_deletes_every_key_under_them(self, harness: StorageHarness) -> None:
        for name in ("x/a", "x/b", "y/c", "z/d"):
            await harness.storage.create(harness.key(name), make_object(name))
        settled = await harness.storage.current_revision()
        events = harness.storage.watch(harness.prefix, revision=settled)
        try:
            revision = await harness.storage.delete_prefixes(
                [harness.key("x/"), harness.key("y/")], unchanged_since=settled
            )
            received = await next_events(events, 3)
        finally:
            await close(events)
        assert revision == settled + 1 == await harness.storage.current_revision()
        assert [(event.type, event.key, event.revision) for event in received] == [
            ("DELETED", harness.key("x/a"), revision),
            ("DELETED", harness.key("x/b"), revision),
            ("DELETED", harness.key("y/c"), revision),
        ]
        assert received[0].object["metadata"]["name"] == "x/a", "a DELETED event carries the last state"
        assert [key for key in (await harness.storage.list(harness.prefix, ListOptions())).keys] == [harness.key("z/d")]

    async def test_delete_prefixes_deletes_nothing_if_a_key_changed_since(self, harness: StorageHarness) -> None:
        for name in ("x/a", "y/b"):
            await harness.storage.create(harness.key(name), make_object(name))
        settled = await harness.storage.current_revision()
        await harness.storage.guaranteed_update(harness.key("y/b"), set_field("step", 2))
        outcome = await harness.storage.delete_prefixes([harness.key("x/"), harness.key("y/")], unchanged_since=settled)
        assert outcome is None
        assert len((await harness.storage.list(harness.prefix, ListOptions())).items) == 2

    async def test_delete_prefixes_deletes_nothing_if_a_key_was_created_since(self, harness: StorageHarness) -> None:
        await harness.storage.create(harness.key("x/a"), make_object("x/a"))
        settled = await harness.storage.current_revision()
        await harness.storage.create(harness.key("x/new"), make_object("x/new"))
        assert await harness.storage.delete_prefixes([harness.key("x/")], unchanged_since=settled) is None
        assert len((await harness.storage.list(harness.prefix, ListOptions())).items) == 2

    async def test_delete_prefixes_of_empty_prefixes_succeeds(self, harness: StorageHarness) -> None:
        settled = await harness.storage.current_revision()
        revision = await harness.storage.delete_prefixes([harness.key("none/")], unchanged_since=settled)
        assert revision is not None and revision >= settled

    async def test_delete_prefixes_without_a_guard_deletes_whatever_changed(self, harness: StorageHarness) -> None:
        await harness.storage.create(harness.key("x/a"), make_object("x/a"))
        settled = await harness.storage.current_revision()
        await harness.storage.create(harness.key("x/new"), make_object("x/new"))
        revision = await harness.storage.delete_prefixes([harness.key("x/")], unchanged_since=None)
        assert revision is not None and revision > settled
        assert (await harness.storage.list(harness.prefix, ListOptions())).items == []
