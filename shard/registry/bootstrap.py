"""What the root shard writes at start: the `root` logical cluster (path `root`), its own Shard object in
`root`, and the built-in WorkspaceTypes (`root`, `universal`, `organization`, `team`, `home`). Idempotent:
later starts find them; the Shard's addresses are brought up to date. Other shards write none of it: they
register their Shard in root through the root shard (shard/topology/).
"""

from __future__ import annotations

from apimachinery import errors
from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS, SHARDS
from apimachinery.apis.tenancy_kcp_io import PATH_ANNOTATION, TYPE_ANNOTATION, WORKSPACETYPES
from apimachinery.apis.types import Object, ResourceDefinition
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.registry import Registry

DEFAULT_CAPACITY = "10000"


def _type(name: str, spec: Object) -> Object:
    return {"metadata": {"name": name, "annotations": {PATH_ANNOTATION: "root"}}, "spec": spec}


def _refs(*names: str) -> Object:
    return {"types": [{"name": name, "path": "root"} for name in names]}


BUILTIN_TYPES = (
    _type(
        "root",
        {"limitAllowedParents": {"none": True}, "defaultChildWorkspaceType": {"name": "universal", "path": "root"}},
    ),
    _type("universal", {}),
    _type("organization", {"limitAllowedParents": _refs("root"), "limitAllowedChildren": _refs("universal", "team")}),
    _type("team", {"limitAllowedParents": _refs("organization", "team")}),
    _type("home", {"extend": {"with": [{"name": "universal", "path": "root"}]}, "limitAllowedParents": {"none": True}}),
)


async def bootstrap(registry: Registry, *, user: UserInfo, shard_name: str, base_url: str) -> None:
    await bootstrap_root(registry, user=user)
    await register_shard(registry, RequestContext("root", user), shard_name=shard_name, base_url=base_url)


async def bootstrap_root(registry: Registry, *, user: UserInfo) -> None:
    """The `root` logical cluster and the built-in WorkspaceTypes (the root shard only)."""
    ctx = RequestContext("root", user)
    root_annotations = {PATH_ANNOTATION: "root", TYPE_ANNOTATION: "root:root"}
    await _ensure(registry, ctx, LOGICALCLUSTERS, {"metadata": {"name": "cluster", "annotations": root_annotations}})
    for workspace_type in BUILTIN_TYPES:
        await _ensure(registry, ctx, WORKSPACETYPES, workspace_type)


async def register_shard(
    registry: Registry,
    ctx: RequestContext,
    *,
    shard_name: str,
    base_url: str,
    external_url: str = "",
    virtual_workspace_url: str = "",
) -> None:
    """Create or refresh the Shard `shard_name` in root; empty URLs default to `base_url`."""
    store = registry.store_of(SHARDS)
    shard: Object = {
        "metadata": {"name": shard_name, "labels": {"name": shard_name}},
        "spec": {
            "baseURL": base_url,
            "externalURL": external_url or base_url,
            "virtualWorkspaceURL": virtual_workspace_url or base_url,
        },
    }
    if not await _ensure(registry, ctx, SHARDS, shard):

        async def refresh(current: Object) -> Object:
            current["spec"] = {**(current.get("spec") or {}), **shard["spec"]}
            current["metadata"].setdefault("labels", {})["name"] = shard_name
            return current

        await store.update(ctx, shard_name, refresh, WriteOptions())

    async def capacity(current: Object) -> Object:
        current.setdefault("status", {}).setdefault("capacity", {}).setdefault("workspaces", DEFAULT_CAPACITY)
        return current

    await store.update(ctx, shard_name, capacity, WriteOptions(), subresource="status")


async def _ensure(registry: Registry, ctx: RequestContext, resource: ResourceDefinition, obj: Object) -> bool:
    """Create `obj`; False if it was already there."""
    try:
        await registry.store_of(resource).create(ctx, obj, WriteOptions())
    except errors.StatusError as err:
        if err.reason != "AlreadyExists":
            raise
        return False
    return True
