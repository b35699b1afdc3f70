"""authentication.k8s.io/v1 SelfSubjectReview (`kubectl auth whoami`): create-only and never stored; the
server answers it with the requesting user's attributes (shard/endpoints/reviews.py)."""

from __future__ import annotations

from apimachinery.apis.schema import array, kind_header, meta_schemas, obj, ref, string
from apimachinery.apis.types import ResourceDefinition

GROUP = "authentication.k8s.io"
API = "io.k8s.api.authentication.v1"

SELFSUBJECTREVIEWS = ResourceDefinition(
    group=GROUP,
    version="v1",
    kind="SelfSubjectReview",
    plural="selfsubjectreviews",
    singular="selfsubjectreview",
    namespaced=False,
    schema_name=f"{API}.SelfSubjectReview",
    schemas={
        **meta_schemas(),
        f"{API}.UserInfo": obj(
            {
                "extra": {
                    "type": "object",
                    "description": "Any additional information the authenticator provided.",
                    "additionalProperties": array(string()),
                },
                "groups": array(string(), "The names of the groups this user is a part of."),
                "uid": string("A unique value that identifies this user across time."),
                "username": string("The name that uniquely identifies this user among all active users."),
            },
            "The information about the user an authenticator found.",
        ),
        f"{API}.SelfSubjectReviewStatus": obj(
            {"userInfo": ref(f"{API}.UserInfo", "The attributes of the user making this request.")},
            "Filled in by the server with the user attributes.",
        ),
        f"{API}.SelfSubjectReview": obj(
            {**kind_header(""), "status": ref(f"{API}.SelfSubjectReviewStatus", "Filled in by the server.")},
            "Returns the user attributes the server has for the current user.",
            gvk=(GROUP, "v1", "SelfSubjectReview"),
        ),
    },
    verbs=("create",),
    persisted=False,
)

RESOURCES = (SELFSUBJECTREVIEWS,)
