"""The in-memory RBAC state of every logical cluster of the shard, and the questions the authorizers,
the escalation checks and the reviews ask of it.

Objects are keyed by their storage key, `/registry/rbac.authorization.k8s.io/<resource>/<cluster>/
[<namespace>/]<name>`, and kept per logical cluster, bindings per namespace, so that a request looks only
at the bindings of its own cluster (and namespace), never at the whole shard.

Role resolution follows kcp: a binding's Role is looked up in the binding's cluster and namespace; its
ClusterRole in the binding's cluster first, then in the bootstrap cluster `system:admin`, which holds
upstream's default ClusterRoles. A binding whose role is missing grants nothing.

Returned rules are the stored rule dicts themselves: callers read them and never change them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from apimachinery.rbac.rules import path_rule_allows, resource_rule_allows
from shard.auth.authz import Attributes
from shard.auth.rbac.bindings import Binding, Subject
from shard.auth.rbac.bootstrap_policy import BOOTSTRAP_CLUSTER
from shard.registry.context import UserInfo

Rule = dict[str, Any]
Object = Mapping[str, Any]
RBAC_PREFIX = "/registry/rbac.authorization.k8s.io/"
RESOURCES = ("roles", "rolebindings", "clusterroles", "clusterrolebindings")
NAMESPACED = ("roles", "rolebindings")


@dataclass(frozen=True)
class RBACKey:
    resource: str
    cluster: str
    namespace: str
    name: str


def parse_key(key: str) -> RBACKey | None:
    """The parts of an RBAC storage key; None for any other key."""
    if not key.startswith(RBAC_PREFIX):
        return None
    parts = key[len(RBAC_PREFIX) :].split("/")
    resource = parts[0]
    if resource in NAMESPACED and len(parts) == 4:
        return RBACKey(resource, parts[1], parts[2], parts[3])
    if resource in RESOURCES and resource not in NAMESPACED and len(parts) == 3:
        return RBACKey(resource, parts[1], "", parts[2])
    return None


@dataclass
class ClusterRBAC:
    """The roles and bindings of one logical cluster."""

    roles: dict[tuple[str, str], list[Rule]] = field(default_factory=dict)
    cluster_roles: dict[str, list[Rule]] = field(default_factory=dict)
    role_bindings: dict[str, dict[str, Binding]] = field(default_factory=dict)
    cluster_role_bindings: dict[str, Binding] = field(default_factory=dict)

    def put(self, key: RBACKey, obj: Object) -> None:
        if key.resource == "roles":
            self.roles[(key.namespace, key.name)] = list(obj.get("rules") or ())
        elif key.resource == "clusterroles":
            self.cluster_roles[key.name] = list(obj.get("rules") or ())
        elif key.resource == "rolebindings":
            binding = Binding.of("RoleBinding", obj, name=key.name, namespace=key.namespace)
            self.role_bindings.setdefault(key.namespace, {})[key.name] = binding
        else:
            self.cluster_role_bindings[key.name] = Binding.of("ClusterRoleBinding", obj, name=key.name, namespace="")

    def remove(self, key: RBACKey) -> None:
        if key.resource == "roles":
            self.roles.pop((key.namespace, key.name), None)
        elif key.resource == "clusterroles":
            self.cluster_roles.pop(key.name, None)
        elif key.resource == "rolebindings":
            in_namespace = self.role_bindings.get(key.namespace, {})
            in_namespace.pop(key.name, None)
            if not in_namespace:
                self.role_bindings.pop(key.namespace, None)
        else:
            self.cluster_role_bindings.pop(key.name, None)

    def clear(self, resource: str) -> None:
        if resource == "roles":
            self.roles.clear()
        elif resource == "clusterroles":
            self.cluster_roles.clear()
        elif resource == "rolebindings":
            self.role_bindings.clear()
        else:
            self.cluster_role_bindings.clear()

    def empty(self) -> bool:
        return not (self.roles or self.cluster_roles or self.role_bindings or self.cluster_role_bindings)


class RBACIndex:
    """Roles, ClusterRoles, RoleBindings and ClusterRoleBindings of every logical cluster of the shard."""

    def __init__(self, clusters: dict[str, ClusterRBAC] | None = None) -> None:
        self._clusters: dict[str, ClusterRBAC] = clusters if clusters is not None else {}

    # ---- feeding -------------------------------------------------------------------------------
    def apply(self, key: str, obj: Object | None) -> None:
        """One object written (or deleted, `obj` None) under `key`; keys outside RBAC are ignored."""
        parsed = parse_key(key)
        if parsed is None:
            return
        if obj is not None:
            self._clusters.setdefault(parsed.cluster, ClusterRBAC()).put(parsed, obj)
            return
        state = self._clusters.get(parsed.cluster)
        if state is not None:
            state.remove(parsed)
            if state.empty():
                del self._clusters[parsed.cluster]

    def replace(self, resource_prefix: str, items_by_key: Mapping[str, Object]) -> None:
        """A relist: everything under `resource_prefix` (the RBAC root, one resource's prefix, or one
        resource in one cluster) is exactly `items_by_key` now."""
        resources, cluster = _scope(resource_prefix)
        for name, state in self._clusters.items():
            if not cluster or name == cluster:
                for resource in resources:
                    state.clear(resource)
        for key, obj in items_by_key.items():
            self.apply(key, obj)
        for name in [name for name, state in self._clusters.items() if state.empty()]:
            del self._clusters[name]

    def with_fresh(self, cluster: str, items_by_key: Mapping[str, Object]) -> RBACIndex:
        """A copy in which `cluster` holds exactly `items_by_key` (all four kinds); the other clusters'
        state is shared with this index, not copied."""
        fresh = ClusterRBAC()
        for key, obj in items_by_key.items():
            parsed = parse_key(key)
            if parsed is not None and parsed.cluster == cluster:
                fresh.put(parsed, obj)
        return RBACIndex({**self._clusters, cluster: fresh})

    # ---- questions -----------------------------------------------------------------------------
    def role_rules(self, cluster: str, kind: str, namespace: str, name: str) -> list[Rule] | None:
        """The rules of the Role (`namespace`/`name`) or ClusterRole (`name`; falling back to the bootstrap
        cluster) a binding in `cluster` would reference; None if there is no such role."""
        state = self._clusters.get(cluster)
        if kind == "Role":
            return state.roles.get((namespace, name)) if state else None
        if kind != "ClusterRole":
            return None
        found = state.cluster_roles.get(name) if state else None
        if found is None and cluster != BOOTSTRAP_CLUSTER:
            bootstrap = self._clusters.get(BOOTSTRAP_CLUSTER)
            found = bootstrap.cluster_roles.get(name) if bootstrap else None
        return found

    def rules_for(self, user: UserInfo, cluster: str, namespace: str) -> list[Rule]:
        """Every rule granted to `user` by the bindings stored in `cluster`: its ClusterRoleBindings, plus
        the RoleBindings of `namespace` when given."""
        return [
            rule for binding, _ in self._applying(user, cluster, namespace) for rule in self._rules(cluster, binding)
        ]

    def allowing_binding(self, user: UserInfo, attributes: Attributes, cluster: str) -> str | None:
        """Upstream's reason text for the first binding stored in `cluster` that allows `attributes` to
        `user`, e.g. `RBAC: allowed by ClusterRoleBinding "x" of ClusterRole "y" to User "z"`; None if none."""
        for binding, subject in self._applying(user, cluster, attributes.namespace):
            if any(_allows(rule, attributes) for rule in self._rules(cluster, binding)):
                return f"RBAC: allowed by {binding.describe(subject)}"
        return None

    def _applying(self, user: UserInfo, cluster: str, namespace: str) -> Iterator[tuple[Binding, Subject]]:
        """Bindings of `cluster` naming `user`, with the subject that names it: cluster-wide ones first."""
        state = self._clusters.get(cluster)
        if state is None:
            return
        in_namespace = state.role_bindings.get(namespace, {}).values() if namespace else ()
        for binding in chain(state.cluster_role_bindings.values(), in_namespace):
            subject = binding.subject_for(user)
            if subject is not None:
                yield binding, subject

    def _rules(self, cluster: str, binding: Binding) -> list[Rule]:
        return self.role_rules(cluster, binding.role_kind, binding.namespace, binding.role_name) or []


def _allows(rule: Rule, attributes: Attributes) -> bool:
    if attributes.is_resource_request:
        return resource_rule_allows(
            rule,
            verb=attributes.verb,
            api_group=attributes.api_group,
            resource=attributes.resource,
            subresource=attributes.subresource,
            name=attributes.name,
        )
    return path_rule_allows(rule, verb=attributes.verb, path=attributes.path)


def _scope(prefix: str) -> tuple[tuple[str, ...], str]:
    """(resources, cluster) a relist prefix covers; cluster empty = every cluster."""
    if not prefix.startswith(RBAC_PREFIX):
        raise ValueError(f"not an RBAC prefix: {prefix}")
    parts = [part for part in prefix[len(RBAC_PREFIX) :].split("/") if part]
    if not parts:
        return RESOURCES, ""
    if parts[0] not in RESOURCES:
        raise ValueError(f"not an RBAC prefix: {prefix}")
    return (parts[0],), parts[1] if len(parts) > 1 else ""
