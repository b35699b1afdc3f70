"""The Store calls `Strategy.admit` on create, update, patch and dry runs, for requests only (never for the
shard's own callers nor subresource writes), and nothing is written when admission refuses."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from apimachinery.apis.rbac_v1 import CLUSTERROLEBINDINGS, CLUSTERROLES, ROLEBINDINGS, ROLES
from apimachinery.errors import StatusError
from shard.registry.context import RequestContext, WriteOptions
from shard.registry.kinds import RoleStrategy, strategy_for
from shard.registry.store import Store
from tests.unit.memory_storage import MemoryStorage
from tests.unit.rbac_fakes import (
    EVERYTHING,
    GROUP,
    MISSING_SECRETS,
    SECRETS_GET,
    FakePermissions,
    binding_obj,
    ctx,
    forbidden_text,
)

# ---- the Store calls admit -----------------------------------------------------------------------


def store_of(resource: Any, storage: MemoryStorage) -> Store:
    return Store(resource, strategy_for(resource), storage)


def role_body(rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": f"{GROUP}/v1", "kind": "Role", "metadata": {"name": "r"}, "rules": rules}


@pytest.mark.parametrize("dry_run", [False, True])
async def test_store_refuses_an_escalating_create(dry_run: bool) -> None:
    storage = MemoryStorage()
    with pytest.raises(StatusError) as refused:
        await store_of(ROLES, storage).create(
            ctx(FakePermissions(), "ns"), role_body([SECRETS_GET]), WriteOptions(dry_run=dry_run)
        )
    assert refused.value.code == 403 and storage.objects == {}


async def test_store_admits_internal_callers_and_covered_creates() -> None:
    storage = MemoryStorage()
    store = store_of(ROLES, storage)
    await store.create(ctx(None, "ns"), role_body(EVERYTHING[:1]), WriteOptions())
    await store_of(CLUSTERROLES, storage).create(
        ctx(FakePermissions(held={"": [SECRETS_GET]})),
        {**role_body([SECRETS_GET]), "kind": "ClusterRole"},
        WriteOptions(),
    )
    assert len(storage.objects) == 2


async def test_store_checks_updates_and_leaves_the_object_alone_when_refused() -> None:
    storage = MemoryStorage()
    store = store_of(ROLES, storage)
    await store.create(ctx(None, "ns"), role_body([]), WriteOptions())
    before = copy.deepcopy(storage.objects)

    async def grant_secrets(obj: dict[str, Any]) -> dict[str, Any]:
        obj["rules"] = [SECRETS_GET]
        return obj

    for dry_run in (False, True):
        with pytest.raises(StatusError) as refused:
            await store.update(ctx(FakePermissions(), "ns"), "r", grant_secrets, WriteOptions(dry_run=dry_run))
        assert refused.value.message == forbidden_text("roles", "r", MISSING_SECRETS)
    assert storage.objects == before
    allowed = FakePermissions(granted={("escalate", "roles", "ns", "r")})
    updated = await store.update(ctx(allowed, "ns"), "r", grant_secrets, WriteOptions())
    assert updated["rules"] == [SECRETS_GET]


async def test_store_checks_binding_creates_against_the_referenced_role() -> None:
    storage = MemoryStorage()
    body = {"apiVersion": f"{GROUP}/v1", "kind": "RoleBinding", **binding_obj("rb", "Role", "r")}
    permissions = FakePermissions(roles={("Role", "ns", "r"): [SECRETS_GET]})
    with pytest.raises(StatusError) as refused:
        await store_of(ROLEBINDINGS, storage).create(ctx(permissions, "ns"), copy.deepcopy(body), WriteOptions())
    assert refused.value.message == forbidden_text("rolebindings", "rb", MISSING_SECRETS)
    permissions.held["ns"] = [SECRETS_GET]
    await store_of(ROLEBINDINGS, storage).create(ctx(permissions, "ns"), copy.deepcopy(body), WriteOptions())
    crb = {**body, "kind": "ClusterRoleBinding", **binding_obj("crb", "ClusterRole", "view")}
    with pytest.raises(StatusError) as missing:
        await store_of(CLUSTERROLEBINDINGS, storage).create(ctx(permissions), crb, WriteOptions())
    assert missing.value.code == 404


class RecordingStrategy(RoleStrategy):
    def __init__(self) -> None:
        super().__init__(ROLES)
        self.admitted: list[tuple[str, str | None]] = []

    def admit(self, ctx: RequestContext, new: dict[str, Any], old: dict[str, Any] | None) -> None:
        old_rules = None if old is None else str(old.get("rules"))
        self.admitted.append((str(new.get("rules")), old_rules))


async def test_store_calls_admit_for_requests_only_and_never_for_subresources() -> None:
    strategy = RecordingStrategy()
    store = Store(ROLES, strategy, MemoryStorage())
    permissions = FakePermissions()
    await store.create(ctx(None, "ns"), role_body([]), WriteOptions())
    await store.create(ctx(permissions, "ns"), {**role_body([]), "metadata": {"name": "q"}}, WriteOptions(dry_run=True))

    async def grant(obj: dict[str, Any]) -> dict[str, Any]:
        obj["rules"] = [SECRETS_GET]
        return obj

    await store.update(ctx(permissions, "ns"), "r", grant, WriteOptions())
    await store.update(ctx(None, "ns"), "r", grant, WriteOptions())
    await store.update(ctx(permissions, "ns"), "r", grant, WriteOptions(), subresource="status")
    assert strategy.admitted == [("[]", None), (str([SECRETS_GET]), "[]")]
