"""What every controller of a shard does the same way: follow a storage prefix (list, then watch, and
list again after an error) and work a queue of keys, requeueing a key whose reconcile asks for it or fails.

A controller supplies `on_list` (the full state after each (re)list), `on_event` (one change) and
`reconcile(key) -> bool` (True: look at this key again later).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from shard.controllers.queue import WorkQueue
from shard.storage import errors as storage_errors
from shard.storage.interface import ListOptions, ListResult, Storage, WatchEvent

RETRY_SECONDS = 1.0


class Observer(Protocol):
    def on_list(self, listed: ListResult) -> None: ...

    def on_event(self, event: WatchEvent) -> None: ...


async def follow(storage: Storage, prefix: str, observer: Observer) -> None:
    """Feed `observer` every object under `prefix`, then every change, forever."""
    while True:
        with contextlib.suppress(storage_errors.StorageError):
            listed = await storage.list(prefix, ListOptions())
            observer.on_list(listed)
            async for event in storage.watch(prefix, revision=listed.revision):
                observer.on_event(event)
        await asyncio.sleep(RETRY_SECONDS)


async def work(queue: WorkQueue, reconcile: Callable[[str], Awaitable[bool]], log: logging.Logger) -> None:
    while True:
        key = await queue.get()
        try:
            if await reconcile(key):
                queue.add_after(key, RETRY_SECONDS)
        except Exception:  # a failed key is retried; the controller keeps running
            log.exception("reconcile of %s failed", key)
            queue.add_after(key, RETRY_SECONDS)
        finally:
            queue.done(key)


async def run(
    storage: Storage,
    prefix: str,
    observer: Observer,
    queue: WorkQueue,
    reconcile: Callable[[str], Awaitable[bool]],
    log: logging.Logger,
    *,
    workers: int = 1,
) -> None:
    """`workers` reconcile different keys at once (the queue never gives one key to two of them)."""
    async with asyncio.TaskGroup() as group:
        group.create_task(follow(storage, prefix, observer))
        for _ in range(workers):
            group.create_task(work(queue, reconcile, log))
