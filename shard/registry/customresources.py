"""The custom resources each logical cluster serves, as the CRD controller established them.

Per cluster: the Stores of every served version of every established CRD, and the Catalog (built-ins
plus those resources) that discovery and OpenAPI read. A catalog object is replaced, never mutated, so
readers may cache documents per catalog identity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from apimachinery.apis.catalog import Catalog
from apimachinery.apis.types import ResourceDefinition
from shard.registry.store import Store

GroupVersionResource = tuple[str, str, str]


@dataclass
class CustomResources:
    builtins: Catalog
    _stores: dict[str, dict[str, list[Store]]] = field(default_factory=dict)
    _catalogs: dict[str, Catalog] = field(default_factory=dict)

    def serve(self, cluster: str, crd_name: str, stores: list[Store]) -> None:
        """Serve (or re-serve, after a change) the versions of one CRD in one cluster."""
        self._stores.setdefault(cluster, {})[crd_name] = stores
        self._rebuild(cluster)

    def withdraw(self, cluster: str, crd_name: str) -> None:
        if self._stores.get(cluster, {}).pop(crd_name, None) is not None:
            self._rebuild(cluster)

    def store_for(self, cluster: str, gvr: GroupVersionResource) -> Store | None:
        for stores in self._stores.get(cluster, {}).values():
            for store in stores:
                resource = store.resource
                if (resource.group, resource.version, resource.plural) == gvr:
                    return store
        return None

    def catalog_for(self, cluster: str) -> Catalog:
        return self._catalogs.get(cluster, self.builtins)

    def storage_stores(self, cluster: str) -> Iterable[Store]:
        """One Store per CRD (its versions share one storage location)."""
        for stores in self._stores.get(cluster, {}).values():
            if stores:
                yield stores[0]

    def served(self, cluster: str, crd_name: str) -> list[ResourceDefinition]:
        return [store.resource for store in self._stores.get(cluster, {}).get(crd_name, [])]

    def _rebuild(self, cluster: str) -> None:
        custom = [store.resource for stores in self._stores.get(cluster, {}).values() for store in stores]
        if custom:
            self._catalogs[cluster] = Catalog.of([*self.builtins.resources, *custom])
        else:
            self._catalogs.pop(cluster, None)
            self._stores.pop(cluster, None)
