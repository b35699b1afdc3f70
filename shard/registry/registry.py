"""The set of Stores a shard serves, wired with the hooks that tie kinds together.

Hooks: namespaced creates need a live namespace (NamespaceLifecycle); a new namespace gets ServiceAccount
`default` and ConfigMap `kube-root-ca.crt`; a new LogicalCluster is written together with the namespaces
every cluster has (both in provisioning.py); a new Workspace gets its type defaulted and checked
(workspacetypes.py), then its shard chosen (`workspace_placement`, set by the workspace controller), and
it is stored by `workspace_writer` (the controller's too: with its LogicalCluster when that is on this shard).
`paths` resolves workspace paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apimachinery import errors
from apimachinery.apis.catalog import Catalog
from apimachinery.apis.core_v1 import NAMESPACES
from apimachinery.apis.types import Object, ResourceDefinition
from shard.registry import keys
from shard.registry.clusters import LogicalClusters
from shard.registry.context import RequestContext
from shard.registry.customresources import CustomResources
from shard.registry.kinds import strategy_for
from shard.registry.paths import PathResolver
from shard.registry.provisioning import Provisioning
from shard.registry.store import CreateHook, CreateWriter, Store
from shard.registry.strategy import Strategy
from shard.registry.workspacetypes import RootTypes, WorkspaceAdmission, WorkspaceTypes
from shard.storage import errors as storage_errors
from shard.storage.interface import Storage


@dataclass
class Registry:
    catalog: Catalog
    storage: Storage
    root_ca_pem: str = ""
    root_types: RootTypes | None = None  # None: the root workspace is on this shard
    stores: dict[tuple[str, str, str], Store] = field(default_factory=dict)
    # chooses a new Workspace's shard at admission (the workspace controller's; None: the controller will)
    workspace_placement: CreateHook | None = None
    # stores a new Workspace (the workspace controller's, which may write its LogicalCluster with it; None:
    # the Workspace alone)
    workspace_writer: CreateWriter | None = None
    custom: CustomResources = field(init=False)
    paths: PathResolver = field(init=False)
    provisioning: Provisioning = field(init=False)

    def __post_init__(self) -> None:
        self.paths = PathResolver(self.storage, LogicalClusters(self.storage))
        self.provisioning = Provisioning(self.store_of, self.storage, self.root_ca_pem)
        for resource in self.catalog.resources:
            if resource.persisted:  # the reviews are answered by shard/endpoints/reviews.py, not a Store
                self.stores[(resource.group, resource.version, resource.plural)] = self.build_store(resource)
        self.custom = CustomResources(self.catalog)

    def store_for(self, cluster: str, group: str, version: str, plural: str) -> Store | None:
        """The Store serving this resource in `cluster`: a built-in, or a custom resource of its CRDs."""
        return self.stores.get((group, version, plural)) or self.custom.store_for(cluster, (group, version, plural))

    def store_of(self, resource: ResourceDefinition) -> Store:
        return self.stores[(resource.group, resource.version, resource.plural)]

    def catalog_for(self, cluster: str) -> Catalog:
        return self.custom.catalog_for(cluster)

    def stores_in(self, cluster: str) -> list[Store]:
        """One Store per storage location in `cluster` (aliases such as events.k8s.io left out)."""
        builtin = [store for store in self.stores.values() if not store.resource.stored_as]
        return [*builtin, *self.custom.storage_stores(cluster)]

    def build_store(self, resource: ResourceDefinition, strategy: Strategy | None = None) -> Store:
        admission: tuple[CreateHook, ...] = (self._namespace_lifecycle,) if resource.namespaced else ()
        after_create: tuple[CreateHook, ...] = ()
        writer: CreateWriter | None = None
        if resource.kind == "Namespace" and resource.group == "":
            after_create = (self.provisioning.provision_namespace,)
        elif resource.kind == "LogicalCluster":
            writer = self.provisioning.create_logical_cluster
        elif resource.kind == "Workspace" and resource.group == "tenancy.kcp.io":
            admission = (WorkspaceAdmission(WorkspaceTypes(self.paths, self.root_types)).admit, self._place)
            writer = self._write_workspace
        return Store(resource, strategy or strategy_for(resource), self.storage, admission, after_create, writer)

    async def _place(self, ctx: RequestContext, workspace: Object) -> None:
        if self.workspace_placement is not None:
            await self.workspace_placement(ctx, workspace)

    async def _write_workspace(self, ctx: RequestContext, key: str, workspace: Object) -> Object:
        if self.workspace_writer is not None:
            return await self.workspace_writer(ctx, key, workspace)
        return await self.storage.create(key, workspace)

    async def _namespace_lifecycle(self, ctx: RequestContext, obj: Object) -> None:
        """Creating in a missing namespace → 404; in a terminating one → 403 NamespaceTerminating.

        The watch cache answers first, as upstream's informer does; a miss is confirmed by a linearizable
        read, so a namespace created a moment ago is never reported missing."""
        key = keys.object_key(NAMESPACES, ctx.cluster, "", ctx.namespace)
        try:
            try:
                namespace = await self.storage.get(key, consistent=False)
            except storage_errors.KeyNotFoundError:
                namespace = await self.storage.get(key)
        except storage_errors.KeyNotFoundError:
            raise errors.not_found("namespaces", ctx.namespace) from None
        if (namespace.get("metadata") or {}).get("deletionTimestamp"):
            raise errors.StatusError(
                403,
                "Forbidden",
                f"unable to create new content in namespace {ctx.namespace} because it is being terminated",
                name=ctx.namespace,
                kind="namespaces",
                causes=[
                    errors.Cause(
                        "NamespaceTerminating", f"namespace {ctx.namespace} is being terminated", "metadata.namespace"
                    )
                ],
            )
