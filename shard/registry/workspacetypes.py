"""Workspace admission: default `spec.type` from the parent's type, check it exists, check
`limitAllowedParents` / `limitAllowedChildren` of both types and of the types they extend (kcp's rules
and messages). Types are read from storage in the workspace their `path` names (`root` by default); when
the root workspace is on another shard, root's types (and the `use` check on them) come from that shard.

The caller must hold the `use` verb on `workspacetypes/<name>` for the type and every type it extends,
in the workspace that holds each of them (kcp's check and message). The creator is recorded in the
`experimental.tenancy.kcp.io/owner` annotation (set here, never taken from the client), from which the
new logical cluster's `workspace-admin` ClusterRoleBinding is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from apimachinery import errors
from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS
from apimachinery.apis.tenancy_kcp_io import TYPE_ANNOTATION, WORKSPACES, WORKSPACETYPES
from apimachinery.apis.types import Object
from shard.registry.context import RequestContext, UserInfo
from shard.registry.keys import object_key
from shard.registry.owners import OWNER_ANNOTATION, user_info_json
from shard.registry.paths import PathResolver

DEFAULT_TYPE = ("root", "universal")
MAX_EXTEND_DEPTH = 16


@dataclass(frozen=True)
class ResolvedType:
    """A WorkspaceType with its qualified name `path:name` and the types it extends, itself first."""

    qualified: str
    aliases: tuple[tuple[str, Object], ...]


def type_ref_of(qualified: str) -> tuple[str, str]:
    path, _, name = qualified.rpartition(":")
    return path or "root", name


def parent_type_of(cluster_name: str, logical_cluster: Object | None) -> tuple[str, str]:
    annotations = ((logical_cluster or {}).get("metadata") or {}).get("annotations") or {}
    if TYPE_ANNOTATION in annotations:
        return type_ref_of(annotations[TYPE_ANNOTATION])
    return ("root", "root") if cluster_name == "root" else DEFAULT_TYPE


class RootTypes(Protocol):
    """The `root` workspace when another shard holds it: its WorkspaceTypes and its authorizer."""

    async def workspace_type(self, path: str, name: str) -> Object | None: ...

    async def may_use(self, user: UserInfo, type_name: str) -> bool: ...


@dataclass
class WorkspaceTypes:
    """`root` set: types with path `root` come from the root shard; other paths resolve on this shard only."""

    paths: PathResolver
    root: RootTypes | None = None

    async def load(self, path: str, name: str) -> Object | None:
        if self.root is not None and path == "root":
            return await self.root.workspace_type(path, name)
        cluster_name = await self.paths.cluster_of(path)
        if cluster_name is None:
            return None
        return await self.paths.read(object_key(WORKSPACETYPES, cluster_name, "", name))

    async def resolve(self, path: str, name: str) -> ResolvedType | None:
        """The type and everything it extends, transitively; None if any of them is missing or cyclic."""
        aliases: list[tuple[str, Object]] = []
        pending = [(path, name)]
        while pending:
            ref_path, ref_name = pending.pop(0)
            qualified = f"{ref_path}:{ref_name}"
            if any(q == qualified for q, _ in aliases):
                continue
            found = await self.load(ref_path, ref_name)
            if found is None or len(aliases) >= MAX_EXTEND_DEPTH:
                return None
            aliases.append((qualified, found))
            for extended in ((found.get("spec") or {}).get("extend") or {}).get("with") or []:
                pending.append((extended.get("path") or "root", extended.get("name", "")))
        return ResolvedType(f"{path}:{name}", tuple(aliases))


def initializers_of(resolved: ResolvedType) -> list[str]:
    """`path:name` of every type in the chain that declares `initializer: true`."""
    return [qualified for qualified, found in resolved.aliases if (found.get("spec") or {}).get("initializer")]


@dataclass
class WorkspaceAdmission:
    types: WorkspaceTypes

    async def admit(self, ctx: RequestContext, workspace: Object) -> None:
        name = workspace["metadata"].get("name", "")
        parent_lc = await self.types.paths.read(object_key(LOGICALCLUSTERS, ctx.cluster, "", "cluster"))
        parent_path, parent_name = parent_type_of(ctx.cluster, parent_lc)
        parent = await self.types.resolve(parent_path, parent_name)
        if parent is None:
            raise _forbidden(name, f"parent workspace type {parent_path}:{parent_name} does not exist")
        spec = workspace.setdefault("spec", {})
        wanted: dict[str, Any] = spec.get("type") or _default_child(parent)
        wanted = {"name": wanted.get("name", ""), "path": wanted.get("path") or "root"}
        spec["type"] = wanted
        child = await self.types.resolve(wanted["path"], wanted["name"])
        if child is None:
            raise _forbidden(name, f"workspace type {wanted['path']}:{wanted['name']} does not exist")
        problems = allowed_parents(parent, child) + allowed_children(parent, child)
        if problems:
            raise _forbidden(name, problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]")
        if ctx.permissions is not None:
            await self._check_use(ctx, name, child)
            annotations = workspace["metadata"].setdefault("annotations", {})
            annotations[OWNER_ANNOTATION] = orjson.dumps(user_info_json(ctx.user)).decode()

    async def _check_use(self, ctx: RequestContext, name: str, child: ResolvedType) -> None:
        assert ctx.permissions is not None
        for qualified, _ in child.aliases:
            type_path, type_name = type_ref_of(qualified)
            type_cluster = await self.types.paths.cluster_of(type_path)
            if type_cluster is None or not await self._may_use(ctx, type_cluster, type_name):
                detail = (
                    f"unable to use cluster workspace type {qualified}: missing verb='use' permission on workspacetype"
                )
                raise _forbidden(name, detail)

    async def _may_use(self, ctx: RequestContext, type_cluster: str, type_name: str) -> bool:
        """Local RBAC first; root's own authorizer when root is on another shard and local RBAC says no."""
        assert ctx.permissions is not None
        if ctx.permissions.allows(
            "use", api_group="tenancy.kcp.io", resource="workspacetypes", name=type_name, cluster=type_cluster
        ):
            return True
        root = self.types.root
        return root is not None and type_cluster == "root" and await root.may_use(ctx.user, type_name)


