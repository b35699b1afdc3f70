"""Upstream's RBAC escalation prevention, as admission of Role, ClusterRole, RoleBinding and
ClusterRoleBinding writes (create, update, patch, apply; dry runs too).

- A Role or ClusterRole may be written by a caller holding `escalate` on it, or holding every permission
  its rules grant (the rules of the caller's bindings in the request's cluster and namespace). A
  ClusterRole with an aggregationRule (new or old) additionally needs full authority, since it gathers
  anything.
- A binding may be written by a caller holding `bind` on the role it references, or holding every
  permission that role grants; a reference to a role that does not exist is then a 404.
- Members of `system:masters` and the shard's own callers (`ctx.permissions` None) skip the checks; an
  update that only changes what the garbage collector changes (ownerReferences, finalizers) is not checked.

Refusals are 403 with upstream's text, e.g. `roles.rbac.authorization.k8s.io "r" is forbidden: user "jane"
(groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:` followed by
one line per missing permission.
"""

from __future__ import annotations

from typing import Any

from apimachinery import errors
from apimachinery.apis.types import Object
from apimachinery.rbac.covers import describe_missing, go_string_list, uncovered
from apimachinery.validation.field import go_quote
from shard.registry.context import Permissions, RequestContext, UserInfo

RBAC_GROUP = "rbac.authorization.k8s.io"
ROLE_RESOURCES = {"Role": "roles", "ClusterRole": "clusterroles"}
FULL_AUTHORITY: list[dict[str, Any]] = [
    {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
    {"nonResourceURLs": ["*"], "verbs": ["*"]},
]
AGGREGATION_DENIED = "must have cluster-admin privileges to use the aggregationRule"
# what the garbage collector changes, and what every write changes by itself (its managedFields entry)
GC_ONLY_FIELDS = ("ownerReferences", "finalizers", "selfLink", "managedFields")


def admit_role(ctx: RequestContext, new: Object, old: Object | None, *, resource: str) -> None:
    """Escalation check of a Role (`resource` roles) or ClusterRole (clusterroles) create or update."""
    permissions = _checked(ctx, new, old)
    if permissions is None:
        return
    name = _name(new)
    # upstream asks with the request's name: empty on create, where the name is not in the URL
    if permissions.allows(
        "escalate", api_group=RBAC_GROUP, resource=resource, namespace=ctx.namespace, name=name if old else ""
    ):
        return
    held = permissions.rules(ctx.namespace)
    _confirm_no_escalation(ctx.user, held, new.get("rules") or [], resource, name)
    aggregates = _aggregates(new) or (old is not None and _aggregates(old))
    if resource == "clusterroles" and aggregates and uncovered(held, FULL_AUTHORITY):
        raise errors.forbidden(resource, name, AGGREGATION_DENIED, group=RBAC_GROUP)


def admit_binding(ctx: RequestContext, new: Object, old: Object | None, *, resource: str) -> None:
    """Escalation check of a RoleBinding (`resource` rolebindings) or ClusterRoleBinding create or update."""
    permissions = _checked(ctx, new, old)
    if permissions is None:
        return
    role_ref = new.get("roleRef") or {}
    role_kind, role_name = role_ref.get("kind", ""), role_ref.get("name", "")
    role_resource = ROLE_RESOURCES.get(role_kind)
    if role_resource is None:  # validation refuses any other kind before admission
        return
    namespace = ctx.namespace  # the binding's namespace; empty for a ClusterRoleBinding
    if permissions.allows(
        "bind", api_group=role_ref.get("apiGroup", ""), resource=role_resource, namespace=namespace, name=role_name
    ):
        return
    rules = permissions.role_rules(role_kind, namespace, role_name)
    if rules is None:
        raise errors.not_found(role_resource, role_name, group=RBAC_GROUP)
    _confirm_no_escalation(ctx.user, permissions.rules(namespace), rules, resource, _name(new))


def escalation_message(user: UserInfo, missing: list[dict[str, Any]]) -> str:
    """Upstream's ConfirmNoEscalation text for the permissions `user` lacks."""
    return (
        f"user {go_quote(user.name)} (groups={go_string_list(user.groups)}) is attempting to grant RBAC "
        f"permissions not currently held:\n{describe_missing(missing)}"
    )


def _confirm_no_escalation(
    user: UserInfo, held: list[dict[str, Any]], granted: list[dict[str, Any]], resource: str, name: str
) -> None:
    missing = uncovered(held, granted)
    if missing:
        raise errors.forbidden(resource, name, escalation_message(user, missing), group=RBAC_GROUP)


def _checked(ctx: RequestContext, new: Object, old: Object | None) -> Permissions | None:
    """The caller's permissions if this write must be checked; None if it is exempt."""
    if ctx.permissions is None or ctx.user.is_master:
        return None
    if old is not None and _only_gc_fields_change(new, old):
        return None
    return ctx.permissions


def _only_gc_fields_change(new: Object, old: Object) -> bool:
    return _without_gc_fields(new) == _without_gc_fields(old)


def _without_gc_fields(obj: Object) -> Object:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in GC_ONLY_FIELDS}
    return {**obj, "metadata": meta}


def _aggregates(role: Object) -> bool:
    return bool((role.get("aggregationRule") or {}).get("clusterRoleSelectors"))


def _name(obj: Object) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))
