"""The RBAC objects a shard writes at start, reconciled on every start so upgrades take effect:

- logical cluster `system:admin` with upstream's default ClusterRoles and ClusterRoleBindings (the
  bootstrap policy every logical cluster of the shard falls back on);
- in `root`, kcp's grants to every authenticated user: the `access` verb (entering root; it shows
  nothing by itself beyond discovery) and `use` of the built-in workspace types children may have.
"""

from __future__ import annotations

from apimachinery import errors
from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS
from apimachinery.apis.rbac_v1 import CLUSTERROLEBINDINGS, CLUSTERROLES
from apimachinery.apis.types import Object, ResourceDefinition
from shard.auth.rbac.bootstrap_policy import BOOTSTRAP_CLUSTER, cluster_role_bindings, cluster_roles
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.registry import Registry

RBAC_GROUP = "rbac.authorization.k8s.io"
ACCESS_CLUSTER_ROLE = "system:kcp:workspace:access"
USABLE_ROOT_TYPES = ("universal", "organization", "team")


def root_policy() -> tuple[list[Object], list[Object]]:
    """(ClusterRoles, ClusterRoleBindings) kcp's root workspace carries for `system:authenticated`."""
    use_types: Object = {
        "metadata": {"name": "system:kcp:workspacetypes:use"},
        "rules": [
            {
                "apiGroups": ["tenancy.kcp.io"],
                "resources": ["workspacetypes"],
                "resourceNames": list(USABLE_ROOT_TYPES),
                "verbs": ["use"],
            }
        ],
    }
    return [use_types], [
        _binding("system:kcp:authenticated:access", ACCESS_CLUSTER_ROLE),
        _binding("system:kcp:workspacetypes:use", "system:kcp:workspacetypes:use"),
    ]


def _binding(name: str, cluster_role: str) -> Object:
    return {
        "metadata": {"name": name},
        "subjects": [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": "system:authenticated"}],
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": cluster_role},
    }


async def seed_policy(registry: Registry, *, user: UserInfo, holds_root: bool = True) -> None:
    """`holds_root`: this is the root shard, which also carries root's grants."""
    admin_ctx = RequestContext(BOOTSTRAP_CLUSTER, user)
    await _reconcile(registry, admin_ctx, LOGICALCLUSTERS, {"metadata": {"name": "cluster"}})
    await _reconcile_all(registry, admin_ctx, cluster_roles(), cluster_role_bindings())
    if holds_root:
        roles, bindings = root_policy()
        await _reconcile_all(registry, RequestContext("root", user), roles, bindings)


async def _reconcile_all(registry: Registry, ctx: RequestContext, roles: list[Object], bindings: list[Object]) -> None:
    for role in roles:
        await _reconcile(registry, ctx, CLUSTERROLES, role)
    for binding in bindings:
        await _reconcile(registry, ctx, CLUSTERROLEBINDINGS, binding)


async def _reconcile(registry: Registry, ctx: RequestContext, resource: ResourceDefinition, wanted: Object) -> None:
    """Create `wanted`, or bring an existing object's content (not its metadata) back to it."""
    store = registry.store_of(resource)
    try:
        await store.create(ctx, wanted, WriteOptions())
        return
    except errors.StatusError as err:
        if err.reason != "AlreadyExists":
            raise

    async def restore(current: Object) -> Object:
        for key, value in wanted.items():
            if key == "metadata":
                current["metadata"].setdefault("labels", {}).update(value.get("labels") or {})
                current["metadata"].setdefault("annotations", {}).update(value.get("annotations") or {})
            elif key not in ("apiVersion", "kind"):
                current[key] = value
        return current

    if resource is not LOGICALCLUSTERS:
        await store.update(ctx, wanted["metadata"]["name"], restore, WriteOptions())
