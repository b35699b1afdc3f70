"""Builders of RBAC objects and their storage keys for the RBAC unit tests."""

from __future__ import annotations

from typing import Any

from shard.auth.rbac.index import RBAC_PREFIX

Object = dict[str, Any]
GROUP = "rbac.authorization.k8s.io"


def rule(verbs: list[str], groups: list[str], resources: list[str], names: list[str] | None = None) -> Object:
    built: Object = {"verbs": verbs, "apiGroups": groups, "resources": resources}
    if names:
        built["resourceNames"] = names
    return built


def url_rule(verbs: list[str], urls: list[str]) -> Object:
    return {"verbs": verbs, "nonResourceURLs": urls}


def user(name: str) -> Object:
    return {"apiGroup": GROUP, "kind": "User", "name": name}


def group(name: str) -> Object:
    return {"apiGroup": GROUP, "kind": "Group", "name": name}


def service_account(name: str, namespace: str = "") -> Object:
    subject: Object = {"kind": "ServiceAccount", "name": name}
    if namespace:
        subject["namespace"] = namespace
    return subject


def role(cluster: str, namespace: str, name: str, rules: list[Object]) -> tuple[str, Object]:
    obj = {"kind": "Role", "metadata": {"name": name, "namespace": namespace}, "rules": rules}
    return f"{RBAC_PREFIX}roles/{cluster}/{namespace}/{name}", obj


def cluster_role(cluster: str, name: str, rules: list[Object] | None, **extra: Any) -> tuple[str, Object]:
    obj: Object = {"kind": "ClusterRole", "metadata": {"name": name, **extra.pop("metadata", {})}, **extra}
    if rules is not None:
        obj["rules"] = rules
    return f"{RBAC_PREFIX}clusterroles/{cluster}/{name}", obj


def role_binding(
    cluster: str, namespace: str, name: str, role_kind: str, role_name: str, subjects: list[Object]
) -> tuple[str, Object]:
    obj = {
        "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": namespace},
        "roleRef": {"apiGroup": GROUP, "kind": role_kind, "name": role_name},
        "subjects": subjects,
    }
    return f"{RBAC_PREFIX}rolebindings/{cluster}/{namespace}/{name}", obj


def cluster_role_binding(cluster: str, name: str, role_name: str, subjects: list[Object]) -> tuple[str, Object]:
    obj = {
        "kind": "ClusterRoleBinding",
        "metadata": {"name": name},
        "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": role_name},
        "subjects": subjects,
    }
    return f"{RBAC_PREFIX}clusterrolebindings/{cluster}/{name}", obj
