"""The built-in resources every logical cluster serves, and lookups over them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from apimachinery.apis import (
    apiextensions_v1,
    authentication_v1,
    authorization_v1,
    coordination_v1,
    core_kcp_io,
    core_v1,
    events_v1,
    rbac_v1,
    tenancy_kcp_io,
)
from apimachinery.apis.types import ResourceDefinition

BUILTINS: tuple[ResourceDefinition, ...] = (
    *core_v1.RESOURCES,
    *events_v1.RESOURCES,
    *authentication_v1.RESOURCES,
    *authorization_v1.RESOURCES,
    *coordination_v1.RESOURCES,
    *rbac_v1.RESOURCES,
    *apiextensions_v1.RESOURCES,
    *core_kcp_io.RESOURCES,
    *tenancy_kcp_io.RESOURCES,
)


@dataclass
class Catalog:
    """Resources by (group, version, plural), in the order discovery lists them."""

    resources: list[ResourceDefinition] = field(default_factory=list)

    @classmethod
    def of(cls, resources: Iterable[ResourceDefinition]) -> Catalog:
        return cls(list(resources))

    def lookup(self, group: str, version: str, plural: str) -> ResourceDefinition | None:
        for resource in self.resources:
            if resource.group == group and resource.version == version and resource.plural == plural:
                return resource
        return None

    def by_kind(self, api_version: str, kind: str) -> ResourceDefinition | None:
        """The resource serving `kind` in `api_version` (`v1`, `rbac.authorization.k8s.io/v1`)."""
        group, _, version = api_version.rpartition("/")
        for resource in self.resources:
            if resource.group == group and resource.version == version and resource.kind == kind:
                return resource
        return None

    def group_versions(self) -> list[tuple[str, str]]:
        """Distinct (group, version) pairs, core first, in declaration order."""
        seen: list[tuple[str, str]] = []
        for resource in self.resources:
            pair = (resource.group, resource.version)
            if pair not in seen:
                seen.append(pair)
        return seen

    def in_group_version(self, group: str, version: str) -> list[ResourceDefinition]:
        return [r for r in self.resources if r.group == group and r.version == version]


def builtin_catalog() -> Catalog:
    return Catalog.of(BUILTINS)
