"""rbac.authorization.k8s.io/v1 kinds: Role, ClusterRole, RoleBinding, ClusterRoleBinding (stored, validated)."""

from __future__ import annotations

from apimachinery.apis.columns import age_column, created_at_column, name_column
from apimachinery.apis.schema import META, array, kind_header, meta_schemas, obj, ref, string
from apimachinery.apis.types import Object, PrinterColumn, ResourceDefinition, Schema

GROUP = "rbac.authorization.k8s.io"
API = "io.k8s.api.rbac.v1"


def _shared() -> dict[str, Schema]:
    return {
        **meta_schemas(),
        f"{API}.PolicyRule": obj(
            {
                "apiGroups": array(string(), "The API groups of the resources; '*' means all."),
                "nonResourceURLs": array(string(), "Partial URLs a user should have access to."),
                "resourceNames": array(string(), "An optional allow list of names the rule applies to."),
                "resources": array(string(), "Resources this rule applies to; '*' means all."),
                "verbs": array(string(), "Verbs that apply to all resources of this rule; '*' means all."),
            },
            "PolicyRule holds information that describes a policy rule.",
            required=["verbs"],
        ),
        f"{API}.AggregationRule": obj(
            {"clusterRoleSelectors": array(ref(f"{META}.LabelSelector"), "Selectors of ClusterRoles to aggregate.")},
            "AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole.",
        ),
        f"{API}.Subject": obj(
            {
                "apiGroup": string("API group of the referenced subject."),
                "kind": string("Kind of object being referenced: User, Group or ServiceAccount."),
                "name": string("Name of the object being referenced."),
                "namespace": string("Namespace of the referenced object."),
            },
            "Subject contains a reference to the object or user identities a role binding applies to.",
            required=["kind", "name"],
        ),
        f"{API}.RoleRef": obj(
            {
                "apiGroup": string("The group for the resource being referenced."),
                "kind": string("The type of resource being referenced."),
                "name": string("The name of resource being referenced."),
            },
            "RoleRef contains information that points to the role being used.",
            required=["apiGroup", "kind", "name"],
        ),
    }


def _role_schema(kind: str, cluster: bool) -> dict[str, Schema]:
    props = {**kind_header(""), "rules": array(ref(f"{API}.PolicyRule"), f"Rules of this {kind}.")}
    if cluster:
        props["aggregationRule"] = ref(f"{API}.AggregationRule", "How to build the rules of this ClusterRole.")
    return {**_shared(), f"{API}.{kind}": obj(props, f"{kind} is a set of PolicyRules.", gvk=(GROUP, "v1", kind))}


def _binding_schema(kind: str) -> dict[str, Schema]:
    props = {
        **kind_header(""),
        "roleRef": ref(f"{API}.RoleRef", "The role this binding grants."),
        "subjects": array(ref(f"{API}.Subject"), "The subjects the role applies to."),
    }
    return {
        **_shared(),
        f"{API}.{kind}": obj(
            props,
            f"{kind} grants the permissions of a role to subjects.",
            required=["roleRef"],
            gvk=(GROUP, "v1", kind),
        ),
    }


def _subjects(o: Object, kind: str) -> str:
    names = [s.get("name", "") for s in o.get("subjects") or [] if s.get("kind") == kind]
    return ", ".join(names)


def _service_accounts(o: Object) -> str:
    names = [
        f"{s.get('namespace', '')}/{s.get('name', '')}"
        for s in o.get("subjects") or []
        if s.get("kind") == "ServiceAccount"
    ]
    return ", ".join(names)


def _binding_columns() -> tuple[PrinterColumn, ...]:
    return (
        name_column(),
        PrinterColumn(
            "Role",
            "string",
            "The role this binding grants",
            lambda o: f"{(o.get('roleRef') or {}).get('kind', '')}/{(o.get('roleRef') or {}).get('name', '')}",
        ),
        age_column(),
        PrinterColumn("Users", "string", "Users in the binding", lambda o: _subjects(o, "User"), priority=1),
        PrinterColumn("Groups", "string", "Groups in the binding", lambda o: _subjects(o, "Group"), priority=1),
        PrinterColumn("ServiceAccounts", "string", "Service accounts in the binding", _service_accounts, priority=1),
    )


ROLES = ResourceDefinition(
    group=GROUP,
    version="v1",
    kind="Role",
    plural="roles",
    singular="role",
    namespaced=True,
    schema_name=f"{API}.Role",
    schemas=_role_schema("Role", False),
    columns=(name_column(), created_at_column()),
)
CLUSTERROLES = ResourceDefinition(
    group=GROUP,
    version="v1",
    kind="ClusterRole",
    plural="clusterroles",
    singular="clusterrole",
    namespaced=False,
    schema_name=f"{API}.ClusterRole",
    schemas=_role_schema("ClusterRole", True),
    columns=(name_column(), created_at_column()),
)
ROLEBINDINGS = ResourceDefinition(
    group=GROUP,
    version="v1",
    kind="RoleBinding",
    plural="rolebindings",
    singular="rolebinding",
    namespaced=True,
    schema_name=f"{API}.RoleBinding",
    schemas=_binding_schema("RoleBinding"),
    columns=_binding_columns(),
)
CLUSTERROLEBINDINGS = ResourceDefinition(
    group=GROUP,
    version="v1",
    kind="ClusterRoleBinding",
    plural="clusterrolebindings",
    singular="clusterrolebinding",
    namespaced=False,
    schema_name=f"{API}.ClusterRoleBinding",
    schemas=_binding_schema("ClusterRoleBinding"),
    columns=_binding_columns(),
)

RESOURCES = (ROLES, CLUSTERROLES, ROLEBINDINGS, CLUSTERROLEBINDINGS)
