"""Cross-cluster scoping of identities and kcp's workspace access gate."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from apimachinery.auth.serviceaccounts import SERVICE_ACCOUNT_CLUSTER_EXTRA
from shard.auth.authz import Attributes, Decision
from shard.auth.scoping import scoped_user
from shard.auth.workspaceaccess import WORKSPACE_DENIED, WorkspaceAccess
from shard.registry.context import UserInfo
from shard.registry.owners import owner_name, owner_of, user_info_json

ROBOT = UserInfo(
    "system:serviceaccount:default:robot",
    ("system:serviceaccounts", "system:authenticated"),
    "uid-1",
    {SERVICE_ACCOUNT_CLUSTER_EXTRA: ("a1",)},
)
JANE = UserInfo("jane", ("system:authenticated",))


def test_a_service_account_is_itself_in_its_own_cluster() -> None:
    assert scoped_user(ROBOT, "a1") is ROBOT


def test_a_service_account_is_anonymous_in_any_other_cluster() -> None:
    assert scoped_user(ROBOT, "b2") == UserInfo("system:anonymous", ("system:authenticated", "system:cluster:a1"))


def test_global_users_are_the_same_everywhere() -> None:
    assert scoped_user(JANE, "b2") is JANE


@dataclass(frozen=True)
class Grants:
    """A fake RBAC authorizer allowing `access` to the named users in the named clusters."""

    holders: frozenset[tuple[str, str]]

    def authorize(self, attributes: Attributes) -> Decision | None:
        assert (attributes.verb, attributes.path, attributes.resource) == ("access", "/", "")
        return Decision(True) if (attributes.user.name, attributes.cluster) in self.holders else None


@pytest.mark.parametrize(
    ("user", "cluster", "expected"),
    [
        (JANE, "a1", None),  # jane holds access in a1
        (JANE, "b2", Decision(False, WORKSPACE_DENIED)),
        (UserInfo("bob"), "a1", Decision(False, WORKSPACE_DENIED)),
        (ROBOT, "a1", None),  # a cluster's own service accounts always pass
        (UserInfo("bob"), "system:admin", None),  # system clusters are not gated
    ],
)
def test_the_gate_denies_without_access(user: UserInfo, cluster: str, expected: Decision | None) -> None:
    gate = WorkspaceAccess((Grants(frozenset()), Grants(frozenset({("jane", "a1")}))))
    request = Attributes(user, "list", cluster, "", "configmaps", namespace="default")
    assert gate.authorize(request) == expected


def test_owner_annotation_round_trip() -> None:
    import orjson

    info = user_info_json(UserInfo("alice", ("tenants",), "u-1"))
    assert info == {"username": "alice", "uid": "u-1", "groups": ["tenants"]}
    obj = {"metadata": {"annotations": {"experimental.tenancy.kcp.io/owner": orjson.dumps(info).decode()}}}
    assert owner_name(obj) == "alice"
    assert owner_name({"metadata": {"annotations": {"experimental.tenancy.kcp.io/owner": "{not json"}}}) == ""
    assert owner_name({"metadata": {}}) == ""


def test_the_owner_as_a_user() -> None:
    import orjson

    alice = UserInfo("alice", ("tenants", "system:authenticated"), "u-1", {"scopes": ("cluster:a",)})
    obj = {
        "metadata": {"annotations": {"experimental.tenancy.kcp.io/owner": orjson.dumps(user_info_json(alice)).decode()}}
    }
    assert owner_of(obj) == alice
    for broken in ("{not json", '{"groups": ["x"]}', '"alice"', ""):
        assert owner_of({"metadata": {"annotations": {"experimental.tenancy.kcp.io/owner": broken}}}) is None
