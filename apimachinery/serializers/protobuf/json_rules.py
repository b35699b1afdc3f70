"""When a field present on the wire appears in the JSON form: Go's `omitempty` rules, as data.

Go writes every non-pointer field of a built-in object to protobuf, even when it holds "" or 0 or
false, so presence on the wire says nothing for those; their JSON form follows the Go struct tag
instead. The converter therefore drops a present scalar that holds its zero value, except for the fields
listed here:

* fields that are pointers in Go (`*bool`, `*int64`, `*string`): present means set, and `false` or `0`
  is a meaningful value (`immutable: false`, `gracePeriodSeconds: 0`);
* value fields whose JSON tag has no `omitempty` (`roleRef.apiGroup`, `status.allowed`), which Go
  always writes.

Messages, lists and maps need no table: a present message is written (as `{}` when empty, like a Go
struct), empty lists and maps are left out.
"""

from __future__ import annotations

from collections.abc import Mapping

META = "kplane.k8s.meta.v1"
CORE = "kplane.k8s.core.v1"

KEEP_ZERO_BY_MESSAGE: Mapping[str, tuple[str, ...]] = {
    # Go pointers.
    f"{META}.ObjectMeta": ("deletionGracePeriodSeconds",),
    f"{META}.ListMeta": ("remainingItemCount",),
    f"{META}.DeleteOptions": (
        "gracePeriodSeconds",
        "orphanDependents",
        "propagationPolicy",
        "ignoreStoreReadErrorWithClusterBreakingPotential",
    ),
    f"{META}.Preconditions": ("uid", "resourceVersion"),
    f"{CORE}.ConfigMap": ("immutable",),
    f"{CORE}.Secret": ("immutable",),
    f"{CORE}.ServiceAccount": ("automountServiceAccountToken",),
    "kplane.k8s.coordination.v1.LeaseSpec": (
        "holderIdentity",
        "leaseDurationSeconds",
        "leaseTransitions",
        "strategy",
        "preferredHolder",
    ),
    "kplane.k8s.authentication.v1.TokenRequestSpec": ("expirationSeconds",),
    # Go pointers (controller, blockOwnerDeletion) and values without omitempty (the rest).
    f"{META}.OwnerReference": ("apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"),
    # Go values without omitempty.
    f"{META}.LabelSelectorRequirement": ("key", "operator"),
    f"{META}.FieldSelectorRequirement": ("key", "operator"),
    f"{CORE}.NamespaceCondition": ("type", "status"),
    f"{CORE}.Event": ("reportingComponent", "reportingInstance"),
    "kplane.k8s.events.v1.EventSeries": ("count",),
    "kplane.k8s.rbac.v1.Subject": ("kind", "name"),
    "kplane.k8s.rbac.v1.RoleRef": ("apiGroup", "kind", "name"),
    "kplane.k8s.authorization.v1.SubjectAccessReviewStatus": ("allowed",),
    "kplane.k8s.authorization.v1.SubjectRulesReviewStatus": ("incomplete",),
    "kplane.k8s.authentication.v1.TokenRequestStatus": ("token",),
}

KEEP_ZERO: frozenset[str] = frozenset(
    f"{message}.{name}" for message, names in KEEP_ZERO_BY_MESSAGE.items() for name in names
)


def keeps_zero(field_full_name: str) -> bool:
    """True if a present field (`package.Message.field`) stays in the JSON form when it is zero."""
    return field_full_name in KEEP_ZERO
