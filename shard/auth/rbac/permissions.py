"""What the caller of one request may do, as the registry's admission steps ask it (the
`shard.registry.context.Permissions` protocol): a yes/no from the authorizer chain for one verb, the rules
the caller holds (for upstream's escalation check), and the rules of a role a binding would reference.

The rules a caller holds are those the chain's RBAC authorizers would grant: the bindings of the
request's cluster, plus the bootstrap policy's bindings in `system:admin`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shard.auth.authz import Attributes, Decision
from shard.auth.rbac.bootstrap_policy import BOOTSTRAP_CLUSTER
from shard.auth.rbac.index import RBACIndex
from shard.registry.context import UserInfo


@dataclass(frozen=True)
class RequestPermissions:
    """`authorize` is the shard's authorizer chain; `cluster` the logical cluster the request addresses."""

    user: UserInfo
    cluster: str
    authorize: Callable[[Attributes], Decision]
    index: RBACIndex

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
        attributes = Attributes(
            self.user, verb, cluster or self.cluster, api_group, resource, subresource, namespace, name
        )
        return self.authorize(attributes).allowed

    def rules(self, namespace: str) -> list[dict[str, Any]]:
        rules = self.index.rules_for(self.user, self.cluster, namespace)
        if self.cluster != BOOTSTRAP_CLUSTER:
            rules.extend(self.index.rules_for(self.user, BOOTSTRAP_CLUSTER, namespace))
        return rules

    def role_rules(self, kind: str, namespace: str, name: str) -> list[dict[str, Any]] | None:
        return self.index.role_rules(self.cluster, kind, namespace, name)
