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
from shard.registry.shardobjects import ShardRegistration, merged, with_capacity


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


async def bootstrap_root(registry: Registry, *, user: UserInfo) -> None:
    """The `root` logical cluster and the built-in WorkspaceTypes (the root shard only)."""
    ctx = RequestContext("root", user)
    root_annotations = {PATH_ANNOTATION: "root", TYPE_ANNOTATION: "root:root"}
    await _ensure(registry, ctx, LOGICALCLUSTERS, {"metadata": {"name": "cluster", "annotations": root_annotations}})
    for workspace_type in BUILTIN_TYPES:
        await _ensure(registry, ctx, WORKSPACETYPES, workspace_type)


async def register_shard(registry: Registry, ctx: RequestContext, registration: ShardRegistration) -> None:
    """Create or refresh this shard's Shard in root (shardobjects.py says how)."""
    store = registry.store_of(SHARDS)
    if not await _ensure(registry, ctx, SHARDS, registration.shard_object()):

        async def refresh(current: Object) -> Object:
            return merged(current, registration) or current

        await store.update(ctx, registration.name, refresh, WriteOptions())

    async def capacity(current: Object) -> Object:
        return with_capacity(current, registration) or current

    await store.update(ctx, registration.name, capacity, WriteOptions(), subresource="status")


async def _ensure(registry: Registry, ctx: RequestContext, resource: ResourceDefinition, obj: Object) -> bool:
    """Create `obj`; False if it was already there."""
    try:
        await registry.store_of(resource).create(ctx, obj, WriteOptions())
    except errors.StatusError as err:
        if err.reason != "AlreadyExists":
            raise
        return False
    return True
