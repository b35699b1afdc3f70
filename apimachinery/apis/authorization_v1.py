"""authorization.k8s.io/v1 kinds: the access reviews (SelfSubjectAccessReview, SubjectAccessReview,
LocalSubjectAccessReview, SelfSubjectRulesReview). Create-only and never stored: the server answers each
one from the authorizer (shard/endpoints/reviews.py)."""

from __future__ import annotations

from apimachinery.apis.schema import META, array, boolean, kind_header, meta_schemas, obj, ref, string
from apimachinery.apis.types import ResourceDefinition, Schema

GROUP = "authorization.k8s.io"
API = "io.k8s.api.authorization.v1"
CREATE_ONLY = ("create",)


def _selector_schemas() -> dict[str, Schema]:
    return {
        f"{META}.FieldSelectorRequirement": obj(
            {
                "key": string("The field selector key that the requirement applies to."),
                "operator": string("In, NotIn, Exists or DoesNotExist."),
                "values": array(string(), "The values for In and NotIn."),
            },
            "A selector that contains values, a key, and an operator that relates the key and values.",
            required=["key", "operator"],
        ),
        f"{API}.FieldSelectorAttributes": obj(
            {
                "rawSelector": string("The serialization of a field selector, as in a list query."),
                "requirements": array(ref(f"{META}.FieldSelectorRequirement"), "The parsed requirements."),
            },
            "A field selector limiting the access being checked.",
        ),
        f"{API}.LabelSelectorAttributes": obj(
            {
                "rawSelector": string("The serialization of a label selector, as in a list query."),
                "requirements": array(ref(f"{META}.LabelSelectorRequirement"), "The parsed requirements."),
            },
            "A label selector limiting the access being checked.",
        ),
    }


def _attribute_schemas() -> dict[str, Schema]:
    return {
        f"{API}.ResourceAttributes": obj(
            {
                "fieldSelector": ref(f"{API}.FieldSelectorAttributes", "Limits the access to a field selector."),
                "group": string("The API group of the resource; '*' means all."),
                "labelSelector": ref(f"{API}.LabelSelectorAttributes", "Limits the access to a label selector."),
                "name": string("The name of the resource being requested; empty means all."),
                "namespace": string("The namespace of the action; empty means all namespaces."),
                "resource": string("One of the existing resource types; '*' means all."),
                "subresource": string("One of the existing subresource types; empty means none."),
                "verb": string("A Kubernetes resource API verb such as get, list, watch or create."),
                "version": string("The API version of the resource; '*' means all."),
            },
            "The attributes of a resource request, as the authorizer sees them.",
        ),
        f"{API}.NonResourceAttributes": obj(
            {"path": string("The URL path of the request."), "verb": string("The standard HTTP verb.")},
            "The attributes of a non-resource request, as the authorizer sees them.",
        ),
    }


def _access_schemas() -> dict[str, Schema]:
    attributes = {
        "nonResourceAttributes": ref(f"{API}.NonResourceAttributes", "A non-resource access request."),
        "resourceAttributes": ref(f"{API}.ResourceAttributes", "A resource access request."),
    }
    subject = {
        "extra": {
            "type": "object",
            "description": "The user's extra attributes, as the authenticator found them.",
            "additionalProperties": array(string()),
        },
        "groups": array(string(), "The groups you are testing for."),
        "uid": string("The UID of the user you are testing for."),
        "user": string("The user you are testing for."),
    }
    return {
        **meta_schemas(),
        **_selector_schemas(),
        **_attribute_schemas(),
        f"{API}.SelfSubjectAccessReviewSpec": obj(
            attributes, "The access request; exactly one of its attributes must be set."
        ),
        f"{API}.SubjectAccessReviewSpec": obj(
            {**attributes, **subject}, "The access request of a subject; exactly one of its attributes must be set."
        ),
        f"{API}.SubjectAccessReviewStatus": obj(
            {
                "allowed": boolean("Whether the action would be allowed."),
                "denied": boolean("Whether the action was explicitly denied."),
                "evaluationError": string("An error while checking authorization, if any."),
                "reason": string("Why the request was allowed or denied."),
            },
            "The answer to an access review.",
            required=["allowed"],
        ),
    }


