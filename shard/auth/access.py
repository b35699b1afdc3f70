"""The shard's authorizer: kcp's chain over the in-memory RBAC index, re-asked against fresh state before
it denies.

Order (kcp's): `system:masters` → workspace access (`access` on `/` in the target cluster) → the target
cluster's own RBAC → the bootstrap policy in `system:admin` → deny. The index follows storage by watch
and so lags a write by a few milliseconds; a denial is therefore re-evaluated once against the target
cluster's RBAC objects read consistently, so a RoleBinding takes effect for the very next request, as a
client that just created it expects. Allowing is never re-checked: revocation is as eventual as upstream's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shard.auth.authz import Attributes, Chain, Decision, SystemMasters
from shard.auth.rbac.authorizers import BootstrapPolicy, LocalRBAC
from shard.auth.rbac.bootstrap_policy import BOOTSTRAP_CLUSTER
from shard.auth.rbac.follower import fresh_index
from shard.auth.rbac.index import RBACIndex
from shard.auth.rbac.permissions import RequestPermissions
from shard.auth.workspaceaccess import WorkspaceAccess
from shard.registry.context import Permissions, UserInfo
from shard.storage.interface import Storage


def kcp_chain(index: RBACIndex) -> Chain:
    local = LocalRBAC(index)
    bootstrap = BootstrapPolicy(index)
    return Chain([SystemMasters(), WorkspaceAccess((local, bootstrap)), local, bootstrap])


@dataclass
class ShardAccess:
    storage: Storage
    index: RBACIndex
    chain: Chain = field(init=False)

    def __post_init__(self) -> None:
        self.chain = kcp_chain(self.index)

    async def authorize(self, attributes: Attributes) -> Decision:
        decision = self.chain.authorize(attributes)
        if decision.allowed or attributes.cluster == "":
            return decision
        fresh = await fresh_index(self.storage, self.index, attributes.cluster)
        return kcp_chain(fresh).authorize(attributes)

    async def permissions(self, user: UserInfo, cluster: str, *, fresh: bool = False) -> Permissions | None:
        index = await fresh_index(self.storage, self.index, cluster) if fresh else self.index
        chain = kcp_chain(index) if fresh else self.chain
        return RequestPermissions(user=user, cluster=cluster, authorize=chain.authorize, index=index)

    def rules_for(self, user: UserInfo, cluster: str, namespace: str) -> list[dict[str, object]]:
        """Every PolicyRule `user` holds in `cluster` (and `namespace`), bootstrap policy included: what a
        SelfSubjectRulesReview lists."""
        rules = list(self.index.rules_for(user, cluster, namespace))
        if cluster != BOOTSTRAP_CLUSTER:
            rules.extend(self.index.rules_for(user, BOOTSTRAP_CLUSTER, ""))
        return rules
