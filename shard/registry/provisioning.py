"""The initial content of new logical clusters and namespaces, and how it is written.

A new namespace gets ServiceAccount `default` and ConfigMap `kube-root-ca.crt` (`provision_namespace`, the
Namespace Store's after_create). A new LogicalCluster gets the namespaces every cluster has (default,
kube-system, kube-public, each with that ServiceAccount and ConfigMap) and, when it has an owner, the
`workspace-admin` ClusterRoleBinding (owners.py).

`create_logical_cluster` is the LogicalCluster Store's writer: the LogicalCluster and all of its content go
to storage in one transaction (one etcd revision), each piece prepared by its own Store exactly as a create
through that Store would prepare it. If the LogicalCluster's key is free but a piece's key is taken (content
left behind), it falls back to the sequential path: the LogicalCluster first, then each piece through its
Store, skipping what exists. The managedFields of the content name `kube-controller-manager`, the
component that creates it upstream.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apimachinery import errors
from apimachinery.apis.core_v1 import CONFIGMAPS, NAMESPACES, SERVICEACCOUNTS
from apimachinery.apis.rbac_v1 import CLUSTERROLEBINDINGS
from apimachinery.apis.types import Object, ResourceDefinition
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.owners import owner_name, workspace_admin_binding
from shard.registry.store import Store
from shard.storage import errors as storage_errors
from shard.storage.interface import Storage

INITIAL_NAMESPACES = ("default", "kube-system", "kube-public")
ROOT_CA_CONFIGMAP = "kube-root-ca.crt"
CONTENT_OPTIONS = WriteOptions(field_manager="kube-controller-manager")

StoreOf = Callable[[ResourceDefinition], Store]
Piece = tuple[ResourceDefinition, Object]


@dataclass(frozen=True)
class Provisioning:
    store_of: StoreOf
    storage: Storage
    root_ca_pem: str = ""

    # ---- what is created -----------------------------------------------------------------------
    def namespace_content(self) -> list[Piece]:
        """What every new namespace holds (fresh objects: the Stores fill them in place)."""
        return [
            (SERVICEACCOUNTS, {"metadata": {"name": "default"}}),
            (CONFIGMAPS, {"metadata": {"name": ROOT_CA_CONFIGMAP}, "data": {"ca.crt": self.root_ca_pem}}),
        ]

    @staticmethod
    def cluster_content(logical_cluster: Object) -> list[Piece]:
        """What a new logical cluster holds besides its namespaces' content."""
        pieces: list[Piece] = [(NAMESPACES, {"metadata": {"name": name}}) for name in INITIAL_NAMESPACES]
        owner = owner_name(logical_cluster)
        if owner:
            pieces.append((CLUSTERROLEBINDINGS, workspace_admin_binding(owner)))
        return pieces

    # ---- one transaction -----------------------------------------------------------------------
    async def create_logical_cluster(self, ctx: RequestContext, key: str, logical_cluster: Object) -> Object:
        """Write the LogicalCluster (its stored form under `key`) with its content; KeyExistsError iff the
        LogicalCluster exists, and then nothing is written."""
        entries = [(key, logical_cluster), *await self.bundle(ctx, logical_cluster)]
        try:
            return (await self.storage.create_many(entries))[0]
        except storage_errors.KeyExistsError as err:
            if err.key == key:
                raise
        created = await self.storage.create(key, logical_cluster)
        await self.provision_logical_cluster(ctx, created)
        return created

    async def bundle(self, ctx: RequestContext, logical_cluster: Object) -> list[tuple[str, Object]]:
        """(key, stored form) of the content, in the order the sequential path writes it."""
        cluster_ctx = _content_ctx(ctx, "")
        entries: list[tuple[str, Object]] = []
        for resource, obj in self.cluster_content(logical_cluster):
            entries.append(await self.store_of(resource).prepared(cluster_ctx, obj, CONTENT_OPTIONS))
            if resource is NAMESPACES:
                entries.extend(await self._namespace_bundle(_content_ctx(ctx, obj["metadata"]["name"])))
        return entries

    async def _namespace_bundle(self, namespace_ctx: RequestContext) -> list[tuple[str, Object]]:
        # no admission: the namespace-lifecycle check would look for a namespace written in the same transaction
        return [
            await self.store_of(resource).prepared(namespace_ctx, obj, CONTENT_OPTIONS, admission=False)
            for resource, obj in self.namespace_content()
        ]

    # ---- one by one ----------------------------------------------------------------------------
    async def provision_logical_cluster(self, ctx: RequestContext, logical_cluster: Object) -> None:
        """The content of an existing LogicalCluster, each piece through its Store; existing ones kept."""
        cluster_ctx = _content_ctx(ctx, "")
        for resource, obj in self.cluster_content(logical_cluster):
            await self._ensure(cluster_ctx, resource, obj)

    async def provision_namespace(self, ctx: RequestContext, namespace: Object) -> None:
        namespace_ctx = _content_ctx(ctx, namespace["metadata"]["name"])
        for resource, obj in self.namespace_content():
            await self._ensure(namespace_ctx, resource, obj)

    async def _ensure(self, ctx: RequestContext, resource: ResourceDefinition, obj: Object) -> None:
        try:
            await self.store_of(resource).create(ctx, obj, CONTENT_OPTIONS)
        except errors.StatusError as err:
            if err.reason != "AlreadyExists":
                raise


def _content_ctx(ctx: RequestContext, namespace: str) -> RequestContext:
    """The requester's identity without its permissions: the server writes the content, not the caller."""
    return RequestContext(ctx.cluster, ctx.user, namespace, ctx.user_agent)
