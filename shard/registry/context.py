"""Who asks, in which logical cluster and namespace, with which write options: the registry's input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from apimachinery.auth.user import UserInfo as UserInfo  # the registry's input; defined with authentication


class Permissions(Protocol):
    """What the caller of one request may do, for admission steps inside the registry (RBAC escalation
    checks, `use` of workspace types). Built per request by the router from the authorizer chain."""

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
        """Whether the caller may do `verb` on the resource; `cluster` empty = the request's cluster."""
        ...

    def rules(self, namespace: str) -> list[dict[str, Any]]:
        """The PolicyRules granted to the caller in the request's cluster: cluster-wide ones, plus those of
        `namespace` when given (what upstream's escalation check compares against)."""
        ...

    def role_rules(self, kind: str, namespace: str, name: str) -> list[dict[str, Any]] | None:
        """The rules of the Role (`namespace`/`name`) or ClusterRole (`name`) a binding in the request's
        cluster would reference (ClusterRoles falling back to `system:admin`); None if it does not exist."""
        ...


@dataclass(frozen=True)
class RequestContext:
    """One request's scope. `namespace` is empty for cluster-scoped or all-namespace requests.

    `permissions` is None for the shard's own callers (bootstrap, controllers): they may do anything."""

    cluster: str
    user: UserInfo
    namespace: str = ""
    user_agent: str = ""
    permissions: Permissions | None = None


@dataclass(frozen=True)
class WriteOptions:
    dry_run: bool = False
    field_manager: str = ""
    field_validation: str = "Strict"
    apply: bool = False  # a server-side apply: the object written is the applied configuration
    force: bool = False  # apply only: take over fields other managers own instead of a 409
