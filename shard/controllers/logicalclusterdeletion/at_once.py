"""Deleting a logical cluster of this shard in one transaction, its LogicalCluster and its content together,
when nothing needs to see it deleting in between: the workspace controller of this shard owns it (its
Workspace is here), only our `core.kcp.io/logicalcluster-deletion` finalizer holds it, it is not deleting
yet, and it has no Workspaces (nested ones go first, through the marked path).

The marked path (purge.py) writes three transactions: the deletionTimestamp, the content, the
LogicalCluster. Its deleting state is there for whoever must act on it or wait for it: the deletion
controller of a shard whose LogicalCluster another shard deletes, another finalizer's owner, the nested
Workspaces' deletions. With none of them, the state is never acted on, and the LogicalCluster goes with
its content at one revision, as if the marked path had run with nobody looking.
"""

from __future__ import annotations

from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS
from apimachinery.apis.types import Object
from shard.controllers.logicalclusterdeletion.purge import CACHED, CURRENT, DELETION_FINALIZER, plan_content
from shard.registry import keys
from shard.registry.registry import Registry
from shard.storage import errors as storage_errors

# etcd's default --max-txn-ops: `delete_prefixes` splits more prefixes than this over several transactions,
# and a later one failing would leave the LogicalCluster without its content and without a deletionTimestamp
ONE_TRANSACTION = 128


async def delete_at_once(registry: Registry, cluster_name: str) -> bool:
    """True: the LogicalCluster and every stored object of the cluster are gone, in one transaction.
    False, with nothing deleted: not for this path (the LogicalCluster is missing, deleting, held by another
    finalizer; the cluster has Workspaces; too many prefixes), or the cluster kept changing under both
    attempts (the watch cache's state, then etcd's): the caller takes the marked path.

    The transaction is guarded by the revision R the content was planned at, the LogicalCluster's prefix
    among the guarded ones: its state read after R (so at R or later) is the state at the deletion."""
    for options in (CACHED, CURRENT):
        plan = await plan_content(registry, cluster_name, options)
        if plan is None or len(plan.prefixes) >= ONE_TRANSACTION:
            return False
        logical_cluster = await _read(registry, cluster_name, consistent=options.consistent)
        if logical_cluster is None or not _only_ours(logical_cluster):
            return False
        if int(logical_cluster["metadata"]["resourceVersion"]) > plan.revision:
            continue  # written after the plan: the guard would refuse it
        # the LogicalCluster's prefix last: it holds nothing but the LogicalCluster
        prefixes = [*plan.prefixes, keys.collection_prefix(LOGICALCLUSTERS, cluster_name)]
        if await registry.storage.delete_prefixes(prefixes, unchanged_since=plan.revision) is not None:
            return True
    return False


def _only_ours(logical_cluster: Object) -> bool:
    """Not deleting (a deleting one is the marked path's), and no finalizer but ours."""
    meta = logical_cluster["metadata"]
    return not meta.get("deletionTimestamp") and set(meta.get("finalizers") or []) <= {DELETION_FINALIZER}


async def _read(registry: Registry, cluster_name: str, *, consistent: bool) -> Object | None:
    try:
        return await registry.storage.get(keys.logical_cluster_key(cluster_name), consistent=consistent)
    except storage_errors.KeyNotFoundError:
        return None
