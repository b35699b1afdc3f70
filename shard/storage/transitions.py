"""How one stored change looks to a watcher with a predicate (shared by etcd3 and the cacher).

Without a predicate, a create is ADDED, an update MODIFIED and a delete DELETED. With one, an object
that starts matching is ADDED, one that keeps matching MODIFIED, one that stops matching DELETED (with
its previous state, stamped with the revision of the change, as upstream), and a change that never
matches is not reported (None).
"""

from __future__ import annotations

import copy

from shard.storage.interface import EventType, Object, Predicate


def put_event_type(new: Object, prev: Object | None, predicate: Predicate | None) -> EventType | None:
    """The event for a write of `new` over `prev` (None when the key was created)."""
    if predicate is None:
        return "ADDED" if prev is None else "MODIFIED"
    matches_now = predicate(new)
    matched_before = prev is not None and predicate(prev)
    if matches_now:
        return "MODIFIED" if matched_before else "ADDED"
    return "DELETED" if matched_before else None


def delete_event_type(last: Object, predicate: Predicate | None) -> EventType | None:
    """The event for deleting a key whose last state was `last`."""
    if predicate is None or predicate(last):
        return "DELETED"
    return None


def left_selector(previous: Object, revision: int) -> Object:
    """The DELETED object of a watcher whose selector the object left: its last matching state, with the
    resourceVersion of the change that made it leave."""
    shown = copy.deepcopy(previous)
    shown.setdefault("metadata", {})["resourceVersion"] = str(revision)
    return shown
