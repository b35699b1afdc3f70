"""A fake `Permissions` and shared builders for the RBAC escalation tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shard.registry.context import RequestContext, UserInfo
from tests.unit.rbac_objects import rule, url_rule

GROUP = "rbac.authorization.k8s.io"
JANE = UserInfo("jane", ("system:authenticated",))
ROOT = UserInfo("root", ("system:masters",))
SECRETS_GET = rule(["get"], [""], ["secrets"])
CM_ALL = rule(["get", "list", "create"], [""], ["configmaps"])
EVERYTHING = [rule(["*"], ["*"], ["*"]), url_rule(["*"], ["*"])]
MISSING_SECRETS = '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}'


@dataclass
class FakePermissions:
    """Grants the (verb, resource, namespace, name) tuples in `granted`; holds `held` rules per namespace."""

    granted: set[tuple[str, str, str, str]] = field(default_factory=set)
    held: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    roles: dict[tuple[str, str, str], list[dict[str, Any]]] = field(default_factory=dict)
    asked: list[tuple[str, str, str, str, str]] = field(default_factory=list)

    def allows(
        self,
        verb: str,
        *,
        api_group: str = "",
        resource: str = "",
        subresource: str = "",
        namespace: str = "",
        name: str = "",
        cluster: str = "",
    ) -> bool:
        self.asked.append((verb, api_group, resource, namespace, name))
        return (verb, resource, namespace, name) in self.granted

    def rules(self, namespace: str) -> list[dict[str, Any]]:
        return [*self.held.get("", []), *(self.held.get(namespace, []) if namespace else [])]

    def role_rules(self, kind: str, namespace: str, name: str) -> list[dict[str, Any]] | None:
        return self.roles.get((kind, namespace, name))


def ctx(permissions: FakePermissions | None, namespace: str = "", who: UserInfo = JANE) -> RequestContext:
    return RequestContext("c1", who, namespace, permissions=permissions)


def role_obj(name: str, rules: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"metadata": {"name": name, **extra.pop("metadata", {})}, "rules": rules, **extra}


def binding_obj(name: str, kind: str, role: str, **meta: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": name, **meta},
        "roleRef": {"apiGroup": GROUP, "kind": kind, "name": role},
        "subjects": [{"kind": "User", "name": "bob"}],
    }


def forbidden_text(resource: str, name: str, missing: str) -> str:
    return (
        f'{resource}.{GROUP} "{name}" is forbidden: user "jane" (groups=["system:authenticated"]) is attempting '
        f"to grant RBAC permissions not currently held:\n{missing}"
    )
