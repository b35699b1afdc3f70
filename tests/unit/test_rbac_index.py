"""The RBAC index: feeding (apply, relist, fresh copies) and its questions (rules, allowing binding, roles)."""

from __future__ import annotations

from typing import Any

import pytest

from shard.auth.authz import Attributes
from shard.auth.rbac.index import RBAC_PREFIX, RBACIndex, RBACKey, parse_key
from shard.registry.context import UserInfo
from tests.unit.rbac_objects import (
    cluster_role,
    cluster_role_binding,
    group,
    role,
    role_binding,
    rule,
    service_account,
    url_rule,
    user,
)

ADMIN = "system:admin"
CM_READ = rule(["get", "list"], [""], ["configmaps"])
SECRETS_GET = rule(["get"], [""], ["secrets"])
PODS_GET = rule(["get"], [""], ["pods"])
SECRETS_LIST = rule(["list"], [""], ["secrets"])
API_GET = url_rule(["get"], ["/api", "/api/*"])

WORLD = dict(
    [
        cluster_role("c1", "cm-reader", [CM_READ]),
        cluster_role("c1", "view", [SECRETS_GET]),  # shadows the bootstrap `view`
        cluster_role_binding("c1", "readers", "cm-reader", [group("readers")]),
        cluster_role_binding("c1", "jane-view", "view", [user("bob"), user("jane")]),
        cluster_role_binding("c1", "sa-without-namespace", "cm-reader", [service_account("robot")]),
        cluster_role_binding("c1", "dangling", "no-such-role", [user("jane")]),
        role("c1", "default", "pods", [PODS_GET]),
        role_binding("c1", "default", "jane-pods", "Role", "pods", [user("jane")]),
        role_binding("c1", "default", "robot", "ClusterRole", "bootstrap-only", [service_account("robot")]),
        role_binding("c1", "other", "jane-pods", "Role", "pods", [user("jane")]),  # no Role `pods` in `other`
        cluster_role("c2", "cm-reader", [rule(["*"], ["*"], ["*"])]),
        cluster_role_binding("c2", "everyone", "cm-reader", [group("system:authenticated")]),
        cluster_role(ADMIN, "view", [CM_READ]),
        cluster_role(ADMIN, "bootstrap-only", [SECRETS_LIST]),
        cluster_role(ADMIN, "discovery", [API_GET]),
        cluster_role_binding(ADMIN, "discovery", "discovery", [group("system:authenticated")]),
    ]
)

JANE = UserInfo("jane", ("system:authenticated",))
READER = UserInfo("rita", ("readers", "system:authenticated"))
ROBOT = UserInfo("system:serviceaccount:default:robot", ("system:serviceaccounts", "system:authenticated"))
NOBODY = UserInfo("nobody", ("system:authenticated",))


def world() -> RBACIndex:
    index = RBACIndex()
    index.replace(RBAC_PREFIX, WORLD)
    return index


def attrs(
    who: UserInfo,
    verb: str,
    resource: str = "",
    namespace: str = "",
    *,
    cluster: str = "c1",
    name: str = "",
    path: str = "",
) -> Attributes:
    return Attributes(who, verb, cluster, "", resource, "", namespace, name, path)


@pytest.mark.parametrize(
    ("key", "parsed"),
    [
        (f"{RBAC_PREFIX}roles/c1/ns/r", RBACKey("roles", "c1", "ns", "r")),
        (f"{RBAC_PREFIX}rolebindings/system:admin/ns/rb", RBACKey("rolebindings", "system:admin", "ns", "rb")),
        (f"{RBAC_PREFIX}clusterroles/c1/system:basic-user", RBACKey("clusterroles", "c1", "", "system:basic-user")),
        (f"{RBAC_PREFIX}clusterrolebindings/c1/b", RBACKey("clusterrolebindings", "c1", "", "b")),
        (f"{RBAC_PREFIX}roles/c1/r", None),
        (f"{RBAC_PREFIX}clusterroles/c1/ns/r", None),
        (f"{RBAC_PREFIX}widgets/c1/w", None),
        ("/registry/core/configmaps/c1/ns/cm", None),
    ],
)
def test_parse_key(key: str, parsed: RBACKey | None) -> None:
    assert parse_key(key) == parsed


