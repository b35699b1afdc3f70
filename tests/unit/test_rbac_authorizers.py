"""The RBAC authorizers, per-request permissions, and what upstream's default policy (bootstrap_policy.py)
grants once loaded into `system:admin` and aggregated."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.apis.rbac_v1 import CLUSTERROLEBINDINGS, CLUSTERROLES
from shard.auth.authz import Attributes, Decision
from shard.auth.rbac import bootstrap_policy
from shard.auth.rbac.authorizers import BootstrapPolicy, LocalRBAC
from shard.auth.rbac.index import RBAC_PREFIX, RBACIndex
from shard.auth.rbac.permissions import RequestPermissions
from shard.controllers.clusterroleaggregation.reconcile_rules import aggregated_rules, is_aggregated
from shard.registry.context import UserInfo
from shard.registry.kinds import BindingStrategy, RoleStrategy
from tests.unit.rbac_objects import cluster_role_binding, group, role_binding, rule, user

ADMIN_CLUSTER = bootstrap_policy.BOOTSTRAP_CLUSTER
MASTER = UserInfo("root", ("system:masters", "system:authenticated"))
JANE = UserInfo("jane", ("system:authenticated",))
ANONYMOUS = UserInfo("system:anonymous", ("system:unauthenticated",))


def aggregate(roles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Aggregation run to a fixed point, as the controller's requeues do (view feeds edit feeds admin)."""
    changed = True
    while changed:
        changed = False
        for role in roles:
            if is_aggregated(role):
                rules = aggregated_rules(role, roles)
                changed |= role.get("rules") != rules
                role["rules"] = rules
    return roles


def bootstrap_index(*extra: tuple[str, dict[str, Any]]) -> RBACIndex:
    objects: dict[str, dict[str, Any]] = {}
    for role in aggregate(bootstrap_policy.cluster_roles()):
        objects[f"{RBAC_PREFIX}clusterroles/{ADMIN_CLUSTER}/{role['metadata']['name']}"] = role
    for binding in bootstrap_policy.cluster_role_bindings():
        objects[f"{RBAC_PREFIX}clusterrolebindings/{ADMIN_CLUSTER}/{binding['metadata']['name']}"] = binding
    objects.update(dict(extra))
    index = RBACIndex()
    index.replace(RBAC_PREFIX, objects)
    return index


def res(who: UserInfo, verb: str, group_: str, resource: str, namespace: str = "", sub: str = "") -> Attributes:
    return Attributes(who, verb, "c1", group_, resource, sub, namespace)


def path(who: UserInfo, verb: str, at: str) -> Attributes:
    return Attributes(who, verb, "c1", path=at)


@pytest.mark.parametrize(
    ("request_attributes", "allowed"),
    [
        (res(MASTER, "delete", "", "secrets", "default"), True),
        (path(MASTER, "post", "/anything"), True),
        (path(JANE, "get", "/version"), True),
        (path(JANE, "get", "/api/v1"), True),
        (path(JANE, "get", "/apis/rbac.authorization.k8s.io/v1"), True),
        (path(JANE, "get", "/openapi/v3"), True),
        (path(JANE, "get", "/healthz"), True),
        (path(JANE, "get", "/metrics"), False),
        (path(JANE, "post", "/api"), False),
        (path(JANE, "access", "/"), False),
        (res(JANE, "create", "authorization.k8s.io", "selfsubjectaccessreviews"), True),
        (res(JANE, "create", "authorization.k8s.io", "selfsubjectrulesreviews"), True),
        (res(JANE, "create", "authentication.k8s.io", "selfsubjectreviews"), True),
        (res(JANE, "create", "authorization.k8s.io", "subjectaccessreviews"), False),
        (res(JANE, "list", "", "configmaps", "default"), False),
        (path(ANONYMOUS, "get", "/version"), True),
        (path(ANONYMOUS, "get", "/livez"), True),
        (path(ANONYMOUS, "get", "/api"), False),
    ],
)
def test_bootstrap_policy_grants(request_attributes: Attributes, allowed: bool) -> None:
    decision = BootstrapPolicy(bootstrap_index()).authorize(request_attributes)
    assert (decision is not None and decision.allowed) is allowed
    assert decision is None or decision.reason.startswith("RBAC: allowed by ClusterRoleBinding ")


