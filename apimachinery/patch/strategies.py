"""Strategic-merge-patch metadata of the built-in kinds kplane serves, from upstream's struct tags.

Owns `patch_meta_for(group, kind)`: the `PatchMeta` of a built-in kind, or None for kinds that are not
compiled-in Go types upstream (custom resources, kcp's own CRD-backed kinds), which answer 415.

Tags, as in k8s.io/api and k8s.io/apimachinery (fields not listed are untagged: maps merge, lists
are replaced whole):
- ObjectMeta: `finalizers` merge (a set of strings); `ownerReferences` merge by `uid`; `managedFields`
  untagged (replace); `labels`/`annotations` are maps (merge).
- ServiceAccount: `secrets` merge by `name`; `imagePullSecrets` is untagged (`+listType=atomic`), so it
  is replaced (it merges by `name` only inside a PodSpec).
- Namespace: `spec.finalizers` untagged; `status.conditions` merge by `type`.
- ConfigMap, Secret, core Event, events.k8s.io Event, Lease: nothing beyond ObjectMeta.
- Role/ClusterRole: `rules` untagged; ClusterRole `aggregationRule.clusterRoleSelectors` untagged.
- RoleBinding/ClusterRoleBinding: `subjects` untagged; `roleRef` is a plain object.
- CustomResourceDefinition: a compiled-in type with no tagged fields (its conditions are replaced).
"""

from __future__ import annotations

from apimachinery.patch.meta import FieldMeta, PatchMeta, merge_list, nested, replace

OBJECT_META = PatchMeta(
    {
        "finalizers": merge_list(),
        "ownerReferences": merge_list("uid"),
        "managedFields": replace(),
    }
)


def _with_metadata(**fields: FieldMeta) -> PatchMeta:
    return PatchMeta({"metadata": nested(OBJECT_META), **fields})


PLAIN = _with_metadata()

SERVICE_ACCOUNT = _with_metadata(secrets=merge_list("name"), imagePullSecrets=replace())

NAMESPACE = _with_metadata(
    spec=nested(PatchMeta({"finalizers": replace()})),
    status=nested(PatchMeta({"conditions": merge_list("type")})),
)

ROLE = _with_metadata(rules=replace())

CLUSTER_ROLE = _with_metadata(
    rules=replace(),
    aggregationRule=nested(PatchMeta({"clusterRoleSelectors": replace()})),
)

BINDING = _with_metadata(subjects=replace())

_BUILTIN: dict[tuple[str, str], PatchMeta] = {
    ("", "Namespace"): NAMESPACE,
    ("", "ConfigMap"): PLAIN,
    ("", "Secret"): PLAIN,
    ("", "ServiceAccount"): SERVICE_ACCOUNT,
    ("", "Event"): PLAIN,
    ("events.k8s.io", "Event"): PLAIN,
    ("coordination.k8s.io", "Lease"): PLAIN,
    ("rbac.authorization.k8s.io", "Role"): ROLE,
    ("rbac.authorization.k8s.io", "ClusterRole"): CLUSTER_ROLE,
    ("rbac.authorization.k8s.io", "RoleBinding"): BINDING,
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): BINDING,
    ("apiextensions.k8s.io", "CustomResourceDefinition"): PLAIN,
}


def patch_meta_for(group: str, kind: str) -> PatchMeta | None:
    """The strategic-merge metadata of a built-in kind; None means SMP is unsupported (415)."""
    return _BUILTIN.get((group, kind))
