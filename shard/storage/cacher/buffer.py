"""The cacher's bounded history: the most recent events, in revision order, in a ring.

Events get consecutive sequence numbers; the ring holds the last `capacity` of them. The buffer
also knows its `window_start`: every event with a revision above it is still held, so a watch
from any revision >= window_start can be served without a gap. Evicting an event moves
window_start up to that event's revision.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from shard.storage.interface import EventType, Object


@dataclass(frozen=True, slots=True)
class CachedEvent:
    """One change under the cached prefix, as the underlying store reported it (no predicate).

    `data` is the encoded object (decoded afresh for every watcher that receives it); `obj` and
    `prev` (the state before; None after a create) are shared and must never be mutated.
    """

    revision: int
    key: str
    type: EventType
    data: bytes
    obj: Object
    prev: Object | None


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

    def events_after(self, revision: int) -> list[CachedEvent]:
        """Every held event with a revision above `revision` (revision >= window_start)."""
        return [self._slot(seq) for seq in range(self.first_seq_after(revision), self._next_seq)]

    def _slot(self, seq: int) -> CachedEvent:
        event = self._slots[seq % self._capacity]
        assert event is not None
        return event
