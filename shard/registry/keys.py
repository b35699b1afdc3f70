"""Storage key layout: /registry/<group>/<resource>/[customresources/]<cluster>/[<namespace>/]<name>.

The core group is stored as `core`; custom resources carry the `customresources/` infix (kcp's layout).
"""

from __future__ import annotations

from apimachinery.apis.types import ResourceDefinition


def collection_prefix(resource: ResourceDefinition, cluster: str, namespace: str = "") -> str:
    """The prefix of every object of `resource` in `cluster` (and `namespace`, if given)."""
    base = f"/registry/{resource.storage_group}/{resource.storage_resource}/{resource.storage_infix}{cluster}/"
    return f"{base}{namespace}/" if namespace and resource.namespaced else base


def object_key(resource: ResourceDefinition, cluster: str, namespace: str, name: str) -> str:
    return f"{collection_prefix(resource, cluster, namespace)}{name}"


def logical_cluster_key(cluster: str) -> str:
    return f"/registry/core.kcp.io/logicalclusters/{cluster}/cluster"
