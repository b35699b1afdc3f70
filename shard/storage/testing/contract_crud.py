"""Contract: create, get, guaranteed_update, delete, count, current_revision."""

from __future__ import annotations

import pytest

from shard.storage.errors import (
    KeyExistsError,
    KeyNotFoundError,
    ResourceVersionConflictError,
    UIDConflictError,
)
from shard.storage.interface import Object, Preconditions
from shard.storage.testing.harness import StorageHarness, make_object, rv, set_field


class CrudContract:
    async def test_create_returns_object_with_new_revision(self, harness: StorageHarness) -> None:
        before = await harness.storage.current_revision()
        obj = make_object("a", data={"k": "v"})
        obj["metadata"]["resourceVersion"] = "999999"
        created = await harness.storage.create(harness.key("a"), obj)
        assert rv(created) > before
        assert rv(created) == await harness.storage.current_revision()
        assert created["data"] == {"k": "v"}
        assert obj["metadata"]["resourceVersion"] == "999999", "the caller's object must not be modified"

    async def test_get_returns_stored_object_with_its_revision(self, harness: StorageHarness) -> None:
        created = await harness.storage.create(harness.key("a"), make_object("a", data={"k": "v"}))
        assert await harness.storage.get(harness.key("a")) == created

    async def test_create_of_existing_key_raises_key_exists(self, harness: StorageHarness) -> None:
        await harness.storage.create(harness.key("a"), make_object("a"))
        with pytest.raises(KeyExistsError):
            await harness.storage.create(harness.key("a"), make_object("a", data={"other": "x"}))
        assert "data" not in await harness.storage.get(harness.key("a"))

    async def test_get_missing_key_raises_key_not_found(self, harness: StorageHarness) -> None:
        with pytest.raises(KeyNotFoundError):
            await harness.storage.get(harness.key("missing"))

    async def test_get_at_revision_returns_that_version(self, harness: StorageHarness) -> None:
        first = await harness.storage.create(harness.key("a"), make_object("a", step=1))
        await harness.storage.guaranteed_update(harness.key("a"), set_field("step", 2))
        assert await harness.storage.get(harness.key("a"), revision=rv(first)) == first
        with pytest.raises(KeyNotFoundError):
            await harness.storage.get(harness.key("a"), revision=rv(first) - 1)

    async def test_guaranteed_update_writes_a_new_revision(self, harness: StorageHarness) -> None:
        created = await harness.storage.create(harness.key("a"), make_object("a", step=1))
        seen: list[Object] = []

        async def bump(obj: Object) -> Object:
            seen.append(dict(obj))
            obj["step"] += 1
            return obj

        updated = await harness.storage.guaranteed_update(harness.key("a"), bump)
        assert seen[0]["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
        assert updated["step"] == 2 and rv(updated) > rv(created)
        assert await harness.storage.get(harness.key("a")) == updated

    async def test_guaranteed_update_without_change_writes_nothing(self, harness: StorageHarness) -> None:
        created = await harness.storage.create(harness.key("a"), make_object("a", step=1))
        revision = await harness.storage.current_revision()

        async def same(obj: Object) -> Object:
            return {**obj, "metadata": {**obj["metadata"], "resourceVersion": "1"}}

        assert await harness.storage.guaranteed_update(harness.key("a"), same) == created
        assert await harness.storage.current_revision() == revision

    async def test_guaranteed_update_retries_with_fresh_state_on_conflict(self, harness: StorageHarness) -> None:
        await harness.storage.create(harness.key("a"), make_object("a", counter=0, other=0))
        calls: list[int] = []

        async def increment(obj: Object) -> Object:
            calls.append(obj["other"])
            if len(calls) == 1:  # someone else writes between our read and our write
                await harness.storage.guaranteed_update(harness.key("a"), set_field("other", 1))
            obj["counter"] += 1
            return obj

        updated = await harness.storage.guaranteed_update(harness.key("a"), increment)
        assert calls == [0, 1]
        assert (updated["counter"], updated["other"]) == (1, 1)

    async def test_guaranteed_update_propagates_abort(self, harness: StorageHarness) -> None:
        created = await harness.storage.create(harness.key("a"), make_object("a"))

        async def refuse(obj: Object) -> Object:
            raise LookupError("no")

        with pytest.raises(LookupError):
            await harness.storage.guaranteed_update(harness.key("a"), refuse)
        assert await harness.storage.get(harness.key("a")) == created

    async def test_guaranteed_update_missing_key_raises_key_not_found(self, harness: StorageHarness) -> None:
        with pytest.raises(KeyNotFoundError):
            await harness.storage.guaranteed_update(harness.key("missing"), set_field("x", 1))

    async def test_guaranteed_update_checks_preconditions(self, harness: StorageHarness) -> None:
        created = await harness.storage.create(harness.key("a"), make_object("a"))
        stale = str(rv(created))
        await harness.storage.guaranteed_update(harness.key("a"), set_field("x", 1))
        with pytest.raises(UIDConflictError):
            await harness.storage.guaranteed_update(
                harness.key("a"), set_field("x", 2), preconditions=Preconditions(uid="other")
            )
        with pytest.raises(ResourceVersionConflictError):
            await harness.storage.guaranteed_update(
                harness.key("a"), set_field("x", 2), preconditions=Preconditions(resource_version=stale)
            )
        current = await harness.storage.get(harness.key("a"))
        assert current["x"] == 1
        ok = Preconditions(uid="uid-a", resource_version=current["metadata"]["resourceVersion"])
        assert (await harness.storage.guaranteed_update(harness.key("a"), set_field("x", 2), preconditions=ok))[
            "x"
        ] == 2

    async def test_delete_returns_last_state_at_delete_revision(self, harness: StorageHarness) -> None:
        created = await harness.storage.create(harness.key("a"), make_object("a", data={"k": "v"}))
        deleted = await harness.storage.delete(harness.key("a"))
        assert rv(deleted) > rv(created)
        assert rv(deleted) == await harness.storage.current_revision()
        assert deleted["data"] == {"k": "v"}
        with pytest.raises(KeyNotFoundError):
            await harness.storage.get(harness.key("a"))
        with pytest.raises(KeyNotFoundError):
            await harness.storage.delete(harness.key("a"))

    async def test_delete_checks_preconditions(self, harness: StorageHarness) -> None:
        created = await harness.storage.create(harness.key("a"), make_object("a"))
        with pytest.raises(UIDConflictError):
            await harness.storage.delete(harness.key("a"), preconditions=Preconditions(uid="other"))
        with pytest.raises(ResourceVersionConflictError):
            stale = str(rv(created) - 1)
            await harness.storage.delete(harness.key("a"), preconditions=Preconditions(resource_version=stale))
        assert await harness.storage.get(harness.key("a")) == created
        exact = Preconditions(uid="uid-a", resource_version=created["metadata"]["resourceVersion"])
        await harness.storage.delete(harness.key("a"), preconditions=exact)
        with pytest.raises(KeyNotFoundError):
            await harness.storage.get(harness.key("a"))

    async def test_delete_validation_can_abort(self, harness: StorageHarness) -> None:
        created = await harness.storage.create(harness.key("a"), make_object("a"))

        async def refuse(obj: Object) -> None:
            assert obj == created
            raise PermissionError("protected")

        with pytest.raises(PermissionError):
            await harness.storage.delete(harness.key("a"), validate=refuse)
        assert await harness.storage.get(harness.key("a")) == created

    async def test_delete_revalidates_after_concurrent_change(self, harness: StorageHarness) -> None:
        await harness.storage.create(harness.key("a"), make_object("a", step=1))
        validated: list[int] = []

        async def validate(obj: Object) -> None:
            validated.append(obj["step"])
            if len(validated) == 1:
                await harness.storage.guaranteed_update(harness.key("a"), set_field("step", 2))

        deleted = await harness.storage.delete(harness.key("a"), validate=validate)
        assert validated == [1, 2]
        assert deleted["step"] == 2

    async def test_count_counts_keys_under_prefix(self, harness: StorageHarness) -> None:
        for name in ("a", "b", "c"):
            await harness.storage.create(harness.key(name), make_object(name))
        await harness.storage.create(f"{harness.outside_prefix}x", make_object("x"))
        assert await harness.storage.count(harness.prefix) == 3

    async def test_guaranteed_update_from_a_stale_cached_state_applies_to_the_real_one(
        self, harness: StorageHarness
    ) -> None:
        stale = await harness.storage.create(harness.key("a"), make_object("a", count=1))
        await harness.storage.guaranteed_update(harness.key("a"), set_field("count", 2))

        async def increment(obj: Object) -> Object:
            obj["count"] += 10
            return obj

        updated = await harness.storage.guaranteed_update(harness.key("a"), increment, cached=stale)
        assert updated["count"] == 12
        assert (await harness.storage.get(harness.key("a")))["count"] == 12

    async def test_guaranteed_update_no_change_on_a_stale_cached_state_is_checked_again(
        self, harness: StorageHarness
    ) -> None:
        stale = await harness.storage.create(harness.key("a"), make_object("a", flag=True))
        await harness.storage.guaranteed_update(harness.key("a"), set_field("flag", False))
        updated = await harness.storage.guaranteed_update(harness.key("a"), set_field("flag", True), cached=stale)
        assert updated["flag"] is True
        assert (await harness.storage.get(harness.key("a")))["flag"] is True

    async def test_guaranteed_update_abort_on_a_stale_cached_state_is_judged_again(
        self, harness: StorageHarness
    ) -> None:
        stale = await harness.storage.create(harness.key("a"), make_object("a", ready=False))
        await harness.storage.guaranteed_update(harness.key("a"), set_field("ready", True))

        async def only_when_ready(obj: Object) -> Object:
            if not obj["ready"]:
                raise PermissionError("not ready")
            obj["done"] = True
            return obj

        updated = await harness.storage.guaranteed_update(harness.key("a"), only_when_ready, cached=stale)
        assert updated["done"] is True
        with pytest.raises(PermissionError):
            current = await harness.storage.guaranteed_update(harness.key("a"), set_field("ready", False))
            await harness.storage.guaranteed_update(harness.key("a"), only_when_ready, cached=current)

    async def test_delete_from_a_stale_cached_state_checks_preconditions_on_the_real_one(
        self, harness: StorageHarness
    ) -> None:
        stale = await harness.storage.create(harness.key("a"), make_object("a"))
        real = await harness.storage.guaranteed_update(harness.key("a"), set_field("step", 2))
        deleted = await harness.storage.delete(
            harness.key("a"), preconditions=Preconditions(resource_version=str(rv(real))), cached=stale
        )
        assert deleted["step"] == 2
        with pytest.raises(KeyNotFoundError):
            await harness.storage.get(harness.key("a"))