@pytest.mark.parametrize(
    ("role_name", "request_attributes", "allowed"),
    [
        ("view", res(JANE, "list", "", "configmaps", "ns"), True),
        ("view", res(JANE, "watch", "", "events", "ns"), True),
        ("view", res(JANE, "get", "", "namespaces", "ns"), True),
        ("view", res(JANE, "get", "", "secrets", "ns"), False),
        ("view", res(JANE, "create", "", "configmaps", "ns"), False),
        ("edit", res(JANE, "get", "", "secrets", "ns"), True),
        ("edit", res(JANE, "create", "", "configmaps", "ns"), True),
        ("edit", res(JANE, "list", "", "configmaps", "ns"), True),  # through view
        ("edit", res(JANE, "create", "", "serviceaccounts", "ns", sub="token"), True),
        ("edit", res(JANE, "impersonate", "", "serviceaccounts", "ns"), True),
        ("edit", res(JANE, "update", "coordination.k8s.io", "leases", "ns"), True),
        ("edit", res(JANE, "create", "rbac.authorization.k8s.io", "roles", "ns"), False),
        ("admin", res(JANE, "create", "rbac.authorization.k8s.io", "rolebindings", "ns"), True),
        ("admin", res(JANE, "create", "authorization.k8s.io", "localsubjectaccessreviews", "ns"), True),
        ("admin", res(JANE, "delete", "", "secrets", "ns"), True),
        ("admin", res(JANE, "create", "rbac.authorization.k8s.io", "clusterroles"), False),
        ("cluster-admin", res(JANE, "escalate", "rbac.authorization.k8s.io", "clusterroles"), True),
        ("system:kcp:workspace:access", path(JANE, "access", "/"), True),
        ("system:kcp:workspace:access", path(JANE, "get", "/api"), False),
    ],
)
def test_local_binding_to_a_bootstrap_role(role_name: str, request_attributes: Attributes, allowed: bool) -> None:
    index = bootstrap_index(cluster_role_binding("c1", "jane", role_name, [user("jane")]))
    decision = LocalRBAC(index).authorize(request_attributes)
    assert (decision is not None and decision.allowed) is allowed


def test_local_rbac_ignores_bootstrap_bindings_and_bootstrap_policy_ignores_local_ones() -> None:
    index = bootstrap_index(role_binding("c1", "ns", "jane", "ClusterRole", "view", [user("jane")]))
    jane_lists = res(JANE, "list", "", "configmaps", "ns")
    assert LocalRBAC(index).authorize(jane_lists) == Decision(
        True, 'RBAC: allowed by RoleBinding "jane/ns" of ClusterRole "view" to User "jane"'
    )
    assert BootstrapPolicy(index).authorize(jane_lists) is None
    assert LocalRBAC(index).authorize(path(JANE, "get", "/version")) is None
    assert LocalRBAC(index).authorize(Attributes(JANE, "list", "", "", "configmaps", "", "ns")) is None


def test_bootstrap_objects_are_valid_and_marked() -> None:
    roles, bindings = RoleStrategy(CLUSTERROLES), BindingStrategy(CLUSTERROLEBINDINGS)
    for role in bootstrap_policy.cluster_roles():
        assert roles.validate(role) == [], role["metadata"]["name"]
        assert role["metadata"]["labels"]["kubernetes.io/bootstrapping"] == "rbac-defaults"
        assert role["metadata"]["annotations"] == {"rbac.authorization.kubernetes.io/autoupdate": "true"}
    for binding in bootstrap_policy.cluster_role_bindings():
        assert bindings.validate(binding) == [], binding["metadata"]["name"]
        assert binding["metadata"]["labels"] == {"kubernetes.io/bootstrapping": "rbac-defaults"}
    names = [role["metadata"]["name"] for role in bootstrap_policy.cluster_roles()]
    assert names == sorted(names)


def test_aggregated_bootstrap_roles_have_upstream_labels_and_selectors() -> None:
    by_name = {role["metadata"]["name"]: role for role in bootstrap_policy.cluster_roles()}
    selectors = {name: role.get("aggregationRule") for name, role in by_name.items() if is_aggregated(role)}
    label = "rbac.authorization.k8s.io/aggregate-to-"
    assert selectors == {
        name: {"clusterRoleSelectors": [{"matchLabels": {f"{label}{name}": "true"}}]}
        for name in ("admin", "edit", "view")
    }
    assert by_name["edit"]["metadata"]["labels"][f"{label}admin"] == "true"
    assert by_name["view"]["metadata"]["labels"][f"{label}edit"] == "true"
    assert all("rules" not in by_name[name] for name in selectors)


def test_request_permissions_ask_the_chain_and_hold_local_plus_bootstrap_rules() -> None:
    asked: list[Attributes] = []

    def authorize(attributes: Attributes) -> Decision:
        asked.append(attributes)
        return Decision(attributes.verb == "bind")

    pods = rule(["get"], [""], ["pods"])
    index = bootstrap_index(
        *[(f"{RBAC_PREFIX}roles/c1/ns/pods", {"metadata": {"name": "pods"}, "rules": [pods]})],
        role_binding("c1", "ns", "jane", "Role", "pods", [group("system:authenticated")]),
    )
    permissions = RequestPermissions(user=JANE, cluster="c1", authorize=authorize, index=index)
    assert permissions.allows("bind", api_group="rbac.authorization.k8s.io", resource="roles", namespace="ns", name="r")
    assert not permissions.allows("escalate", resource="roles", cluster="c2")
    assert asked == [
        Attributes(JANE, "bind", "c1", "rbac.authorization.k8s.io", "roles", "", "ns", "r"),
        Attributes(JANE, "escalate", "c2", "", "roles"),
    ]
    discovery_rules = index.rules_for(JANE, ADMIN_CLUSTER, "")
    assert permissions.rules("ns") == [pods, *discovery_rules] and discovery_rules
    assert permissions.rules("") == discovery_rules
    assert permissions.role_rules("Role", "ns", "pods") == [pods]
    assert permissions.role_rules("ClusterRole", "", "view") == index.role_rules(
        ADMIN_CLUSTER, "ClusterRole", "", "view"
    )
    assert permissions.role_rules("Role", "other", "pods") is None
