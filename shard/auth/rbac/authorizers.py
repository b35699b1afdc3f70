"""The two RBAC authorizers of kcp's chain, over the in-memory index.

- `LocalRBAC`: the bindings stored in the request's own logical cluster (their ClusterRoles resolved
  there, then in `system:admin`).
- `BootstrapPolicy`: the bindings stored in the bootstrap cluster `system:admin`, applied to a request for
  any logical cluster, their roles resolved in `system:admin`.

Both allow with upstream's reason text or have no opinion; neither denies, so the chain goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

from shard.auth.authz import Attributes, Decision
from shard.auth.rbac.bootstrap_policy import BOOTSTRAP_CLUSTER
from shard.auth.rbac.index import RBACIndex


@dataclass(frozen=True)
class LocalRBAC:
    index: RBACIndex

    def authorize(self, attributes: Attributes) -> Decision | None:
        if not attributes.cluster:
            return None
        reason = self.index.allowing_binding(attributes.user, attributes, attributes.cluster)
        return Decision(True, reason) if reason is not None else None


@dataclass(frozen=True)
class BootstrapPolicy:
    index: RBACIndex

    def authorize(self, attributes: Attributes) -> Decision | None:
        reason = self.index.allowing_binding(attributes.user, attributes, BOOTSTRAP_CLUSTER)
        return Decision(True, reason) if reason is not None else None
