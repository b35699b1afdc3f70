"""The cacher's event ring and in-memory state."""

from __future__ import annotations

import orjson
import pytest

from shard.storage.cacher.buffer import CachedEvent, EventBuffer, EvictedError
from shard.storage.cacher.encoding import Encoder
from shard.storage.cacher.state import CacheState, prefix_upper_bound
from shard.storage.interface import Object


def event(revision: int, key: str = "/p/a") -> CachedEvent:
    obj: Object = {"metadata": {"name": key, "resourceVersion": str(revision)}}
    return CachedEvent(revision, key, "MODIFIED", orjson.dumps(obj))


def test_buffer_finds_the_first_event_after_a_revision() -> None:
    buffer = EventBuffer(capacity=10, window_start=4)
    for revision in (5, 7, 7, 9):
        buffer.append(event(revision))
    assert [buffer.first_seq_after(revision) for revision in (4, 5, 6, 7, 9, 100)] == [0, 1, 1, 3, 4, 4]
    assert [e.revision for e in buffer.events_after(6)] == [7, 7, 9]
    assert buffer.at(3) is not None and buffer.at(4) is None


def test_buffer_eviction_moves_the_window_and_forgets_old_events() -> None:
    buffer = EventBuffer(capacity=3, window_start=1)
    for revision in (2, 3, 4, 5, 6):
        buffer.append(event(revision))
    assert buffer.window_start == 3
    assert [e.revision for e in buffer.events_after(3)] == [4, 5, 6]
    with pytest.raises(EvictedError):
        buffer.at(1)
    assert buffer.at(2) == event(4) and buffer.next_seq == 5


def test_buffer_finds_the_next_event_under_a_prefix_past_the_others() -> None:
    buffer = EventBuffer(capacity=4, window_start=0)
    for revision, key in [(1, "/a/x"), (2, "/b/x"), (3, "/b/y"), (4, "/a/y")]:
        buffer.append(event(revision, key))
    assert buffer.next_under("/a/", 0) == (0, buffer.at(0))
    assert buffer.next_under("/a/", 1) == (3, buffer.at(3))  # the two /b/ events passed over
    assert buffer.next_under("/a/", 4) == (4, None)
    assert buffer.next_under("/c/", 0) == (4, None)  # nothing yet: the scan resumes from the end
    buffer.append(event(5, "/c/x"))  # evicts number 0
    assert buffer.next_under("/c/", 4) == (4, buffer.at(4))
    with pytest.raises(EvictedError):
        buffer.next_under("/a/", 0)


def test_buffer_needs_room() -> None:
    with pytest.raises(ValueError):
        EventBuffer(capacity=0, window_start=0)


def state_of(*keys: str) -> CacheState:
    state = CacheState()
    for key in keys:
        obj: Object = {"metadata": {"name": key.rsplit("/", 1)[-1]}, "even": key[-1] in "02468"}
        state.put(key, Encoder().encode(obj))
    return state


def page_names(items: list[Object]) -> list[str]:
    return [item["metadata"]["name"] for item in items]


def test_state_pages_stay_inside_the_prefix_in_key_order() -> None:
    state = state_of("/p/b/2", "/p/a/1", "/p/a/3", "/p/ab/4", "/p/a0", "/q/a/5")
    page = state.page("/p/a/", "/p/a/", 0, None)
    assert page_names(page.items) == ["1", "3"] and page.keys == ["/p/a/1", "/p/a/3"]
    assert (page.more, page.remaining) == (False, 0)


def test_state_page_with_start_limit_and_predicate() -> None:
    state = state_of(*(f"/p/{index}" for index in range(10)))
    first = state.page("/p/", "/p/", 3, None)
    assert page_names(first.items) == ["0", "1", "2"] and (first.more, first.remaining) == (True, 7)
    rest = state.page("/p/", "/p/2\x00", 2, lambda obj: bool(obj["even"]))
    assert page_names(rest.items) == ["4", "6"] and rest.more


def test_state_hands_out_copies_and_forgets_removed_keys() -> None:
    state = state_of("/p/a", "/p/b")
    state.page("/p/", "/p/", 0, None).items[0]["metadata"]["name"] = "changed"
    state.remove("/p/a")
    state.remove("/p/missing")
    assert page_names(state.page("/p/", "/p/", 0, None).items) == ["b"] and len(state) == 1


def test_prefix_upper_bound() -> None:
    assert prefix_upper_bound("/p/") == "/p0"
    assert prefix_upper_bound("") == ""
    assert prefix_upper_bound("a" + chr(0x10FFFF)) == "b"
