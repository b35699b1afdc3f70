"""What the storage contract suite needs from an implementation under test, and shared helpers.

A test gets a StorageHarness: the Storage, a key prefix of its own (so tests never see each other's
keys), and a way to compact the backing etcd. Tests must not assume anything else about the
implementation.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from shard.storage.interface import Object, Storage, WatchEvent

WATCH_TIMEOUT = 10.0
MIN_HISTORY = 50
"""Tests rely on watches replaying up to this many recent changes; an implementation with a bounded
history (the cacher) should keep exactly this many under test, so that EXPIRING_CHANGES expire it."""
EXPIRING_CHANGES = 60


@dataclass(frozen=True)
class StorageHarness:
    """storage: the implementation under test. prefix: this test's own prefix (ends with "/").
    outside_prefix: a prefix that is not under `prefix`, for writes the test must not see.
    compact: compacts the backing etcd at a revision (history before it is gone)."""

    storage: Storage
    prefix: str
    outside_prefix: str
    compact: Callable[[int], Awaitable[None]]

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"


def make_object(name: str, **fields: Any) -> Object:
    """A minimal Kubernetes-like object."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "uid": f"uid-{name}"},
        **fields,
    }


def rv(obj: Object) -> int:
    """The resourceVersion of a stored object, as an int."""
    return int(obj["metadata"]["resourceVersion"])


def set_field(name: str, value: Any) -> Callable[[Object], Awaitable[Object]]:
    """An update function that sets a top-level field."""

    async def update(obj: Object) -> Object:
        obj[name] = value
        return obj

    return update


async def next_events(
    events: AsyncIterator[WatchEvent],
    count: int,
    *,
    skip_bookmarks: bool = True,
    timeout: float = WATCH_TIMEOUT,
) -> list[WatchEvent]:
    """The next `count` events (bookmarks skipped unless asked); fails the test after `timeout`."""
    received: list[WatchEvent] = []
    async with asyncio.timeout(timeout):
        while len(received) < count:
            event = await anext(events)
            if not (skip_bookmarks and event.type == "BOOKMARK"):
                received.append(event)
    return received


async def first_event_within(events: AsyncIterator[WatchEvent], seconds: float) -> WatchEvent | None:
    """The first event arriving within `seconds`, or None (bookmarks count as events).

    On timeout the iterator is cancelled mid-wait and cannot be used any more."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            return await anext(events)
    return None


async def close(events: AsyncIterator[WatchEvent]) -> None:
    aclose = getattr(events, "aclose", None)
    if aclose is not None:
        await aclose()
