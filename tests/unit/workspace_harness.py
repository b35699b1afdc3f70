"""A workspace controller on MemoryStorage for unit tests: `CountingStorage` records writes and the reads
that would fetch a revision, and can hold a lagging watch cache; `started` bootstraps root and wires the
controller as shard/server.py does."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from apimachinery.apis.catalog import builtin_catalog
from apimachinery.apis.tenancy_kcp_io import WORKSPACES, WORKSPACETYPES
from shard.controllers.workspace.controller import WorkspaceController
from shard.registry.bootstrap import bootstrap_root
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.keys import logical_cluster_key
from shard.registry.registry import Registry
from tests.unit.memory_storage import MemoryStorage

Object = dict[str, Any]
ADMIN = UserInfo("admin", ("system:masters",))
ROOT = RequestContext("root", ADMIN)
SHARD = {"metadata": {"name": "root", "labels": {"name": "root"}}, "spec": {"externalURL": "https://kplane"}}
WORKSPACE_PREFIX = "/registry/tenancy.kcp.io/workspaces/root/"
LC_PREFIX = "/registry/core.kcp.io/logicalclusters/"


@dataclass
class CountingStorage(MemoryStorage):
    """MemoryStorage that records every write (op, key) and every read that would fetch a revision."""

    writes: list[tuple[str, str]] = field(default_factory=list)
    consistent_reads: list[str] = field(default_factory=list)
    _writing: bool = False
    cache: dict[str, Object] = field(default_factory=dict)  # a watch cache that lags: set by freeze_cache()
    conflicts: list[str] = field(default_factory=list)

    def freeze_cache(self) -> None:
        """From now on the "watch cache" the Cacher would start writes from stays as it is now."""
        self.cache = copy.deepcopy(self.objects)

    async def create(self, key: str, obj: Object) -> Object:
        self.writes.append(("create", key))
        return await super().create(key, obj)

    async def create_many(self, entries: Any) -> list[Object]:
        self.writes.extend(("create", key) for key, _ in entries)
        return await super().create_many(entries)

    async def guaranteed_update(
        self, key: str, update: Any, *, preconditions: Any = None, cached: Any = None
    ) -> Object:
        self.writes.append(("update", key))
        start = cached if cached is not None else self.cache.get(key)
        if (
            start is not None
            and start["metadata"]["resourceVersion"] != self.objects[key]["metadata"]["resourceVersion"]
        ):
            self.conflicts.append(key)  # a guarded write from this state would fail once, then retry
        self._writing = True  # MemoryStorage's own read of the current state is no reader's
        try:
            return await super().guaranteed_update(key, update, preconditions=preconditions, cached=cached)
        finally:
            self._writing = False

    async def get(self, key: str, *, revision: int = 0, consistent: bool = True) -> Object:
        if consistent and not revision and not self._writing:
            self.consistent_reads.append(key)
        return await super().get(key, revision=revision, consistent=consistent)

    async def delete(self, key: str, *, preconditions: Any = None, validate: Any = None, cached: Any = None) -> Object:
        self.writes.append(("delete", key))
        self._writing = True
        try:
            return await super().delete(key, preconditions=preconditions, validate=validate, cached=cached)
        finally:
            self._writing = False

    async def delete_prefixes(self, prefixes: Any, *, unchanged_since: int | None) -> int | None:
        self.writes.append(("delete_prefixes", " ".join(prefixes)))
        return await super().delete_prefixes(prefixes, unchanged_since=unchanged_since)

    def under(self, prefix: str) -> list[tuple[str, str]]:
        return [(op, key) for op, key in self.writes if key.startswith(prefix)]


async def started(
    *, placement: bool = True, together: bool | None = None
) -> tuple[Registry, CountingStorage, WorkspaceController]:
    """`placement`: the shard is chosen at admission; `together` (default: as `placement`): a Workspace
    placed here is stored with its LogicalCluster in one transaction. Both as shard/server.py wires them."""
    storage = CountingStorage()
    registry = Registry(builtin_catalog(), storage)
    await bootstrap_root(registry, user=ADMIN)

    async def shard_list() -> list[Object]:
        return [SHARD]

    controller = WorkspaceController(registry, shard_list=shard_list)
    if placement:
        registry.workspace_placement = controller.place
    if placement if together is None else together:
        registry.workspace_writer = controller.write_new
    return registry, storage, controller


async def create_workspace(registry: Registry, name: str, type_name: str = "universal") -> None:
    workspace = {"metadata": {"name": name}, "spec": {"type": {"name": type_name, "path": "root"}}}
    await registry.store_of(WORKSPACES).create(ROOT, workspace, WriteOptions())


async def get_workspace(registry: Registry, name: str) -> Object:
    return await registry.store_of(WORKSPACES).get(ROOT, name)


def conditions_of(workspace: Object) -> dict[str, str]:
    return {c["type"]: c["status"] for c in workspace["status"].get("conditions") or []}


async def gated_type(registry: Registry) -> None:
    """WorkspaceType `gated` in root, whose workspaces wait for its initializer `root:gated`."""
    gated = {"metadata": {"name": "gated"}, "spec": {"initializer": True}}
    await registry.store_of(WORKSPACETYPES).create(ROOT, gated, WriteOptions())


async def assert_initializing(registry: Registry, storage: CountingStorage, name: str) -> str:
    """The workspace and its LogicalCluster wait for `root:gated`; returns the cluster name."""
    workspace = await get_workspace(registry, name)
    assert workspace["status"]["phase"] == "Initializing"
    assert workspace["status"]["initializers"] == ["root:gated"]
    assert conditions_of(workspace) == {"WorkspaceScheduled": "True"}
    cluster: str = workspace["spec"]["cluster"]
    lc_status = (await storage.get(logical_cluster_key(cluster)))["status"]
    assert lc_status == {"phase": "Initializing", "initializers": ["root:gated"]}
    return cluster
