"""Wiring of the namespace controller: watch namespaces of every logical cluster, queue terminating ones."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from shard.controllers.namespace.reconcile_content import delete_content, finalize
from shard.controllers.queue import WorkQueue
from shard.registry.metadata import CLUSTER_ANNOTATION
from shard.registry.registry import Registry
from shard.storage import errors as storage_errors
from shard.storage.interface import ListOptions, Object

PREFIX = "/registry/core/namespaces/"
RETRY_SECONDS = 1.0
log = logging.getLogger("kplane.controllers.namespace")


@dataclass
class NamespaceController:
    registry: Registry
    queue: WorkQueue = field(default_factory=WorkQueue)

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            group.create_task(self._feed())
            group.create_task(self._work())

    async def _feed(self) -> None:
        storage = self.registry.storage
        while True:
            with contextlib.suppress(storage_errors.StorageError):
                listed = await storage.list(PREFIX, ListOptions())
                for item in listed.items:
                    self._offer(item)
                async for event in storage.watch(PREFIX, revision=listed.revision):
                    if event.type in ("ADDED", "MODIFIED"):
                        self._offer(event.object)
            await asyncio.sleep(RETRY_SECONDS)

    def _offer(self, namespace: Object) -> None:
        meta = namespace.get("metadata") or {}
        if meta.get("deletionTimestamp"):
            cluster = (meta.get("annotations") or {}).get(CLUSTER_ANNOTATION, "")
            if cluster:
                self.queue.add(f"{cluster}/{meta['name']}")

    async def _work(self) -> None:
        while True:
            key = await self.queue.get()
            cluster, _, name = key.partition("/")
            try:
                if await delete_content(self.registry, cluster, name):
                    self.queue.add_after(key, RETRY_SECONDS)
                    continue
                await finalize(self.registry, cluster, name)
            except Exception:  # keep the controller alive; the namespace is retried
                log.exception("namespace %s: termination step failed", key)
                self.queue.add_after(key, RETRY_SECONDS)
