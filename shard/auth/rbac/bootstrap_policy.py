"""The default ClusterRoles and ClusterRoleBindings of the bootstrap logical cluster `system:admin`, as
upstream's bootstrap policy defines them, limited to the kinds this server serves, plus kcp's
`system:kcp:workspace:access`.

`admin`, `edit` and `view` are aggregated, as upstream: their rules are gathered by the ClusterRole
aggregation controller from `system:aggregate-to-{admin,edit,view}` (and from any ClusterRole a user
labels `rbac.authorization.k8s.io/aggregate-to-...: "true"`), and edit aggregates into admin, view into
edit. Every object carries upstream's `kubernetes.io/bootstrapping: rbac-defaults` label and
`rbac.authorization.kubernetes.io/autoupdate: "true"` annotation. Lists inside a rule are sorted, as
upstream's rule builder sorts them.
"""

from __future__ import annotations

from typing import Any

Object = dict[str, Any]
Rule = dict[str, Any]

BOOTSTRAP_CLUSTER = "system:admin"
API_VERSION = "rbac.authorization.k8s.io/v1"
RBAC_GROUP = "rbac.authorization.k8s.io"
BOOTSTRAPPING_LABEL = "kubernetes.io/bootstrapping"
AUTOUPDATE_ANNOTATION = "rbac.authorization.kubernetes.io/autoupdate"
AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-"
WORKSPACE_ACCESS = "system:kcp:workspace:access"

READ = ("get", "list", "watch")
WRITE = ("create", "delete", "deletecollection", "patch", "update")
READ_WRITE = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


def rule(
    verbs: tuple[str, ...], groups: tuple[str, ...] = (), resources: tuple[str, ...] = (), urls: tuple[str, ...] = ()
) -> Rule:
    """A PolicyRule with its lists sorted, empty lists left out."""
    fields = {"apiGroups": groups, "resources": resources, "nonResourceURLs": urls, "verbs": verbs}
    return {name: sorted(values) for name, values in fields.items() if values}


def _cluster_role(name: str, rules: list[Rule], *, labels: dict[str, str] | None = None, aggregate: str = "") -> Object:
    role: Object = {
        "apiVersion": API_VERSION,
        "kind": "ClusterRole",
        "metadata": {
            "name": name,
            "labels": {BOOTSTRAPPING_LABEL: "rbac-defaults", **(labels or {})},
            "annotations": {AUTOUPDATE_ANNOTATION: "true"},
        },
    }
    if aggregate:
        role["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {AGGREGATE_TO + aggregate: "true"}}]}
    else:
        role["rules"] = rules
    return role


def _aggregated_to(target: str) -> dict[str, str]:
    return {AGGREGATE_TO + target: "true"}


def cluster_roles() -> list[Object]:
    """The default ClusterRoles, in upstream's order (by name)."""
    return [
        _cluster_role("admin", [], aggregate="admin"),
        _cluster_role(
            "cluster-admin",
            [rule(("*",), groups=("*",), resources=("*",)), rule(("*",), urls=("*",))],
        ),
        _cluster_role("edit", [], labels=_aggregated_to("admin"), aggregate="edit"),
        _cluster_role(
            "system:aggregate-to-admin",
            [
                rule(("create",), groups=("authorization.k8s.io",), resources=("localsubjectaccessreviews",)),
                rule(READ_WRITE, groups=(RBAC_GROUP,), resources=("rolebindings", "roles")),
            ],
            labels=_aggregated_to("admin"),
        ),
        _cluster_role(
            "system:aggregate-to-edit",
            [
                rule(READ, groups=("",), resources=("secrets",)),
                rule(("impersonate",), groups=("",), resources=("serviceaccounts",)),
                rule(WRITE, groups=("",), resources=("configmaps", "events", "secrets", "serviceaccounts")),
                rule(("create",), groups=("",), resources=("serviceaccounts/token",)),
                rule(READ_WRITE, groups=("coordination.k8s.io",), resources=("leases",)),
            ],
            labels=_aggregated_to("edit"),
        ),
        _cluster_role(
            "system:aggregate-to-view",
            [
                rule(READ, groups=("",), resources=("configmaps", "serviceaccounts")),
                rule(READ, groups=("",), resources=("events", "namespaces/status")),
                rule(READ, groups=("",), resources=("namespaces",)),
            ],
            labels=_aggregated_to("view"),
        ),
        _cluster_role(
            "system:basic-user",
            [
                rule(
                    ("create",),
                    groups=("authorization.k8s.io",),
                    resources=("selfsubjectaccessreviews", "selfsubjectrulesreviews"),
                ),
                rule(("create",), groups=("authentication.k8s.io",), resources=("selfsubjectreviews",)),
            ],
        ),
        _cluster_role(
            "system:discovery",
            [
                rule(
                    ("get",),
                    urls=(
                        "/api",
                        "/api/*",
                        "/apis",
                        "/apis/*",
                        "/healthz",
                        "/livez",
                        "/openapi",
                        "/openapi/*",
                        "/readyz",
                        "/version",
                        "/version/",
                    ),
                )
            ],
        ),
        _cluster_role("system:kcp:workspace:access", [rule(("access",), urls=("/",))]),
        _cluster_role(
            "system:public-info-viewer",
            [rule(("get",), urls=("/healthz", "/livez", "/readyz", "/version", "/version/"))],
        ),
        _cluster_role("view", [], labels=_aggregated_to("edit"), aggregate="view"),
    ]


def _binding(role: str, groups: tuple[str, ...]) -> Object:
    return {
        "apiVersion": API_VERSION,
        "kind": "ClusterRoleBinding",
        "metadata": {
            "name": role,
            "labels": {BOOTSTRAPPING_LABEL: "rbac-defaults"},
            "annotations": {AUTOUPDATE_ANNOTATION: "true"},
        },
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role},
        "subjects": [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": group} for group in groups],
    }


def cluster_role_bindings() -> list[Object]:
    """The default ClusterRoleBindings, named after their ClusterRoles as upstream names them."""
    return [
        _binding("cluster-admin", ("system:masters",)),
        _binding("system:basic-user", ("system:authenticated",)),
        _binding("system:discovery", ("system:authenticated",)),
        _binding("system:public-info-viewer", ("system:authenticated", "system:unauthenticated")),
    ]
