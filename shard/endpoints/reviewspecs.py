"""What the review kinds ask and answer, without HTTP: the metadata handling and validation upstream applies
to a review body (its field errors and texts, 422 Invalid), the authorizer Attributes an access review
asks about, and the status the server fills in for each kind.

Upstream validates the internal form of a review, whose TypeMeta is empty: its Invalid errors read
`.authorization.k8s.io "" is invalid: ...` (no kind), and structs of the internal types (which carry no JSON
tags) show their Go field names in `Invalid value: {"Path":"/x","Verb":"get"}`.
"""

from __future__ import annotations

from typing import Any

from apimachinery import errors
from apimachinery.errors import Cause
from apimachinery.validation import field
from apimachinery.validation.field import GoStruct
from shard.auth.authz import Attributes, Decision
from shard.endpoints.reviewselectors import evaluation_errors, selector_causes
from shard.registry.context import UserInfo
from shard.registry.owners import user_info_json

Object = dict[str, Any]

AUTHORIZATION = "authorization.k8s.io"
EXACTLY_ONE = "exactly one of nonResourceAttributes or resourceAttributes must be specified"
IN_COMBINATION = "cannot be specified in combination with resourceAttributes"
NO_SUBJECT = "at least one of user or group must be specified"
NAMESPACE_MISMATCH = "the namespace of the provided object does not match the namespace sent on the request"
# ObjectMeta in Go declaration order; the server wipes the system fields of a created object's metadata
META_ORDER = (
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
)
SYSTEM_FIELDS = ("creationTimestamp", "uid", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink")
OWNER_ORDER = ("apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion")
MANAGED_ORDER = ("manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1", "subresource")


def _dict(value: Any) -> Object | None:
    return value if isinstance(value, dict) else None


def _spec(review: Object) -> Object:
    return _dict(review.get("spec")) or {}


def settle_metadata(review: Object, namespace: str) -> Object:
    """The metadata as upstream's create handler leaves it: system fields wiped, the namespace taken from
    the request (400 if the body names another one), cleared for cluster-scoped kinds."""
    meta = {k: v for k, v in (_dict(review.get("metadata")) or {}).items() if k not in SYSTEM_FIELDS}
    given = str(meta.get("namespace") or "")
    if namespace and given and given != namespace:
        raise errors.bad_request(NAMESPACE_MISMATCH)
    meta.pop("namespace", None)
    if namespace:
        meta["namespace"] = namespace
    return meta


def validate_self_access(review: Object) -> list[Cause]:
    spec = _spec(review)
    return [*_attribute_causes(spec), *_selector_causes(spec), *_metadata_causes(review, "must be empty")]


def validate_subject_access(review: Object) -> list[Cause]:
    spec = _spec(review)
    causes = [*_attribute_causes(spec), *_subject_causes(spec), *_selector_causes(spec)]
    return causes + _metadata_causes(review, "must be empty")


def validate_local_access(review: Object) -> list[Cause]:
    spec = _spec(review)
    causes = [*_attribute_causes(spec), *_subject_causes(spec), *_selector_causes(spec)]
    causes += _metadata_causes(review, "must be empty except for namespace", except_namespace=True)
    return causes + _local_causes(review, spec)


def _attribute_causes(spec: Object) -> list[Cause]:
    resource, non_resource = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if resource is not None and non_resource is not None:
        return [field.invalid("spec.nonResourceAttributes", _non_resource_struct(non_resource), IN_COMBINATION)]
    if resource is None and non_resource is None:
        return [field.invalid("spec.resourceAttributes", None, EXACTLY_ONE)]
    return []


def _subject_causes(spec: Object) -> list[Cause]:
    if spec.get("user") or spec.get("groups"):
        return []
    return [field.invalid("spec.user", str(spec.get("user") or ""), NO_SUBJECT)]


def _selector_causes(spec: Object) -> list[Cause]:
    resource = _dict(spec.get("resourceAttributes"))
    return selector_causes(resource, "spec.resourceAttributes") if resource is not None else []


def _local_causes(review: Object, spec: Object) -> list[Cause]:
    causes = []
    namespace = str((_dict(review.get("metadata")) or {}).get("namespace") or "")
    resource = spec.get("resourceAttributes")
    if resource is not None:
        given = str((_dict(resource) or {}).get("namespace") or "")
        if given != namespace:
            causes.append(field.invalid("spec.resourceAttributes.namespace", given, "must match metadata.namespace"))
    non_resource = spec.get("nonResourceAttributes")
    if non_resource is not None:
        struct = _non_resource_struct(non_resource)
        causes.append(field.invalid("spec.nonResourceAttributes", struct, "disallowed on this kind of request"))
    return causes


def _non_resource_struct(value: Any) -> GoStruct:
    attributes = _dict(value) or {}
    return GoStruct(Path=str(attributes.get("path") or ""), Verb=str(attributes.get("verb") or ""))


def _metadata_causes(review: Object, detail: str, *, except_namespace: bool = False) -> list[Cause]:
    """Metadata must be empty (apart from managedFields, and the namespace of a local review); an empty
    list or map counts as empty, as upstream's semantic equality has it."""
    meta = _dict(review.get("metadata")) or {}
    ignored = {"managedFields", "namespace"} if except_namespace else {"managedFields"}
    if not any(value not in (None, "", 0, [], {}) for key, value in meta.items() if key not in ignored):
        return []
    return [field.invalid("metadata", go_object_meta(meta), detail)]


def go_object_meta(meta: Object) -> GoStruct:
    """ObjectMeta as Go's json.Marshal writes it: declaration order, empty fields left out except
    creationTimestamp (a struct, written as null when unset), maps with sorted keys."""
    out = GoStruct()
    for key in META_ORDER:
        value = meta.get(key)
        if key == "creationTimestamp":
            out[key] = value or None
        elif value not in (None, "", 0, [], {}):
            out[key] = _go_meta_value(key, value)
    return out


def _go_meta_value(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        return dict(sorted(value.items()))
    if key in ("ownerReferences", "managedFields") and isinstance(value, list):
        order = OWNER_ORDER if key == "ownerReferences" else MANAGED_ORDER
        return [_ordered(item, order) if isinstance(item, dict) else item for item in value]
    return value


def _ordered(item: Object, order: tuple[str, ...]) -> GoStruct:
    return GoStruct((key, item[key]) for key in order if item.get(key) not in (None, ""))


def invalid(causes: list[Cause]) -> errors.StatusError:
    """422 as upstream words it for a review: no kind (see the module docstring), no name."""
    return errors.invalid("", "", causes, group=AUTHORIZATION)


def access_attributes(spec: Object, user: UserInfo, cluster: str) -> Attributes:
    """What an access review asks the authorizer; the version of a resource is not part of the question
    (upstream matches every version when it is empty, and RBAC never looks at it)."""
    resource = _dict(spec.get("resourceAttributes"))
    if resource is None:
        non_resource = _dict(spec.get("nonResourceAttributes")) or {}
        return Attributes(user, _text(non_resource, "verb"), cluster, path=_text(non_resource, "path"))
    return Attributes(
        user,
        _text(resource, "verb"),
        cluster,
        api_group=_text(resource, "group"),
        resource=_text(resource, "resource"),
        subresource=_text(resource, "subresource"),
        namespace=_text(resource, "namespace"),
        name=_text(resource, "name"),
    )


def _text(obj: Object, key: str) -> str:
    return str(obj.get(key) or "")


def subject_of(spec: Object) -> UserInfo:
    """The user a SubjectAccessReview asks about, exactly as given (no implied system:authenticated)."""
    groups = spec.get("groups") if isinstance(spec.get("groups"), list) else []
    extra = _dict(spec.get("extra")) or {}
    return UserInfo(
        _text(spec, "user"),
        tuple(str(g) for g in groups or ()),
        _text(spec, "uid"),
        {str(k): tuple(str(v) for v in (vs if isinstance(vs, list) else [])) for k, vs in extra.items()},
    )


def access_status(decision: Decision, spec: Object) -> Object:
    """allowed/denied/reason from the decision; evaluationError for selectors that had to be dropped."""
    status: Object = {"allowed": decision.allowed}
    if decision.denied and not decision.allowed:
        status["denied"] = True
    if decision.reason:
        status["reason"] = decision.reason
    notes = evaluation_errors(_dict(spec.get("resourceAttributes")) or {})
    if notes:
        status["evaluationError"] = "; ".join(notes)
    return status


def rules_status(rules: list[Object]) -> Object:
    """SelfSubjectRulesReview status from PolicyRules, as upstream's RBAC lists them: a rule with resources
    is a resource rule, one with nonResourceURLs a non-resource rule (a rule with both is both)."""
    resource_rules = [_resource_rule(rule) for rule in rules if rule.get("resources")]
    non_resource_rules = [_non_resource_rule(rule) for rule in rules if rule.get("nonResourceURLs")]
    return {"resourceRules": resource_rules, "nonResourceRules": non_resource_rules, "incomplete": False}


def _resource_rule(rule: Object) -> Object:
    out: Object = {"verbs": list(rule.get("verbs") or [])}
    for key in ("apiGroups", "resources", "resourceNames"):
        if rule.get(key):
            out[key] = list(rule[key])
    return out


def _non_resource_rule(rule: Object) -> Object:
    return {"verbs": list(rule.get("verbs") or []), "nonResourceURLs": list(rule["nonResourceURLs"])}


def user_info(user: UserInfo) -> Object:
    """authentication.k8s.io/v1 UserInfo: every field left out when empty."""
    return user_info_json(user) if user.name else {}


def compact_spec(spec: Object) -> Object:
    """The spec as upstream writes it back: empty fields (all `omitempty`) left out, at the top and in the
    attributes."""
    out: Object = {}
    for key, value in spec.items():
        if key in ("resourceAttributes", "nonResourceAttributes") and isinstance(value, dict):
            value = {k: v for k, v in value.items() if v not in (None, "", [], {})}
        elif value in (None, "", [], {}):
            continue
        out[key] = value
    return out
