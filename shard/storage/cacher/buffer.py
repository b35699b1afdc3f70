"""The cacher's bounded history: the most recent events, in revision order, in a ring.

Events get consecutive sequence numbers; the ring holds the last `capacity` of them. The buffer
also knows its `window_start`: every event with a revision above it is still held, so a watch
from any revision >= window_start can be served without a gap. Evicting an event moves
window_start up to that event's revision.

Events hold encoded objects only. Watchers with a predicate must look at an event before they know
whether to deliver it; `SharedDecodes` lets them share one read-only decoded copy of each of the
newest events instead of decoding every event once per watcher.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from shard.storage.cacher.encoding import Encoded, decode
from shard.storage.interface import EventType, Object

SHARED_DECODES = 256


@dataclass(frozen=True, slots=True)
class CachedEvent:
    """One change under the cached prefix, as the underlying store reported it (no predicate).

    Only encoded objects are kept (encoding.py), and they are the cache state's own (shared, never
    mutated; decoded afresh for every watcher that looks at them), so an event costs little more than
    this small record. `data` is the object the event reports: the new state of an ADDED or MODIFIED;
    for DELETED the last state as cached, whose resourceVersion watchers see replaced by the delete
    revision. `prev` is the state an ADDED or MODIFIED replaced (None after a create, and for DELETED).
    """

    revision: int
    key: str
    type: EventType
    data: Encoded
    prev: Encoded | None = None


Decoded = tuple[Object, Object | None]  # an event's object and its previous state (None when it has none)


class SharedDecodes:
    """Read-only decoded copies of the newest events, for the predicates of many watchers.

    Watchers of one prefix read the newest events at about the same time, so the newest `capacity`
    events are decoded once for every watcher's predicate (a ring: bounded memory, no eviction to
    manage). An older event is decoded for its one reader alone: caching it would only push out the
    newest, which every other watcher still has to read. For a DELETED, the object carries the delete
    revision, as delivered. Never hand these copies out, never mutate them.
    """

    def __init__(self, capacity: int = SHARED_DECODES) -> None:
        self._capacity = capacity
        self._slots: list[tuple[int, Decoded] | None] = [None] * capacity

    def of(self, seq: int, event: CachedEvent, next_seq: int) -> Decoded:
        """Event number `seq` decoded, shared if it is among the newest (`next_seq`: the next number)."""
        if seq < next_seq - self._capacity:
            return decode_event(event)
        slot = self._slots[seq % self._capacity]
        if slot is not None and slot[0] == seq:
            return slot[1]
        decoded = decode_event(event)
        self._slots[seq % self._capacity] = (seq, decoded)
        return decoded


def decode_event(event: CachedEvent) -> Decoded:
    """The event's object and previous state, decoded afresh."""
    return reported_object(event), None if event.prev is None else decode(event.prev)


def reported_object(event: CachedEvent) -> Object:
    """The object `event` reports, decoded afresh (a DELETED shows the delete revision)."""
    obj = decode(event.data)
    if event.type == "DELETED":
        obj.setdefault("metadata", {})["resourceVersion"] = str(event.revision)
    return obj


class EvictedError(LookupError):
    """The event at this sequence number has already left the ring."""


class EventBuffer:
    def __init__(self, capacity: int, window_start: int) -> None:
        if capacity < 1:
            raise ValueError("the event buffer needs a capacity of at least 1")
        self._capacity = capacity
        self._slots: list[CachedEvent | None] = [None] * capacity
        self._first_seq = 0
        self._next_seq = 0
        self.window_start = window_start
        self._decoded = SharedDecodes()

    @property
    def next_seq(self) -> int:
        """The sequence number the next appended event will get."""
        return self._next_seq

    def append(self, event: CachedEvent) -> None:
        if self._next_seq - self._first_seq == self._capacity:
            evicted = self._slot(self._first_seq)
            self.window_start = max(self.window_start, evicted.revision)
            self._first_seq += 1
        self._slots[self._next_seq % self._capacity] = event
        self._next_seq += 1

    def first_seq_after(self, revision: int) -> int:
        """The sequence number of the first event with a revision above `revision`.

        Only meaningful for revision >= window_start (older events may be gone).
        """
        seqs = range(self._first_seq, self._next_seq)
        index = bisect.bisect_right(seqs, revision, key=lambda seq: self._slot(seq).revision)
        return self._first_seq + index

    def at(self, seq: int) -> CachedEvent | None:
        """The event numbered `seq`; None if it has not happened yet; EvictedError if it is gone."""
        if seq < self._first_seq:
            raise EvictedError(seq)
        if seq >= self._next_seq:
            return None
        return self._slot(seq)

    def next_under(self, prefix: str, seq: int) -> tuple[int, CachedEvent | None]:
        """From event number `seq` on, the first one whose key is under `prefix`: (its number, it); (next_seq,
        None) when no such event has happened yet; EvictedError if `seq` is gone. One tight scan: a watcher
        passes over every other prefix's events, and on a shard those are most of them."""
        if seq < self._first_seq:
            raise EvictedError(seq)
        slots, capacity = self._slots, self._capacity
        for number in range(seq, self._next_seq):
            event = slots[number % capacity]
            if event is not None and event.key.startswith(prefix):
                return number, event
        return self._next_seq, None

    def decoded(self, seq: int) -> Decoded:
        """Event number `seq` (held) decoded for predicates: shared by every reader, never to be mutated."""
        return self._decoded.of(seq, self._slot(seq), self._next_seq)

    def events_after(self, revision: int) -> list[CachedEvent]:
        """Every held event with a revision above `revision` (revision >= window_start)."""
        return [self._slot(seq) for seq in range(self.first_seq_after(revision), self._next_seq)]

    def _slot(self, seq: int) -> CachedEvent:
        event = self._slots[seq % self._capacity]
        assert event is not None
        return event
