"""The last step of a workspace's deletion: once its LogicalCluster is gone, the Workspace is deleted in one
write guarded by the state the pass holds when our finalizer is its last; with another finalizer only ours
goes and the Workspace stays, deleting, for it."""

from __future__ import annotations

from apimachinery.apis.tenancy_kcp_io import LOGICALCLUSTER_FINALIZER, WORKSPACES
from shard.registry.context import WriteOptions
from shard.registry.options import DeleteRequest
from tests.unit.test_workspace_reconcile_chain import (
    ROOT,
    WORKSPACE_PREFIX,
    Object,
    create_workspace,
    get_workspace,
    started,
)


async def test_another_finalizer_keeps_the_workspace_once_ours_is_gone() -> None:
    registry, storage, controller = await started()
    await create_workspace(registry, "w")
    await controller.reconcile("root/w")

    async def add_finalizer(current: Object) -> Object:
        current["metadata"]["finalizers"] = [*current["metadata"]["finalizers"], "example.com/keep"]
        return current

    await registry.store_of(WORKSPACES).update(ROOT, "w", add_finalizer, WriteOptions())
    await registry.store_of(WORKSPACES).delete(ROOT, "w", DeleteRequest())
    storage.writes.clear()
    assert await controller.reconcile("root/w") is False
    workspace = await get_workspace(registry, "w")
    assert workspace["metadata"]["finalizers"] == ["example.com/keep"]
    assert LOGICALCLUSTER_FINALIZER not in workspace["metadata"]["finalizers"]
    assert storage.writes[-1] == ("update", f"{WORKSPACE_PREFIX}w")  # the delete was refused: ours dropped
    assert not controller.workspaces.own.deleted_since("root/w", 0)
