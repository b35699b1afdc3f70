"""Who a request is: the authenticated user (name, groups, uid, extra), as every authenticator returns it."""

from __future__ import annotations

from dataclasses import dataclass, field

MASTERS_GROUP = "system:masters"
AUTHENTICATED = "system:authenticated"  # every authenticated user
UNAUTHENTICATED = "system:unauthenticated"  # the anonymous user's group
ANONYMOUS = "system:anonymous"


@dataclass(frozen=True)
class UserInfo:
    name: str
    groups: tuple[str, ...] = ()
    uid: str = ""
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def is_master(self) -> bool:
        return MASTERS_GROUP in self.groups
