"""Watching a prefix in etcd as Kubernetes watch events.

One etcd watch per call (on the client's shared stream), from `revision + 1`, with prev_kv so that
deletes carry the last state and predicates see both sides of an update (see transitions.py).
Progress from etcd (no events up to a revision) becomes BOOKMARK when asked for.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from shard.storage.errors import ExpiredError
from shard.storage.etcd3 import codec
from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.keys import prefix_range_end
from shard.storage.etcd3.results import EVENT_DELETE, Event
from shard.storage.etcd3.rpc_errors import RevisionCompactedError, WatchLaggedError
from shard.storage.interface import Predicate, WatchEvent
from shard.storage.transitions import delete_event_type, left_selector, put_event_type


async def watch_prefix(
    etcd_client: EtcdClient,
    prefix: str,
    *,
    revision: int,
    predicate: Predicate | None,
    bookmarks: bool,
    compact_revision: Callable[[], Awaitable[int]],
) -> AsyncIterator[WatchEvent]:
    """Every change under `prefix` after `revision`; see Storage.watch."""
    key = prefix.encode()
    watch = await etcd_client.watch(
        key,
        range_end=prefix_range_end(key),
        start_revision=revision + 1,
        prev_kv=True,
        progress_notify=bookmarks,
    )
    delivered = revision
    try:
        async for batch in watch:
            if batch.is_progress:
                if bookmarks and batch.revision >= delivered:
                    yield WatchEvent(type="BOOKMARK", object={}, revision=batch.revision)
                continue
            for event in batch.events:
                converted = to_watch_event(prefix, event, predicate)
                delivered = event.kv.mod_revision
                if converted is not None:
                    yield converted
    except RevisionCompactedError as err:
        raise ExpiredError(prefix, delivered, err.compact_revision) from err
    except WatchLaggedError as err:
        raise ExpiredError(prefix, delivered, await compact_revision()) from err
    finally:
        await watch.cancel()


def to_watch_event(prefix: str, event: Event, predicate: Predicate | None) -> WatchEvent | None:
    """The watch event for one etcd event, or None if the predicate hides it."""
    kv, revision, key = event.kv, event.kv.mod_revision, event.kv.key.decode()
    if event.type == EVENT_DELETE:
        last = codec.decode(_prev_value(prefix, event), revision)
        deleted = delete_event_type(last, predicate)
        return WatchEvent(type=deleted, object=last, revision=revision, key=key) if deleted else None
    new = codec.decode(kv.value, revision)
    created = kv.create_revision == revision
    if predicate is None:
        return WatchEvent(type="ADDED" if created else "MODIFIED", object=new, revision=revision, key=key)
    prev = None if created else codec.decode(_prev_value(prefix, event), event.prev_kv.mod_revision)
    changed = put_event_type(new, prev, predicate)
    if changed == "DELETED" and prev is not None:
        return WatchEvent(type=changed, object=left_selector(prev, revision), revision=revision, key=key)
    return WatchEvent(type=changed, object=new, revision=revision, key=key) if changed else None


def _prev_value(prefix: str, event: Event) -> bytes:
    """The previous value etcd attached; without it (history compacted under us) the watch is expired."""
    if not event.HasField("prev_kv"):
        raise ExpiredError(prefix, event.kv.mod_revision - 1, 0)
    return event.prev_kv.value