def _default_child(parent: ResolvedType) -> dict[str, Any]:
    own = (parent.aliases[0][1].get("spec") or {}).get("defaultChildWorkspaceType")
    return dict(own) if own else {"name": DEFAULT_TYPE[1], "path": DEFAULT_TYPE[0]}


def _qualified_set(selector_types: list[Object]) -> set[str]:
    return {f"{t.get('path') or 'root'}:{t.get('name', '')}" for t in selector_types}


def allowed_parents(parent: ResolvedType, child: ResolvedType) -> list[str]:
    problems = []
    implemented = {q for q, _ in parent.aliases}
    for qualified, found in child.aliases:
        limit = (found.get("spec") or {}).get("limitAllowedParents")
        if not limit:
            continue
        if limit.get("none"):
            problems.append(f"workspace type {child.qualified} cannot have any parent")
            continue
        allowed = _qualified_set(limit.get("types") or [])
        if allowed and not allowed & implemented:
            extending = f" extends {qualified}, which" if qualified != child.qualified else ""
            problems.append(
                f"workspace type {child.qualified}{extending} only allows {_go_list(allowed)} parent workspaces, "
                f"but parent type {parent.qualified} only implements {_go_list(implemented)}"
            )
    return problems


def allowed_children(parent: ResolvedType, child: ResolvedType) -> list[str]:
    problems = []
    implemented = {q for q, _ in child.aliases}
    for qualified, found in parent.aliases:
        limit = (found.get("spec") or {}).get("limitAllowedChildren")
        if not limit:
            continue
        if limit.get("none"):
            problems.append(f"workspace type {parent.qualified} cannot have any child")
            continue
        allowed = _qualified_set(limit.get("types") or [])
        if allowed and not allowed & implemented:
            extending = f" extends {qualified}, which" if qualified != parent.qualified else ""
            problems.append(
                f"workspace type {parent.qualified}{extending} only allows {_go_list(allowed)} child workspaces, "
                f"but child type {child.qualified} only implements {_go_list(implemented)}"
            )
    return problems


def _go_list(values: set[str]) -> str:
    """Go's %v of a sorted []string: `[a b]`."""
    return "[" + " ".join(sorted(values)) + "]"


def _forbidden(name: str, detail: str) -> errors.StatusError:
    return errors.forbidden(WORKSPACES.plural, name, detail, group=WORKSPACES.group)