@pytest.mark.parametrize(
    ("request_attributes", "cluster", "reason"),
    [
        (
            attrs(READER, "list", "configmaps", "default"),
            "c1",
            'RBAC: allowed by ClusterRoleBinding "readers" of ClusterRole "cm-reader" to Group "readers"',
        ),
        # the local `view` shadows the bootstrap one; the subject named is the one that applies
        (
            attrs(JANE, "get", "secrets", "kube-system", name="s"),
            "c1",
            'RBAC: allowed by ClusterRoleBinding "jane-view" of ClusterRole "view" to User "jane"',
        ),
        (attrs(JANE, "get", "configmaps", "default"), "c1", None),
        (
            attrs(JANE, "get", "pods", "default", name="p"),
            "c1",
            'RBAC: allowed by RoleBinding "jane-pods/default" of Role "pods" to User "jane"',
        ),
        (attrs(JANE, "get", "pods", "other", name="p"), "c1", None),  # its Role is missing
        (attrs(JANE, "get", "pods", "", name="p"), "c1", None),  # RoleBindings grant nothing cluster-wide
        # a ClusterRole missing locally is resolved in system:admin; the SA's namespace defaults to the binding's
        (
            attrs(ROBOT, "list", "secrets", "default"),
            "c1",
            'RBAC: allowed by RoleBinding "robot/default" of ClusterRole "bootstrap-only" to '
            'ServiceAccount "robot/default"',
        ),
        (attrs(ROBOT, "list", "secrets", "other"), "c1", None),
        (attrs(ROBOT, "list", "configmaps", "default"), "c1", None),  # CRB SA subject without a namespace
        # bindings of another cluster never apply
        (attrs(NOBODY, "delete", "configmaps", "default"), "c1", None),
        (
            attrs(NOBODY, "delete", "configmaps", "default", cluster="c2"),
            "c2",
            'RBAC: allowed by ClusterRoleBinding "everyone" of ClusterRole "cm-reader" to Group "system:authenticated"',
        ),
        (attrs(NOBODY, "get", "configmaps"), "c3", None),
        # non-resource requests match URL rules of the bindings stored in the asked cluster
        (
            attrs(NOBODY, "get", path="/api/v1"),
            ADMIN,
            'RBAC: allowed by ClusterRoleBinding "discovery" of ClusterRole "discovery" to '
            'Group "system:authenticated"',
        ),
        (attrs(NOBODY, "get", path="/apis"), ADMIN, None),
        (attrs(NOBODY, "get", path="/api"), "c1", None),
    ],
)
def test_allowing_binding(request_attributes: Attributes, cluster: str, reason: str | None) -> None:
    assert world().allowing_binding(request_attributes.user, request_attributes, cluster) == reason


@pytest.mark.parametrize(
    ("who", "cluster", "namespace", "rules"),
    [
        (JANE, "c1", "", [SECRETS_GET]),
        (JANE, "c1", "default", [SECRETS_GET, PODS_GET]),
        (JANE, "c1", "other", [SECRETS_GET]),
        (READER, "c1", "default", [CM_READ]),
        (ROBOT, "c1", "default", [SECRETS_LIST]),
        (NOBODY, "c1", "default", []),
        (NOBODY, ADMIN, "", [API_GET]),
        (NOBODY, "nowhere", "default", []),
    ],
)
def test_rules_for(who: UserInfo, cluster: str, namespace: str, rules: list[dict[str, Any]]) -> None:
    assert world().rules_for(who, cluster, namespace) == rules


@pytest.mark.parametrize(
    ("cluster", "kind", "namespace", "name", "rules"),
    [
        ("c1", "Role", "default", "pods", [PODS_GET]),
        ("c1", "Role", "other", "pods", None),
        ("c1", "ClusterRole", "", "view", [SECRETS_GET]),
        ("c1", "ClusterRole", "", "bootstrap-only", [SECRETS_LIST]),
        ("c3", "ClusterRole", "", "view", [CM_READ]),
        ("c1", "ClusterRole", "", "missing", None),
        ("c1", "Role", "", "bootstrap-only", None),  # Roles never fall back to system:admin
        ("c1", "Group", "", "view", None),
        (ADMIN, "ClusterRole", "", "view", [CM_READ]),
    ],
)
def test_role_rules(cluster: str, kind: str, namespace: str, name: str, rules: list[dict[str, Any]] | None) -> None:
    assert world().role_rules(cluster, kind, namespace, name) == rules


def test_apply_adds_changes_and_deletes() -> None:
    index = world()
    key, binding = role_binding("c1", "other", "nobody-pods", "Role", "pods", [user("nobody")])
    index.apply(key, binding)
    role_key, pods = role("c1", "other", "pods", [PODS_GET])
    index.apply(role_key, pods)
    assert index.rules_for(NOBODY, "c1", "other") == [PODS_GET]
    index.apply(role_key, {**pods, "rules": [SECRETS_GET]})
    assert index.rules_for(NOBODY, "c1", "other") == [SECRETS_GET]
    index.apply(key, None)
    assert index.rules_for(NOBODY, "c1", "other") == []
    index.apply(key, None)  # deleting twice is harmless
    index.apply("/registry/core/configmaps/c1/other/cm", {"data": {}})  # not RBAC: ignored
    assert index.rules_for(JANE, "c1", "other") == [SECRETS_GET, SECRETS_GET]


