"""kcp's workspace content gate: before any RBAC of a logical cluster is asked, the caller must hold the
non-resource verb `access` on `/` there (ClusterRole `system:kcp:workspace:access`, `cluster-admin`, or
any broader grant), through that cluster's own bindings or the bootstrap policy.

The gate only denies; when it lets a request pass it has no opinion and the RBAC authorizers decide.
System logical clusters (`system:*`) are not gated, and a cluster's own service accounts always pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from shard.auth.authz import Attributes, Authorizer, Decision
from shard.auth.scoping import belongs_to

WORKSPACE_DENIED = "workspace access not permitted"
ACCESS_VERB = "access"


@dataclass(frozen=True)
class WorkspaceAccess:
    """`grants` are the authorizers that may hold the `access` verb (the cluster's RBAC, the bootstrap
    policy); any of them allowing it lets the request through."""

    grants: tuple[Authorizer, ...]

    def authorize(self, attributes: Attributes) -> Decision | None:
        if attributes.cluster.startswith("system:") or belongs_to(attributes.user, attributes.cluster):
            return None
        access = Attributes(attributes.user, ACCESS_VERB, attributes.cluster, path="/")
        if self._allows(access):
            return None
        return Decision(False, WORKSPACE_DENIED)

    def _allows(self, access: Attributes) -> bool:
        for grant in self.grants:
            decision = grant.authorize(access)
            if decision is not None and decision.allowed:
                return True
        return False
