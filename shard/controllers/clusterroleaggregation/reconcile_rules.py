"""The rules an aggregated ClusterRole must have, as upstream's aggregation controller computes them, and
writing them.

For each selector of `aggregationRule.clusterRoleSelectors`, in order, the ClusterRoles of the same logical
cluster it matches are taken in name order (the aggregated role itself left out), and each of their rules
is appended unless an equal rule is already there. Rules are compared as upstream's semantic equality
does: a missing list and an empty one are the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from apimachinery import errors
from apimachinery.apis.rbac_v1 import CLUSTERROLES
from apimachinery.apis.types import Object
from apimachinery.selectors.labels import LabelSelector, selector_from_object
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.registry import Registry

Rule = dict[str, Any]
FIELD_MANAGER = "clusterrole-aggregation-controller"
CONTROLLER_USER = UserInfo("system:serviceaccount:kube-system:clusterrole-aggregation-controller", ("system:masters",))


def is_aggregated(role: Object) -> bool:
    """Upstream's test: any aggregationRule at all, even one without selectors (which gathers nothing)."""
    return role.get("aggregationRule") is not None


def aggregated_rules(role: Object, cluster_roles: Iterable[Object]) -> list[Rule]:
    """The rules `role` aggregates from `cluster_roles` (the ClusterRoles of its logical cluster).

    An invalid selector raises StatusError (400), as upstream's conversion of it fails."""
    name = _name(role)
    candidates = sorted((r for r in cluster_roles if _name(r) != name), key=_name)
    rules: list[Rule] = []
    seen: list[Rule] = []
    for selector in (role.get("aggregationRule") or {}).get("clusterRoleSelectors") or []:
        matcher: LabelSelector = selector_from_object(selector)
        for other in candidates:
            if not matcher.matches((other.get("metadata") or {}).get("labels") or {}):
                continue
            for rule in other.get("rules") or []:
                normal = _normal(rule)
                if normal not in seen:
                    seen.append(normal)
                    rules.append(rule)
    return rules


def rules_differ(current: Iterable[Mapping[str, Any]] | None, wanted: Iterable[Mapping[str, Any]]) -> bool:
    return [_normal(rule) for rule in current or []] != [_normal(rule) for rule in wanted]


async def write_rules(registry: Registry, cluster: str, name: str, rules: list[Rule]) -> None:
    """Set the rules of ClusterRole `name` of `cluster`; a role deleted meanwhile is left alone."""

    async def set_rules(role: Object) -> Object:
        role["rules"] = rules
        return role

    ctx = RequestContext(cluster, CONTROLLER_USER)
    try:
        await registry.store_of(CLUSTERROLES).update(ctx, name, set_rules, WriteOptions(field_manager=FIELD_MANAGER))
    except errors.StatusError as err:
        if err.reason != "NotFound":
            raise


def _normal(rule: Mapping[str, Any]) -> Rule:
    return {field: value for field, value in rule.items() if value not in (None, [], "")}


def _name(role: Object) -> str:
    return str((role.get("metadata") or {}).get("name", ""))