def test_deleting_the_last_object_of_a_cluster_forgets_it() -> None:
    index = RBACIndex()
    key, obj = cluster_role_binding("c9", "b", "r", [user("jane")])
    index.apply(key, obj)
    index.apply(key, None)
    assert index.rules_for(JANE, "c9", "") == [] and index.role_rules("c9", "ClusterRole", "", "r") is None


def test_relist_of_the_root_replaces_everything() -> None:
    index = world()
    only = dict(
        [cluster_role_binding("c1", "jane", "cm-reader", [user("jane")]), cluster_role("c1", "cm-reader", [CM_READ])]
    )
    index.replace(RBAC_PREFIX, only)
    assert index.rules_for(JANE, "c1", "default") == [CM_READ]
    assert index.role_rules(ADMIN, "ClusterRole", "", "view") is None


def test_relist_of_one_resource_keeps_the_others() -> None:
    index = world()
    index.replace(f"{RBAC_PREFIX}rolebindings/", {})
    assert index.rules_for(JANE, "c1", "default") == [SECRETS_GET]
    assert index.role_rules("c1", "Role", "default", "pods") == [PODS_GET]


def test_relist_of_one_resource_in_one_cluster_keeps_other_clusters() -> None:
    index = world()
    index.replace(f"{RBAC_PREFIX}clusterroles/c1/", {})
    assert index.role_rules("c1", "ClusterRole", "", "view") == [CM_READ]  # now the bootstrap one
    assert index.role_rules("c2", "ClusterRole", "", "cm-reader") is not None


@pytest.mark.parametrize("prefix", ["/registry/core/configmaps/", f"{RBAC_PREFIX}widgets/"])
def test_relist_of_a_foreign_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError):
        world().replace(prefix, {})


def test_with_fresh_replaces_one_cluster_and_shares_the_others() -> None:
    index = world()
    fresh_state = dict([cluster_role_binding("c1", "nobody", "view", [user("nobody")])])
    fresh = index.with_fresh("c1", fresh_state)
    assert fresh.rules_for(NOBODY, "c1", "") == [CM_READ]  # c1's own `view` is gone: bootstrap's applies
    assert fresh.rules_for(JANE, "c1", "default") == []
    assert index.rules_for(NOBODY, "c1", "") == [] and index.rules_for(JANE, "c1", "default") != []
    # the other clusters are shared: a later change to them shows in the copy
    key, obj = cluster_role_binding("c2", "jane", "cm-reader", [user("jane")])
    index.apply(key, obj)
    assert fresh.rules_for(JANE, "c2", "") == index.rules_for(JANE, "c2", "") != []


def test_with_fresh_ignores_objects_of_other_clusters() -> None:
    stranger = UserInfo("stranger")
    fresh = world().with_fresh("c1", dict([cluster_role_binding("c2", "stranger", "view", [user("stranger")])]))
    assert fresh.rules_for(stranger, "c2", "") == []


@pytest.mark.parametrize(
    ("subject", "who", "described"),
    [
        (service_account("robot"), "system:serviceaccount:ns:robot", 'ServiceAccount "robot/ns"'),
        (service_account("robot", "ns2"), "system:serviceaccount:ns2:robot", 'ServiceAccount "robot/ns2"'),
        (service_account("robot", "ns2"), "system:serviceaccount:ns:robot", None),
        ({"kind": "User", "name": "jane"}, "jane", 'User "jane"'),  # apiGroup is not looked at
        ({"kind": "Alien", "name": "jane"}, "jane", None),
    ],
)
def test_subjects_of_a_role_binding_named_by_its_key(subject: dict[str, Any], who: str, described: str | None) -> None:
    key, binding = role_binding("c1", "ns", "b", "ClusterRole", "view", [subject])
    del binding["metadata"]["namespace"]  # the key says where the binding lives
    index = RBACIndex()
    index.apply(key, binding)
    index.apply(*cluster_role("c1", "view", [SECRETS_GET]))
    requester = UserInfo(who)
    reason = index.allowing_binding(requester, attrs(requester, "get", "secrets", "ns"), "c1")
    if described is None:
        assert reason is None
    else:
        assert reason == f'RBAC: allowed by RoleBinding "b/ns" of ClusterRole "view" to {described}'