def _review(kind: str, spec: str, description: str) -> dict[str, Schema]:
    return {
        **_access_schemas(),
        f"{API}.{kind}": obj(
            {
                **kind_header(""),
                "spec": ref(f"{API}.{spec}", "The request being evaluated."),
                "status": ref(f"{API}.SubjectAccessReviewStatus", "Filled in by the server."),
            },
            description,
            required=["spec"],
            gvk=(GROUP, "v1", kind),
        ),
    }


def _rules_review_schemas() -> dict[str, Schema]:
    rules = {
        f"{API}.ResourceRule": obj(
            {
                "apiGroups": array(string(), "The API groups of the resources; '*' means all."),
                "resourceNames": array(string(), "An optional allow list of names; '*' means all."),
                "resources": array(string(), "The resources this rule applies to; '*' means all."),
                "verbs": array(string(), "The verbs this rule allows; '*' means all."),
            },
            "What the subject may do on resources; it may be incomplete.",
            required=["verbs"],
        ),
        f"{API}.NonResourceRule": obj(
            {
                "nonResourceURLs": array(string(), "Partial URLs the subject may access; '*' means all."),
                "verbs": array(string(), "The verbs this rule allows; '*' means all."),
            },
            "What the subject may do on non-resource URLs.",
            required=["verbs"],
        ),
        f"{API}.SelfSubjectRulesReviewSpec": obj(
            {"namespace": string("The namespace to evaluate the rules in.")}, "The rules review request."
        ),
        f"{API}.SubjectRulesReviewStatus": obj(
            {
                "evaluationError": string("An error while evaluating the rules, if any."),
                "incomplete": boolean("True when the rules could not all be listed."),
                "nonResourceRules": array(ref(f"{API}.NonResourceRule"), "Rules on non-resource URLs."),
                "resourceRules": array(ref(f"{API}.ResourceRule"), "Rules on resources."),
            },
            "The rules the subject has in the namespace.",
            required=["resourceRules", "nonResourceRules", "incomplete"],
        ),
    }
    review = obj(
        {
            **kind_header(""),
            "spec": ref(f"{API}.SelfSubjectRulesReviewSpec", "The request being evaluated."),
            "status": ref(f"{API}.SubjectRulesReviewStatus", "Filled in by the server."),
        },
        "Lists what the current user may do in a namespace.",
        required=["spec"],
        gvk=(GROUP, "v1", "SelfSubjectRulesReview"),
    )
    return {**meta_schemas(), **rules, f"{API}.SelfSubjectRulesReview": review}


def _definition(kind: str, plural: str, *, namespaced: bool, schemas: dict[str, Schema]) -> ResourceDefinition:
    return ResourceDefinition(
        group=GROUP,
        version="v1",
        kind=kind,
        plural=plural,
        singular=kind.lower(),
        namespaced=namespaced,
        schema_name=f"{API}.{kind}",
        schemas=schemas,
        verbs=CREATE_ONLY,
        persisted=False,
    )


LOCALSUBJECTACCESSREVIEWS = _definition(
    "LocalSubjectAccessReview",
    "localsubjectaccessreviews",
    namespaced=True,
    schemas=_review(
        "LocalSubjectAccessReview",
        "SubjectAccessReviewSpec",
        "Checks whether a user or group may perform an action in one namespace.",
    ),
)
SELFSUBJECTACCESSREVIEWS = _definition(
    "SelfSubjectAccessReview",
    "selfsubjectaccessreviews",
    namespaced=False,
    schemas=_review(
        "SelfSubjectAccessReview",
        "SelfSubjectAccessReviewSpec",
        "Checks whether the current user may perform an action.",
    ),
)
SELFSUBJECTRULESREVIEWS = _definition(
    "SelfSubjectRulesReview", "selfsubjectrulesreviews", namespaced=False, schemas=_rules_review_schemas()
)
SUBJECTACCESSREVIEWS = _definition(
    "SubjectAccessReview",
    "subjectaccessreviews",
    namespaced=False,
    schemas=_review(
        "SubjectAccessReview", "SubjectAccessReviewSpec", "Checks whether a user or group may perform an action."
    ),
)

# discovery lists them sorted by name, as upstream does
RESOURCES = (LOCALSUBJECTACCESSREVIEWS, SELFSUBJECTACCESSREVIEWS, SELFSUBJECTRULESREVIEWS, SUBJECTACCESSREVIEWS)
