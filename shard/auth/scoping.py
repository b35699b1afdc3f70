"""Which identity a request has inside the logical cluster it addresses.

kcp's rule: a subject that belongs to one logical cluster (a service account, whose token names its
cluster) is nobody in particular anywhere else. In another cluster it appears as `system:anonymous` with
the groups `system:authenticated` and `system:cluster:<its cluster>`, so that cluster's RBAC can still
grant "every service account of cluster A" something by group, but never impersonate A's subjects.
"""

from __future__ import annotations

from apimachinery.auth.serviceaccounts import SERVICE_ACCOUNT_CLUSTER_EXTRA
from apimachinery.auth.user import ANONYMOUS, AUTHENTICATED
from shard.registry.context import UserInfo


def home_clusters(user: UserInfo) -> tuple[str, ...]:
    """The logical clusters a subject is bound to; empty for global users (token file, certificates)."""
    return user.extra.get(SERVICE_ACCOUNT_CLUSTER_EXTRA, ())


def scoped_user(user: UserInfo, cluster: str) -> UserInfo:
    """`user` as the authorizers of `cluster` must see it."""
    bound_to = home_clusters(user)
    if not bound_to or cluster in bound_to:
        return user
    groups = (AUTHENTICATED, *(f"system:cluster:{name}" for name in bound_to))
    return UserInfo(ANONYMOUS, groups)


def belongs_to(user: UserInfo, cluster: str) -> bool:
    """Whether `user` is a subject of `cluster` itself (its own service accounts)."""
    return cluster in home_clusters(user)
