"""Serving one watch from the cacher's event buffer.

A watcher is a read position (a sequence number) in the shared buffer, so it needs no queue of its own:
it delivers every buffered event after its start revision under its prefix, in order, then sleeps until
the buffer changes. It ends with ExpiredError if its start revision is older than the buffer's window,
if it falls so far behind that unread events were evicted, or if the cache relisted (new epoch). It is
woken only by changes under its prefix (notifier.PrefixWakeups). While idle and asked for bookmarks, it
reports the cache revision every `bookmark_interval` seconds when that revision moved, and at least
every `bookmark_heartbeat`.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from shard.storage.cacher.buffer import CachedEvent, Decoded, EvictedError, decode_event, reported_object
from shard.storage.cacher.reflector import Reflector
from shard.storage.errors import ExpiredError
from shard.storage.interface import Predicate, WatchEvent
from shard.storage.transitions import delete_event_type, left_selector, put_event_type


@dataclass(frozen=True)
class BookmarkPolicy:
    interval: float
    heartbeat: float


async def serve_watch(
    source: Reflector,
    prefix: str,
    *,
    revision: int,
    predicate: Predicate | None,
    bookmarks: BookmarkPolicy | None,
) -> AsyncIterator[WatchEvent]:
    """Every change under `prefix` after `revision` (see Storage.watch), from the cache."""
    epoch, buffer = source.epoch, source.buffer
    if revision < buffer.window_start:
        raise ExpiredError(prefix, revision, buffer.window_start)
    seq, delivered = buffer.first_seq_after(revision), revision
    last_sent, last_bookmark = time.monotonic(), revision
    while True:
        if source.epoch != epoch:
            raise ExpiredError(prefix, delivered, source.buffer.window_start)
        seq, event = _next(source, prefix, seq, delivered)
        if event is None:
            if bookmarks is not None and _bookmark_due(bookmarks, last_sent, last_bookmark, source.revision):
                last_sent, last_bookmark = time.monotonic(), source.revision
                yield WatchEvent(type="BOOKMARK", object={}, revision=source.revision)
            await source.wakeups.wait(prefix, bookmarks.interval if bookmarks is not None else None)
            continue
        seq += 1
        if event.revision <= revision:
            continue
        delivered = event.revision
        judged = None if predicate is None else source.buffer.decoded(seq - 1)
        converted = to_watch_event(event, predicate, judged)
        if converted is not None:
            last_sent = time.monotonic()
            yield converted


def _next(source: Reflector, prefix: str, seq: int, delivered: int) -> tuple[int, CachedEvent | None]:
    """The next event under `prefix` from event number `seq` on, and its number (see EventBuffer.next_under)."""
    try:
        return source.buffer.next_under(prefix, seq)
    except EvictedError:
        raise ExpiredError(prefix, delivered, source.buffer.window_start) from None


def _bookmark_due(policy: BookmarkPolicy, last_sent: float, last_bookmark: int, revision: int) -> bool:
    idle = time.monotonic() - last_sent
    if revision < last_bookmark:
        return False
    return idle >= policy.heartbeat or (idle >= policy.interval and revision > last_bookmark)


def to_watch_event(event: CachedEvent, predicate: Predicate | None, judged: Decoded | None = None) -> WatchEvent | None:
    """What a watcher with `predicate` sees of one cached event (None: nothing).

    The predicate judges `judged` (the event decoded, shared with other watchers; decoded here if not
    given); what is delivered is this watcher's own copy.
    """
    if predicate is None:
        return WatchEvent(type=event.type, object=reported_object(event), revision=event.revision, key=event.key)
    obj, prev = judged or decode_event(event)
    if event.type == "DELETED":
        shown = delete_event_type(obj, predicate)
    else:
        shown = put_event_type(obj, prev, predicate)
        if shown == "DELETED" and prev is not None:
            return WatchEvent(
                type=shown, object=left_selector(prev, event.revision), revision=event.revision, key=event.key
            )
    if shown is None:
        return None
    return WatchEvent(type=shown, object=reported_object(event), revision=event.revision, key=event.key)
