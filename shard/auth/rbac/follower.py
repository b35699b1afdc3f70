"""What keeps the RBAC index current: one list-then-watch of the RBAC storage prefix (Roles,
ClusterRoles, RoleBindings, ClusterRoleBindings of every logical cluster), relisting after any storage
error; and a consistent re-read of one cluster's RBAC objects for a decision that must not lag.

The watch trails a write by a few milliseconds; `fresh_index` closes that gap for one logical cluster by
reading its four collections linearizably, so "create a RoleBinding, then use it" works at once.
(shard.auth must not import shard.controllers, hence this small loop of its own.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from shard.auth.rbac.index import RBAC_PREFIX, RESOURCES, RBACIndex
from shard.storage import errors as storage_errors
from shard.storage.interface import ListOptions, ListResult, Object, Storage, WatchEvent

RETRY_SECONDS = 1.0
log = logging.getLogger("kplane.auth.rbac")


@dataclass
class RBACFollower:
    """`synced` is set once the first listing is in the index: until then every RBAC decision would be
    made on an empty policy, so the server waits for it before serving."""

    storage: Storage
    index: RBACIndex
    synced: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        while True:
            with contextlib.suppress(storage_errors.StorageError):
                listed = await self.storage.list(RBAC_PREFIX, ListOptions())
                self.index.replace(RBAC_PREFIX, _by_key(listed))
                self.synced.set()
                async for event in self.storage.watch(RBAC_PREFIX, revision=listed.revision):
                    self.on_event(event)
            log.info("RBAC watch ended; listing again in %.0fs", RETRY_SECONDS)
            await asyncio.sleep(RETRY_SECONDS)

    def on_event(self, event: WatchEvent) -> None:
        if event.type in ("ADDED", "MODIFIED"):
            self.index.apply(event.key, event.object)
        elif event.type == "DELETED":
            self.index.apply(event.key, None)


def cluster_prefixes(cluster: str) -> list[str]:
    """The storage prefixes of the four RBAC collections of one logical cluster."""
    return [f"{RBAC_PREFIX}{resource}/{cluster}/" for resource in RESOURCES]


async def fresh_index(storage: Storage, index: RBACIndex, cluster: str) -> RBACIndex:
    """`index` with `cluster`'s RBAC objects replaced by a linearizable read of them (other clusters
    shared with `index`)."""
    listings = await asyncio.gather(*(storage.list(prefix, ListOptions()) for prefix in cluster_prefixes(cluster)))
    items: dict[str, Object] = {}
    for listed in listings:
        items.update(_by_key(listed))
    return index.with_fresh(cluster, items)


def _by_key(listed: ListResult) -> dict[str, Object]:
    return dict(zip(listed.keys, listed.items, strict=True))
