"""RoleBindings and ClusterRoleBindings as the RBAC index holds them: whom they name, which role they
grant, and how upstream describes the binding that allowed a request.

Subject matching is upstream's: a User subject by name, a Group by membership, a ServiceAccount by its
username `system:serviceaccount:<namespace>:<name>`, its namespace defaulting to the RoleBinding's own
(a ClusterRoleBinding has none to default to, so a ServiceAccount subject there needs one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apimachinery.validation.field import go_quote
from shard.registry.context import UserInfo

Subject = Mapping[str, Any]
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"


def service_account_username(namespace: str, name: str) -> str:
    return f"{SERVICE_ACCOUNT_PREFIX}{namespace}:{name}"


@dataclass(frozen=True)
class Binding:
    """`kind` is RoleBinding or ClusterRoleBinding; `namespace` is empty for a ClusterRoleBinding."""

    kind: str
    name: str
    namespace: str
    role_kind: str
    role_name: str
    subjects: tuple[Subject, ...]

    @classmethod
    def of(cls, kind: str, obj: Mapping[str, Any], *, name: str, namespace: str) -> Binding:
        """The binding stored as `obj`; `name` and `namespace` come from its storage key."""
        role_ref = obj.get("roleRef") or {}
        return cls(
            kind=kind,
            name=name,
            namespace=namespace if kind == "RoleBinding" else "",
            role_kind=role_ref.get("kind", ""),
            role_name=role_ref.get("name", ""),
            subjects=tuple(obj.get("subjects") or ()),
        )

    def subject_for(self, user: UserInfo) -> Subject | None:
        """The first subject naming `user`, or None if the binding does not apply to it."""
        for subject in self.subjects:
            if _applies(subject, user, self.namespace):
                return subject
        return None

    def describe(self, subject: Subject) -> str:
        """Upstream's source text, e.g. `RoleBinding "rb/ns" of Role "r" to Group "g"`."""
        name = f"{self.name}/{self.namespace}" if self.kind == "RoleBinding" else self.name
        return (
            f"{self.kind} {go_quote(name)} of {self.role_kind} {go_quote(self.role_name)} "
            f"to {_describe_subject(subject, self.namespace)}"
        )


def _applies(subject: Subject, user: UserInfo, namespace: str) -> bool:
    kind, name = subject.get("kind"), subject.get("name", "")
    if kind == "User":
        return bool(user.name == name)
    if kind == "Group":
        return name in user.groups
    if kind == "ServiceAccount":
        sa_namespace = subject.get("namespace") or namespace
        return bool(sa_namespace) and user.name == service_account_username(sa_namespace, name)
    return False


def _describe_subject(subject: Subject, namespace: str) -> str:
    kind, name = subject.get("kind", ""), subject.get("name", "")
    if kind == "ServiceAccount":
        name = f"{name}/{subject.get('namespace') or namespace}"
    return f"{kind} {go_quote(name)}"
