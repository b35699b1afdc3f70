"""Who asks, in which logical cluster and namespace, with which write options: the registry's input."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class UserInfo:
    name: str
    groups: tuple[str, ...] = ()
    uid: str = ""
    extra: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def is_master(self) -> bool:
        return "system:masters" in self.groups


@dataclass(frozen=True)
class RequestContext:
    """One request's scope. `namespace` is empty for cluster-scoped or all-namespace requests."""

    cluster: str
    user: UserInfo
    namespace: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class WriteOptions:
    dry_run: bool = False
    field_manager: str = ""
    field_validation: str = "Strict"
    apply: bool = False  # a server-side apply: the object written is the applied configuration
    force: bool = False  # apply only: take over fields other managers own instead of a 409
