"""Home workspaces, created on first use, as kcp's home-workspace filter does.

`GET /clusters/root/apis/tenancy.kcp.io/v1alpha1/workspaces/~` ensures the caller's home: the logical
cluster `home_cluster_name(user)` with `kcp.io/path: user:<name>`, type `root:home`, the owner
annotation, `spec.createdBy` and the initializers of the `home` type chain (phase `Scheduling`); then
ClusterRoleBinding `workspace-admin` (the user → `cluster-admin`) and phase `Initializing`. While
initializers remain the caller is told to retry (429); with none left the home becomes `Ready` — on the
next request here, or at once by the home readiness controller (shard/controllers/homes/), since no
Workspace object owns a home. The answer is a
Workspace synthesized from the LogicalCluster (`home_workspace`), never stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from apimachinery import errors
from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS, SHARDS
from apimachinery.apis.rbac_v1 import CLUSTERROLEBINDINGS
from apimachinery.apis.tenancy_kcp_io import PATH_ANNOTATION, TYPE_ANNOTATION
from apimachinery.apis.types import Object
from apimachinery.index.home import home_cluster_name, home_path
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.metadata import CLUSTER_ANNOTATION
from shard.registry.owners import OWNER_ANNOTATION, user_info_json, workspace_admin_binding
from shard.registry.registry import Registry
from shard.registry.workspacetypes import WorkspaceTypes, initializers_of

HOME_TYPE = ("root", "home")
HOME_CREATOR = UserInfo("system:kcp:home-workspaces", ("system:masters",))


def home_logical_cluster(user: UserInfo, initializers: list[str]) -> Object:
    return {
        "apiVersion": LOGICALCLUSTERS.api_version,
        "kind": LOGICALCLUSTERS.kind,
        "metadata": {
            "name": "cluster",
            "annotations": {
                OWNER_ANNOTATION: orjson.dumps(user_info_json(user)).decode(),
                TYPE_ANNOTATION: ":".join(HOME_TYPE),
                PATH_ANNOTATION: home_path(user.name),
            },
        },
        "spec": {"createdBy": user_info_json(user), "initializers": initializers},
        "status": {"phase": "Scheduling"},
    }


def home_workspace(logical_cluster: Object) -> Object:
    """The Workspace kcp answers for `~`: named like the LogicalCluster, spec.cluster and spec.URL set."""
    meta, status = logical_cluster.get("metadata") or {}, logical_cluster.get("status") or {}
    workspace_status = {key: status[key] for key in ("phase", "conditions", "initializers") if status.get(key)}
    spec = {"cluster": (meta.get("annotations") or {}).get(CLUSTER_ANNOTATION, ""), "URL": status.get("URL", "")}
    return {
        "kind": "Workspace",
        "apiVersion": "tenancy.kcp.io/v1alpha1",
        "metadata": {"name": meta.get("name", ""), "creationTimestamp": meta.get("creationTimestamp")},
        "spec": {key: value for key, value in spec.items() if value},
        "status": workspace_status,
    }


@dataclass
class HomeWorkspaces:
    registry: Registry
    shard_name: str

    async def ensure(self, user: UserInfo) -> Object | None:
        """The caller's home LogicalCluster once Ready; None while it is still initializing."""
        cluster_name = home_cluster_name(user.name)
        ctx = RequestContext(cluster_name, HOME_CREATOR)
        logical_cluster = await self._get(ctx) or await self._create(ctx, user)
        phase = (logical_cluster.get("status") or {}).get("phase")
        if phase == "Scheduling":
            await self._grant_admin(ctx, user)
            url = f"{await self._external_url()}/clusters/{cluster_name}"
            initializers = list((logical_cluster.get("spec") or {}).get("initializers") or [])
            logical_cluster = await self._set_status(
                ctx, {"phase": "Initializing", "initializers": initializers, "URL": url}
            )
            phase = "Initializing"
        if phase == "Initializing":
            if (logical_cluster.get("status") or {}).get("initializers"):
                return None
            logical_cluster = await self._set_status(ctx, {"phase": "Ready"})
        return logical_cluster

    async def _get(self, ctx: RequestContext) -> Object | None:
        try:
            return await self.registry.store_of(LOGICALCLUSTERS).get(ctx, "cluster")
        except errors.StatusError as err:
            if err.code == 404:
                return None
            raise

    async def _create(self, ctx: RequestContext, user: UserInfo) -> Object:
        resolved = await WorkspaceTypes(self.registry.paths).resolve(*HOME_TYPE)
        if resolved is None:
            raise errors.internal('workspace type "root:home" does not exist')
        logical_cluster = home_logical_cluster(user, initializers_of(resolved))
        try:
            created = await self.registry.store_of(LOGICALCLUSTERS).create(ctx, logical_cluster, WriteOptions())
        except errors.StatusError as err:
            if err.reason != "AlreadyExists":
                raise
            return await self.registry.store_of(LOGICALCLUSTERS).get(ctx, "cluster")
        return created

    async def _grant_admin(self, ctx: RequestContext, user: UserInfo) -> None:
        binding = workspace_admin_binding(user.name)
        try:
            await self.registry.store_of(CLUSTERROLEBINDINGS).create(ctx, binding, WriteOptions())
        except errors.StatusError as err:
            if err.reason != "AlreadyExists":
                raise

    async def _set_status(self, ctx: RequestContext, changes: Object) -> Object:
        async def mutate(current: Object) -> Object:
            current["status"] = {**(current.get("status") or {}), **changes}
            return current

        store = self.registry.store_of(LOGICALCLUSTERS)
        return await store.update(ctx, "cluster", mutate, WriteOptions(), subresource="status")

    async def _external_url(self) -> str:
        root = RequestContext("root", HOME_CREATOR)
        try:
            shard = await self.registry.store_of(SHARDS).get(root, self.shard_name)
        except errors.StatusError as err:
            raise errors.internal(f"shard {self.shard_name} is not registered") from err
        return str((shard.get("spec") or {}).get("externalURL", "")).rstrip("/")
