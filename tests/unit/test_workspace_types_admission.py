"""Workspace types at admission: a parent type's `defaultChildWorkspaceType`, `limitAllowedParents` and
`limitAllowedChildren` (also `none`), and `extend.with`, whose types' limits and initializers count as
the extending type's own; kcp's messages."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery import errors
from apimachinery.apis.tenancy_kcp_io import WORKSPACES, WORKSPACETYPES
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.registry import Registry
from tests.unit.workspace_harness import ADMIN, ROOT, Object, started


async def add_type(registry: Registry, name: str, **spec: Any) -> None:
    await registry.store_of(WORKSPACETYPES).create(ROOT, {"metadata": {"name": name}, "spec": spec}, WriteOptions())


async def create(registry: Registry, cluster: str, name: str, type_name: str = "") -> Object:
    spec = {"type": {"name": type_name, "path": "root"}} if type_name else {}
    workspace = {"metadata": {"name": name}, "spec": spec}
    created: Object = await registry.store_of(WORKSPACES).create(
        RequestContext(cluster, ADMIN), workspace, WriteOptions()
    )
    return created


async def refused(registry: Registry, cluster: str, name: str, type_name: str) -> str:
    with pytest.raises(errors.StatusError) as raised:
        await create(registry, cluster, name, type_name)
    assert (raised.value.code, raised.value.reason) == (403, "Forbidden")
    prefix = f'workspaces.tenancy.kcp.io "{name}" is forbidden: '
    assert raised.value.message.startswith(prefix)
    return raised.value.message.removeprefix(prefix)


def ref(name: str) -> dict[str, str]:
    return {"name": name, "path": "root"}


async def test_a_workspace_without_a_type_gets_its_parent_types_default_child_type() -> None:
    registry, _, _ = await started()
    await add_type(registry, "lab-member")
    await add_type(registry, "lab", defaultChildWorkspaceType=ref("lab-member"))
    lab = await create(registry, "root", "lab", "lab")
    member = await create(registry, lab["spec"]["cluster"], "m")
    assert member["spec"]["type"] == {"name": "lab-member", "path": "root"}
    plain = await create(registry, "root", "plain")  # root's own default
    assert plain["spec"]["type"] == {"name": "universal", "path": "root"}


async def test_limits_on_parents_and_children_with_kcps_messages() -> None:
    registry, _, _ = await started()
    await add_type(registry, "other")
    org = await create(registry, "root", "org", "organization")
    assert await refused(registry, org["spec"]["cluster"], "x", "other") == (
        "workspace type root:organization only allows [root:team root:universal] child workspaces, "
        "but child type root:other only implements [root:other]"
    )
    # both rules broken: both told, in one list (kcp's aggregate)
    assert await refused(registry, org["spec"]["cluster"], "y", "organization") == (
        "[workspace type root:organization only allows [root:root] parent workspaces, "
        "but parent type root:organization only implements [root:organization], "
        "workspace type root:organization only allows [root:team root:universal] child workspaces, "
        "but child type root:organization only implements [root:organization]]"
    )
    assert await refused(registry, "root", "h", "home") == "workspace type root:home cannot have any parent"
    await add_type(registry, "leaf", limitAllowedChildren={"none": True})
    leaf = await create(registry, "root", "leaf", "leaf")
    assert await refused(registry, leaf["spec"]["cluster"], "z", "universal") == (
        "workspace type root:leaf cannot have any child"
    )


async def test_an_extending_type_implements_what_it_extends_and_inherits_its_limits() -> None:
    registry, _, _ = await started()
    await add_type(registry, "universal-plus", extend={"with": [ref("universal")]})
    await add_type(registry, "org-plus", extend={"with": [ref("organization")]})
    org = await create(registry, "root", "org", "organization")
    # allowed as a child of an organization: it implements root:universal
    await create(registry, org["spec"]["cluster"], "u", "universal-plus")
    org_plus = await create(registry, "root", "org-plus", "org-plus")
    await add_type(registry, "other")
    assert await refused(registry, org_plus["spec"]["cluster"], "x", "other") == (
        "workspace type root:org-plus extends root:organization, which only allows "
        "[root:team root:universal] child workspaces, but child type root:other only implements [root:other]"
    )
    assert await refused(registry, org["spec"]["cluster"], "y", "org-plus") == (
        "[workspace type root:org-plus extends root:organization, which only allows [root:root] parent "
        "workspaces, but parent type root:organization only implements [root:organization], "
        "workspace type root:organization only allows [root:team root:universal] child workspaces, "
        "but child type root:org-plus only implements [root:org-plus root:organization]]"
    )


async def test_the_initializers_of_extended_types_hold_the_workspace() -> None:
    registry, _, _ = await started()
    await add_type(registry, "gated", initializer=True)
    await add_type(registry, "gated-plus", extend={"with": [ref("gated")]})
    workspace = await create(registry, "root", "w", "gated-plus")
    assert workspace["status"]["phase"] == "Initializing"
    assert workspace["status"]["initializers"] == ["root:gated"]


async def test_a_missing_type_or_a_missing_extended_type_is_refused() -> None:
    registry, _, _ = await started()
    assert await refused(registry, "root", "x", "nope") == "workspace type root:nope does not exist"
    await add_type(registry, "broken", extend={"with": [ref("nope")]})
    assert await refused(registry, "root", "y", "broken") == "workspace type root:broken does not exist"
