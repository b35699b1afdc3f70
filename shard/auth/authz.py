"""Authorization: may this user do this verb on this resource (or non-resource path) in this cluster?

The vocabulary every authorizer shares: `Attributes`, `Decision`, the `Authorizer` protocol, a `Chain` of
them, `SystemMasters`, the verb of a request, and upstream's Forbidden text. kcp's chain (workspace access →
RBAC of the logical cluster → bootstrap policy) is assembled from these in access.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from apimachinery import errors
from shard.registry.context import Permissions, UserInfo

VERB_BY_METHOD = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


@dataclass(frozen=True)
class Attributes:
    """What a request does, in the terms RBAC rules use. `path` (non-resource requests only) is the path
    inside the logical cluster, e.g. `/api/v1` or `/` (never the `/clusters/<name>` prefix)."""

    user: UserInfo
    verb: str
    cluster: str
    api_group: str = ""
    resource: str = ""
    subresource: str = ""
    namespace: str = ""
    name: str = ""
    path: str = ""

    @property
    def is_resource_request(self) -> bool:
        return bool(self.resource)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    denied: bool = False  # an explicit deny, not "no authorizer allowed it" (SubjectAccessReview status.denied)


class Authorizer(Protocol):
    def authorize(self, attributes: Attributes) -> Decision | None:
        """Allow, deny, or None for no opinion (the next authorizer decides)."""
        ...


@dataclass(frozen=True)
class SystemMasters:
    def authorize(self, attributes: Attributes) -> Decision | None:
        return Decision(True) if attributes.user.is_master else None


@dataclass(frozen=True)
class Chain:
    authorizers: Sequence[Authorizer]

    def authorize(self, attributes: Attributes) -> Decision:
        for authorizer in self.authorizers:
            decision = authorizer.authorize(attributes)
            if decision is not None:
                return decision
        return Decision(False)


def resource_verb(method: str, *, has_name: bool, watch: bool) -> str:
    if method == "GET":
        return "watch" if watch else ("get" if has_name else "list")
    if method == "DELETE" and not has_name:
        return "deletecollection"
    return VERB_BY_METHOD.get(method, method.lower())


def forbidden(attributes: Attributes, reason: str = "") -> errors.StatusError:
    """403 with the upstream text, e.g. `User "jane" cannot list resource "configmaps" in API group ""
    in the namespace "default"`."""
    user = attributes.user.name
    if not attributes.is_resource_request:
        detail = f'User "{user}" cannot {attributes.verb} path "{attributes.path}"'
        return _with_reason(errors.StatusError(403, "Forbidden", f"forbidden: {detail}"), reason)
    resource = attributes.resource + (f"/{attributes.subresource}" if attributes.subresource else "")
    detail = f'User "{user}" cannot {attributes.verb} resource "{resource}" in API group "{attributes.api_group}"'
    detail += f' in the namespace "{attributes.namespace}"' if attributes.namespace else " at the cluster scope"
    error = errors.forbidden(attributes.resource, attributes.name, detail, group=attributes.api_group)
    return _with_reason(error, reason)


def _with_reason(error: errors.StatusError, reason: str) -> errors.StatusError:
    if reason:
        error.message = f"{error.message}: {reason}"
    return error


class AccessController(Protocol):
    """What the router asks per request, after the logical cluster is known: the decision (which may look
    at fresh state before denying, hence async) and the caller's permissions for admission steps."""

    async def authorize(self, attributes: Attributes) -> Decision: ...

    async def permissions(self, user: UserInfo, cluster: str, *, fresh: bool = False) -> Permissions | None:
        """`fresh`: answer from state read now, for writes whose admission grants rights (RBAC objects)."""
        ...
