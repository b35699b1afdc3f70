"""Only system:masters may change a Workspace's binding (spec.cluster, spec.URL: kcp's admission answers
403) or its scheduling annotations (ours); other changes by the same client go through, and the server's
own writes (no permissions on the context) are not checked."""

from __future__ import annotations

import pytest

from apimachinery import errors
from apimachinery.apis.tenancy_kcp_io import CLUSTER_CHOICE_ANNOTATION, SHARD_ANNOTATION, WORKSPACES
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.registry import Registry
from tests.unit.rbac_fakes import JANE, ROOT, FakePermissions
from tests.unit.workspace_harness import Object, create_workspace, started

TENANT = RequestContext("root", JANE, permissions=FakePermissions())
PRIVILEGED = RequestContext("root", ROOT, permissions=FakePermissions())


def change(edit: dict[str, str]) -> object:
    """A mutation setting `path: value` pairs (spec.X or an annotation name)."""

    async def mutate(current: Object) -> Object:
        for path, value in edit.items():
            if path.startswith("spec."):
                current["spec"][path.removeprefix("spec.")] = value
            else:
                current["metadata"]["annotations"][path] = value
        return current

    return mutate


async def scheduling() -> Registry:
    """`w` stored but not bound yet (as one placed on another shard is until the controller binds it)."""
    registry, _, _ = await started(together=False)
    await create_workspace(registry, "w")
    return registry


async def bound() -> Registry:
    registry, _, _ = await started()
    await create_workspace(registry, "w")  # placed here: stored bound and Ready
    return registry


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        ({"spec.cluster": "someoneelses"}, "spec.cluster"),
        ({"spec.URL": "https://elsewhere/clusters/root:x"}, "spec.URL"),
        ({SHARD_ANNOTATION: "other-shard"}, f"metadata.annotations[{SHARD_ANNOTATION}]"),
        ({CLUSTER_CHOICE_ANNOTATION: "someoneelses"}, f"metadata.annotations[{CLUSTER_CHOICE_ANNOTATION}]"),
    ],
)
async def test_a_tenant_cannot_change_the_binding_or_the_scheduling_annotations(
    edit: dict[str, str], field: str
) -> None:
    registry = await scheduling()
    store = registry.store_of(WORKSPACES)
    before = await store.get(TENANT, "w")
    with pytest.raises(errors.StatusError) as raised:
        await store.update(TENANT, "w", change(edit), WriteOptions())  # type: ignore[arg-type]
    assert (raised.value.code, raised.value.reason) == (403, "Forbidden")
    assert raised.value.message == (
        f'workspaces.tenancy.kcp.io "w" is forbidden: {field} can only be changed by system privileged users'
    )
    assert await store.get(TENANT, "w") == before  # nothing written


async def test_a_bound_cluster_stays_as_it_is_for_everyone() -> None:
    registry = await bound()
    for who in (TENANT, PRIVILEGED):
        with pytest.raises(errors.StatusError) as raised:
            await registry.store_of(WORKSPACES).update(who, "w", change({"spec.cluster": "x"}), WriteOptions())  # type: ignore[arg-type]
        assert (raised.value.code, raised.value.reason) == (422, "Invalid")


async def test_other_changes_of_a_tenant_and_a_privileged_change_go_through() -> None:
    registry = await bound()
    store = registry.store_of(WORKSPACES)
    labelled = await store.update(TENANT, "w", change({"team": "a"}), WriteOptions())  # type: ignore[arg-type]
    assert labelled["metadata"]["annotations"]["team"] == "a"
    moved = await store.update(
        PRIVILEGED,
        "w",
        change({"spec.URL": "https://moved/clusters/root:w"}),
        WriteOptions(),  # type: ignore[arg-type]
    )
    assert moved["spec"]["URL"] == "https://moved/clusters/root:w"
