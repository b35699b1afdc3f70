"""Contract: list (snapshots, exact revisions, paging, predicates), expiry and future revisions."""

from __future__ import annotations

import asyncio

import pytest

from shard.storage.errors import ExpiredError, InvalidContinueError, TooLargeResourceVersionError
from shard.storage.interface import ListOptions, ListResult, Object, Storage
from shard.storage.testing.harness import StorageHarness, make_object, rv, set_field


def names(result: ListResult) -> list[str]:
    return [item["metadata"]["name"] for item in result.items]


async def create_all(harness: StorageHarness, *names: str) -> list[Object]:
    return [await harness.storage.create(harness.key(name), make_object(name)) for name in names]


async def list_all_pages(storage: Storage, prefix: str, options: ListOptions) -> list[ListResult]:
    pages = [await storage.list(prefix, options)]
    while pages[-1].continue_token:
        pages.append(
            await storage.list(
                prefix,
                ListOptions(limit=options.limit, continue_token=pages[-1].continue_token, predicate=options.predicate),
            )
        )
    return pages


class ListContract:
    async def test_list_returns_prefix_in_key_order_at_current_revision(self, harness: StorageHarness) -> None:
        created = await create_all(harness, "c", "a", "b")
        await harness.storage.create(f"{harness.outside_prefix}z", make_object("z"))
        result = await harness.storage.list(harness.prefix, ListOptions())
        assert names(result) == ["a", "b", "c"]
        assert result.keys == [harness.key("a"), harness.key("b"), harness.key("c")]
        assert result.revision >= max(rv(obj) for obj in created)
        assert result.items == sorted(created, key=lambda obj: obj["metadata"]["name"])
        assert (result.continue_token, result.remaining_item_count) == ("", None)

    async def test_list_sees_every_acknowledged_write(self, harness: StorageHarness) -> None:
        for index in range(5):
            written = await harness.storage.create(harness.key(f"o{index}"), make_object(f"o{index}"))
            result = await harness.storage.list(harness.prefix, ListOptions())
            assert len(result.items) == index + 1 and result.revision >= rv(written)

    async def test_list_at_revision_is_a_consistent_snapshot(self, harness: StorageHarness) -> None:
        await create_all(harness, "a", "b")
        snapshot = await harness.storage.current_revision()
        await harness.storage.guaranteed_update(harness.key("a"), set_field("changed", True))
        await harness.storage.delete(harness.key("b"))
        await harness.storage.create(harness.key("c"), make_object("c"))
        result = await harness.storage.list(harness.prefix, ListOptions(revision=snapshot))
        assert result.revision == snapshot
        assert names(result) == ["a", "b"]
        assert "changed" not in result.items[0]
        assert names(await harness.storage.list(harness.prefix, ListOptions())) == ["a", "c"]

    async def test_paging_reads_every_page_from_the_first_snapshot(self, harness: StorageHarness) -> None:
        await create_all(harness, "a", "b", "c", "d", "e")
        first = await harness.storage.list(harness.prefix, ListOptions(limit=2))
        assert names(first) == ["a", "b"] and first.continue_token
        await harness.storage.guaranteed_update(harness.key("c"), set_field("changed", True))
        await harness.storage.delete(harness.key("e"))
        await harness.storage.create(harness.key("f"), make_object("f"))
        second = await harness.storage.list(harness.prefix, ListOptions(limit=2, continue_token=first.continue_token))
        third = await harness.storage.list(harness.prefix, ListOptions(limit=2, continue_token=second.continue_token))
        assert (names(second), names(third)) == (["c", "d"], ["e"])
        assert "changed" not in second.items[0]
        assert first.revision == second.revision == third.revision
        assert third.continue_token == ""

    async def test_paging_reports_remaining_item_count(self, harness: StorageHarness) -> None:
        await create_all(harness, "a", "b", "c", "d", "e")
        pages = await list_all_pages(harness.storage, harness.prefix, ListOptions(limit=2))
        assert [names(page) for page in pages] == [["a", "b"], ["c", "d"], ["e"]]
        assert [page.remaining_item_count for page in pages] == [3, 1, None]

    async def test_predicate_filters_and_limit_counts_matches(self, harness: StorageHarness) -> None:
        for index in range(10):
            await harness.storage.create(harness.key(f"o{index}"), make_object(f"o{index}", even=index % 2 == 0))
        options = ListOptions(limit=2, predicate=lambda obj: bool(obj["even"]))
        pages = await list_all_pages(harness.storage, harness.prefix, options)
        assert [names(page) for page in pages[:3]] == [["o0", "o2"], ["o4", "o6"], ["o8"]]
        assert all(page.remaining_item_count is None for page in pages)
        assert len({page.revision for page in pages}) == 1
        everything = await harness.storage.list(harness.prefix, ListOptions(predicate=lambda obj: not obj["even"]))
        assert names(everything) == ["o1", "o3", "o5", "o7", "o9"]

    async def test_predicate_keeps_reading_until_limit_matches(self, harness: StorageHarness) -> None:
        for index in range(300):
            await harness.storage.create(harness.key(f"o{index:03}"), make_object(f"o{index:03}", hit=index >= 290))
        result = await harness.storage.list(harness.prefix, ListOptions(limit=3, predicate=lambda obj: obj["hit"]))
        assert names(result) == ["o290", "o291", "o292"] and result.continue_token

    async def test_invalid_continue_token_is_rejected(self, harness: StorageHarness) -> None:
        await create_all(harness, "a", "b")
        page = await harness.storage.list(harness.prefix, ListOptions(limit=1))
        with pytest.raises(InvalidContinueError):
            await harness.storage.list(harness.prefix, ListOptions(limit=1, continue_token="not-a-token!"))
        with pytest.raises(InvalidContinueError):
            await harness.storage.list(harness.outside_prefix, ListOptions(limit=1, continue_token=page.continue_token))

    async def test_list_at_compacted_revision_is_expired(self, harness: StorageHarness) -> None:
        await create_all(harness, "a", "b")
        old = await harness.storage.current_revision()
        await harness.storage.guaranteed_update(harness.key("a"), set_field("changed", True))
        await harness.compact(await harness.storage.current_revision())
        with pytest.raises(ExpiredError):
            await harness.storage.list(harness.prefix, ListOptions(revision=old))
        with pytest.raises(ExpiredError):
            await harness.storage.get(harness.key("a"), revision=old)

    async def test_continue_token_of_compacted_revision_is_expired(self, harness: StorageHarness) -> None:
        await create_all(harness, "a", "b", "c")
        first = await harness.storage.list(harness.prefix, ListOptions(limit=1))
        await harness.storage.guaranteed_update(harness.key("b"), set_field("changed", True))
        await harness.compact(await harness.storage.current_revision())
        with pytest.raises(ExpiredError):
            await harness.storage.list(harness.prefix, ListOptions(limit=1, continue_token=first.continue_token))

    async def test_future_revision_is_too_large(self, harness: StorageHarness) -> None:
        future = await harness.storage.current_revision() + 1000
        with pytest.raises(TooLargeResourceVersionError):
            await harness.storage.list(harness.prefix, ListOptions(revision=future))
        with pytest.raises(TooLargeResourceVersionError):
            await harness.storage.get(harness.key("a"), revision=future)

    async def test_list_waits_for_a_revision_about_to_exist(self, harness: StorageHarness) -> None:
        next_revision = await harness.storage.current_revision() + 1

        async def write_soon() -> None:
            await asyncio.sleep(0.1)
            await harness.storage.create(harness.key("a"), make_object("a"))

        writer = asyncio.create_task(write_soon())
        result = await harness.storage.list(harness.prefix, ListOptions(revision=next_revision))
        await writer
        assert result.revision == next_revision
        assert names(result) == ["a"]
