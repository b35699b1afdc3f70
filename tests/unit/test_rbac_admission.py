"""RBAC escalation prevention (upstream's policybased storages): `escalate`/`bind` or covering rules, the
exact refusal texts."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.errors import StatusError
from shard.registry.context import UserInfo
from shard.registry.rbacadmission import admit_binding, admit_role, escalation_message
from tests.unit.rbac_fakes import (
    CM_ALL,
    EVERYTHING,
    GROUP,
    JANE,
    MISSING_SECRETS,
    ROOT,
    SECRETS_GET,
    FakePermissions,
    binding_obj,
    ctx,
    forbidden_text,
    role_obj,
)
from tests.unit.rbac_objects import rule, url_rule

# ---- roles ---------------------------------------------------------------------------------------

AGGREGATING = {"clusterRoleSelectors": [{"matchLabels": {"x": "1"}}]}


@pytest.mark.parametrize(
    ("permissions", "who", "resource", "namespace", "new", "old"),
    [
        (None, JANE, "roles", "ns", role_obj("r", EVERYTHING), None),
        (FakePermissions(), ROOT, "clusterroles", "", role_obj("r", EVERYTHING), None),
        (
            FakePermissions(granted={("escalate", "roles", "ns", "")}),
            JANE,
            "roles",
            "ns",
            role_obj("r", EVERYTHING),
            None,
        ),
        (
            FakePermissions(granted={("escalate", "clusterroles", "", "r")}),
            JANE,
            "clusterroles",
            "",
            role_obj("r", EVERYTHING),
            role_obj("r", []),
        ),
        (FakePermissions(held={"": [SECRETS_GET]}), JANE, "clusterroles", "", role_obj("r", [SECRETS_GET]), None),
        (FakePermissions(held={"ns": [SECRETS_GET]}), JANE, "roles", "ns", role_obj("r", [SECRETS_GET]), None),
        (FakePermissions(), JANE, "roles", "ns", role_obj("r", []), None),
        (
            FakePermissions(held={"": EVERYTHING}),
            JANE,
            "clusterroles",
            "",
            role_obj("r", [], aggregationRule=AGGREGATING),
            None,
        ),
        # only what the garbage collector changes: not checked
        (
            FakePermissions(),
            JANE,
            "roles",
            "ns",
            role_obj("r", EVERYTHING, metadata={"finalizers": ["f"], "ownerReferences": [{"uid": "u"}]}),
            role_obj("r", EVERYTHING),
        ),
    ],
)
def test_role_writes_allowed(
    permissions: FakePermissions | None,
    who: UserInfo,
    resource: str,
    namespace: str,
    new: dict[str, Any],
    old: dict[str, Any] | None,
) -> None:
    admit_role(ctx(permissions, namespace, who), new, old, resource=resource)


@pytest.mark.parametrize(
    ("permissions", "resource", "namespace", "new", "old", "message"),
    [
        (
            FakePermissions(),
            "roles",
            "ns",
            role_obj("r", [SECRETS_GET]),
            None,
            forbidden_text("roles", "r", MISSING_SECRETS),
        ),
        # escalate on another name, or in another namespace, does not help
        (
            FakePermissions(granted={("escalate", "roles", "other", ""), ("escalate", "roles", "ns", "x")}),
            "roles",
            "ns",
            role_obj("r", [SECRETS_GET]),
            None,
            forbidden_text("roles", "r", MISSING_SECRETS),
        ),
        # rules held in another namespace do not cover
        (
            FakePermissions(held={"other": [SECRETS_GET]}),
            "roles",
            "ns",
            role_obj("r", [SECRETS_GET]),
            None,
            forbidden_text("roles", "r", MISSING_SECRETS),
        ),
        (
            FakePermissions(held={"": [rule(["get"], [""], ["configmaps"])]}),
            "clusterroles",
            "",
            role_obj("r", [CM_ALL, url_rule(["get"], ["/metrics"])]),
            None,
            forbidden_text(
                "clusterroles",
                "r",
                '{APIGroups:[""], Resources:["configmaps"], Verbs:["list" "create"]}\n'
                '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
            ),
        ),
        # a label change is no GC-only change: the whole role is checked
        (
            FakePermissions(),
            "roles",
            "ns",
            role_obj("r", [SECRETS_GET], metadata={"labels": {"a": "b"}}),
            role_obj("r", [SECRETS_GET]),
            forbidden_text("roles", "r", MISSING_SECRETS),
        ),
        (
            FakePermissions(held={"": [SECRETS_GET]}),
            "clusterroles",
            "",
            role_obj("r", [SECRETS_GET], aggregationRule=AGGREGATING),
            None,
            f'clusterroles.{GROUP} "r" is forbidden: must have cluster-admin privileges to use the aggregationRule',
        ),
        # dropping an aggregationRule needs full authority as well
        (
            FakePermissions(held={"": [SECRETS_GET]}),
            "clusterroles",
            "",
            role_obj("r", [SECRETS_GET]),
            role_obj("r", [SECRETS_GET], aggregationRule=AGGREGATING),
            f'clusterroles.{GROUP} "r" is forbidden: must have cluster-admin privileges to use the aggregationRule',
        ),
    ],
)
def test_role_writes_refused(
    permissions: FakePermissions,
    resource: str,
    namespace: str,
    new: dict[str, Any],
    old: dict[str, Any] | None,
    message: str,
) -> None:
    with pytest.raises(StatusError) as refused:
        admit_role(ctx(permissions, namespace), new, old, resource=resource)
    assert (refused.value.code, refused.value.reason, refused.value.message) == (403, "Forbidden", message)
    assert (refused.value.name, refused.value.group, refused.value.kind) == ("r", GROUP, resource)


@pytest.mark.parametrize(("old", "name"), [(None, ""), (role_obj("r", []), "r")])
def test_escalate_is_asked_with_the_name_of_the_url(old: dict[str, Any] | None, name: str) -> None:
    permissions = FakePermissions(held={"ns": [SECRETS_GET]})
    admit_role(ctx(permissions, "ns"), role_obj("r", [SECRETS_GET]), old, resource="roles")
    assert permissions.asked == [("escalate", GROUP, "roles", "ns", name)]


# ---- bindings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("permissions", "resource", "namespace", "new", "old"),
    [
        (None, "rolebindings", "ns", binding_obj("rb", "ClusterRole", "cluster-admin"), None),
        (
            FakePermissions(granted={("bind", "clusterroles", "ns", "cluster-admin")}),
            "rolebindings",
            "ns",
            binding_obj("rb", "ClusterRole", "cluster-admin"),
            None,
        ),
        (
            FakePermissions(granted={("bind", "clusterroles", "", "cluster-admin")}),
            "clusterrolebindings",
            "",
            binding_obj("crb", "ClusterRole", "cluster-admin"),
            None,
        ),
        (
            FakePermissions(granted={("bind", "roles", "ns", "r")}),
            "rolebindings",
            "ns",
            binding_obj("rb", "Role", "r"),
            None,
        ),
        (
            FakePermissions(held={"ns": [SECRETS_GET]}, roles={("Role", "ns", "r"): [SECRETS_GET]}),
            "rolebindings",
            "ns",
            binding_obj("rb", "Role", "r"),
            None,
        ),
        (
            FakePermissions(held={"": EVERYTHING}, roles={("ClusterRole", "", "cluster-admin"): EVERYTHING}),
            "clusterrolebindings",
            "",
            binding_obj("crb", "ClusterRole", "cluster-admin"),
            None,
        ),
        (FakePermissions(), "rolebindings", "ns", binding_obj("rb", "Group", "r"), None),
        (
            FakePermissions(),
            "rolebindings",
            "ns",
            binding_obj("rb", "Role", "r", finalizers=["f"]),
            binding_obj("rb", "Role", "r"),
        ),
    ],
)
def test_binding_writes_allowed(
    permissions: FakePermissions | None, resource: str, namespace: str, new: dict[str, Any], old: dict[str, Any] | None
) -> None:
    admit_binding(ctx(permissions, namespace), new, old, resource=resource)


@pytest.mark.parametrize(
    ("permissions", "resource", "namespace", "new", "status"),
    [
        (
            FakePermissions(roles={("Role", "ns", "r"): [SECRETS_GET]}),
            "rolebindings",
            "ns",
            binding_obj("rb", "Role", "r"),
            (403, "Forbidden", forbidden_text("rolebindings", "rb", MISSING_SECRETS)),
        ),
        # bind on the role in another namespace, or on another role, does not help
        (
            FakePermissions(
                granted={("bind", "roles", "other", "r"), ("bind", "roles", "ns", "q")},
                roles={("Role", "ns", "r"): [SECRETS_GET]},
            ),
            "rolebindings",
            "ns",
            binding_obj("rb", "Role", "r"),
            (403, "Forbidden", forbidden_text("rolebindings", "rb", MISSING_SECRETS)),
        ),
        (
            FakePermissions(held={"ns": EVERYTHING}, roles={("ClusterRole", "", "cluster-admin"): EVERYTHING}),
            "clusterrolebindings",
            "",
            binding_obj("crb", "ClusterRole", "cluster-admin"),
            (
                403,
                "Forbidden",
                forbidden_text(
                    "clusterrolebindings",
                    "crb",
                    '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
                ),
            ),
        ),
        (
            FakePermissions(),
            "rolebindings",
            "ns",
            binding_obj("rb", "Role", "r"),
            (404, "NotFound", f'roles.{GROUP} "r" not found'),
        ),
        (
            FakePermissions(),
            "clusterrolebindings",
            "",
            binding_obj("crb", "ClusterRole", "nope"),
            (404, "NotFound", f'clusterroles.{GROUP} "nope" not found'),
        ),
    ],
)
def test_binding_writes_refused(
    permissions: FakePermissions, resource: str, namespace: str, new: dict[str, Any], status: tuple[int, str, str]
) -> None:
    with pytest.raises(StatusError) as refused:
        admit_binding(ctx(permissions, namespace), new, None, resource=resource)
    assert (refused.value.code, refused.value.reason, refused.value.message) == status


def test_bind_is_asked_for_the_referenced_role_in_the_binding_namespace() -> None:
    permissions = FakePermissions(granted={("bind", "clusterroles", "ns", "view")})
    admit_binding(ctx(permissions, "ns"), binding_obj("rb", "ClusterRole", "view"), None, resource="rolebindings")
    assert permissions.asked == [("bind", GROUP, "clusterroles", "ns", "view")]


@pytest.mark.parametrize(
    ("who", "groups_text"),
    [
        (UserInfo("jane"), "[]"),
        (
            UserInfo("system:serviceaccount:a:b", ("system:serviceaccounts", "system:authenticated")),
            '["system:serviceaccounts" "system:authenticated"]',
        ),
    ],
)
def test_escalation_message_quotes_as_go_does(who: UserInfo, groups_text: str) -> None:
    assert escalation_message(who, [SECRETS_GET]) == (
        f'user "{who.name}" (groups={groups_text}) is attempting to grant RBAC permissions not currently held:\n'
        + MISSING_SECRETS
    )
