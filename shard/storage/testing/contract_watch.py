"""Contract: watch from a revision, exactly once and in order, predicates, expiry, bookmarks."""

from __future__ import annotations

import asyncio

import pytest

from shard.storage.errors import ExpiredError
from shard.storage.interface import Object, WatchEvent
from shard.storage.testing.harness import (
    EXPIRING_CHANGES,
    MIN_HISTORY,
    StorageHarness,
    close,
    first_event_within,
    make_object,
    next_events,
    rv,
    set_field,
)

BOOKMARK_WAIT = 10.0
WRITERS = 5
CHANGES_PER_WRITER = MIN_HISTORY // WRITERS


def summary(events: list[WatchEvent]) -> list[tuple[str, str, int]]:
    return [(event.type, event.object["metadata"]["name"], event.revision) for event in events]


class WatchContract:
    async def test_watch_delivers_each_change_after_revision_once(self, harness: StorageHarness) -> None:
        before = await harness.storage.create(harness.key("old"), make_object("old"))
        events = harness.storage.watch(harness.prefix, revision=rv(before))
        try:
            created = await harness.storage.create(harness.key("a"), make_object("a"))
            updated = await harness.storage.guaranteed_update(harness.key("a"), set_field("step", 2))
            await harness.storage.create(f"{harness.outside_prefix}a", make_object("outside"))
            deleted = await harness.storage.delete(harness.key("a"))
            received = await next_events(events, 3)
        finally:
            await close(events)
        assert summary(received) == [
            ("ADDED", "a", rv(created)),
            ("MODIFIED", "a", rv(updated)),
            ("DELETED", "a", rv(deleted)),
        ]
        assert [event.object for event in received] == [created, updated, deleted]
        assert [event.key for event in received] == [harness.key("a")] * 3

    async def test_watch_replays_history_from_an_old_revision(self, harness: StorageHarness) -> None:
        start = await harness.storage.current_revision()
        written = [
            await harness.storage.create(harness.key(f"o{index}"), make_object(f"o{index}")) for index in range(4)
        ]
        events = harness.storage.watch(harness.prefix, revision=rv(written[1]))
        try:
            received = await next_events(events, 2)
        finally:
            await close(events)
        assert [event.revision for event in received] == [rv(written[2]), rv(written[3])]
        assert all(event.revision > start for event in received)

    async def test_watch_with_concurrent_writers_has_no_gap_and_no_duplicate(self, harness: StorageHarness) -> None:
        start = await harness.storage.current_revision()
        events = harness.storage.watch(harness.prefix, revision=start)

        async def writer(index: int) -> list[int]:
            key = harness.key(f"w{index}")
            revisions = [rv(await harness.storage.create(key, make_object(f"w{index}", step=0)))]
            for step in range(1, CHANGES_PER_WRITER - 1):
                revisions.append(rv(await harness.storage.guaranteed_update(key, set_field("step", step))))
            revisions.append(rv(await harness.storage.delete(key)))
            return revisions

        try:
            written = await asyncio.gather(*(writer(index) for index in range(WRITERS)))
            expected = sorted(revision for revisions in written for revision in revisions)
            received = await next_events(events, len(expected))
        finally:
            await close(events)
        assert [event.revision for event in received] == expected
        steps: dict[str, int] = {}
        for event in received:
            name = event.object["metadata"]["name"]
            if event.type != "DELETED":
                assert event.object["step"] == steps.get(name, -1) + 1
                steps[name] = event.object["step"]

    async def test_watch_predicate_reports_transitions(self, harness: StorageHarness) -> None:
        start = await harness.storage.current_revision()

        def selected(obj: Object) -> bool:
            return bool(obj.get("selected"))

        events = harness.storage.watch(harness.prefix, revision=start, predicate=selected)
        key = harness.key("a")
        try:
            await harness.storage.create(key, make_object("a", selected=False))
            entered = await harness.storage.guaranteed_update(key, set_field("selected", True))
            stayed = await harness.storage.guaranteed_update(key, set_field("step", 1))
            left = await harness.storage.guaranteed_update(key, set_field("selected", False))
            await harness.storage.guaranteed_update(key, set_field("step", 2))
            await harness.storage.delete(key)
            born = await harness.storage.create(key, make_object("a", selected=True))
            died = await harness.storage.delete(key)
            received = await next_events(events, 5)
        finally:
            await close(events)
        assert [(event.type, event.revision) for event in received] == [
            ("ADDED", rv(entered)),
            ("MODIFIED", rv(stayed)),
            ("DELETED", rv(left)),
            ("ADDED", rv(born)),
            ("DELETED", rv(died)),
        ]
        last_match = {
            **stayed,
            "metadata": {**stayed["metadata"], "resourceVersion": left["metadata"]["resourceVersion"]},
        }
        assert received[2].object == last_match, "an object leaving the selection shows its last matching state"

    async def test_watch_from_compacted_revision_is_expired(self, harness: StorageHarness) -> None:
        start = await harness.storage.current_revision()
        await harness.storage.create(harness.key("a"), make_object("a", step=0))
        for step in range(1, EXPIRING_CHANGES + 1):  # more changes than a watch cache under test keeps
            await harness.storage.guaranteed_update(harness.key("a"), set_field("step", step))
        await harness.compact(await harness.storage.current_revision())
        events = harness.storage.watch(harness.prefix, revision=start)
        try:
            with pytest.raises(ExpiredError):
                await next_events(events, 1)
        finally:
            await close(events)

    async def test_watch_bookmarks_report_progress_while_idle(self, harness: StorageHarness) -> None:
        start = await harness.storage.current_revision()
        events = harness.storage.watch(harness.prefix, revision=start, bookmarks=True)
        try:
            elsewhere = await harness.storage.create(f"{harness.outside_prefix}a", make_object("outside"))
            async with asyncio.timeout(BOOKMARK_WAIT):
                bookmark = await anext(events)
                while bookmark.revision < rv(elsewhere):
                    assert bookmark.type == "BOOKMARK"
                    bookmark = await anext(events)
        finally:
            await close(events)
        assert bookmark.type == "BOOKMARK" and bookmark.object == {}

    async def test_watch_without_bookmarks_sends_none(self, harness: StorageHarness) -> None:
        start = await harness.storage.current_revision()
        events = harness.storage.watch(harness.prefix, revision=start)
        try:
            await harness.storage.create(f"{harness.outside_prefix}a", make_object("outside"))
            assert await first_event_within(events, 1.0) is None
        finally:
            await close(events)
