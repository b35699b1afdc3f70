"""Which protobuf message holds which Kubernetes kind: the table of kinds we decode and encode.

The key is the envelope's (apiVersion, kind). DeleteOptions is special: client-go sends it in the group
version of the resource being deleted (`v1`, `rbac.authorization.k8s.io/v1`, ...) or as `meta.k8s.io/v1`,
so it is accepted with any apiVersion whose version is `v1`.
"""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf.message import Message

from apimachinery._generated.k8s import (
    authentication_v1_pb2,
    authorization_v1_pb2,
    coordination_v1_pb2,
    core_v1_pb2,
    events_v1_pb2,
    meta_v1_pb2,
    rbac_v1_pb2,
)
from apimachinery.serializers.protobuf.errors import UnsupportedProtobufKind

RBAC = "rbac.authorization.k8s.io/v1"
AUTHORIZATION = "authorization.k8s.io/v1"
AUTHENTICATION = "authentication.k8s.io/v1"

KINDS: Mapping[tuple[str, str], type[Message]] = {
    ("v1", "Namespace"): core_v1_pb2.Namespace,
    ("v1", "ConfigMap"): core_v1_pb2.ConfigMap,
    ("v1", "Secret"): core_v1_pb2.Secret,
    ("v1", "ServiceAccount"): core_v1_pb2.ServiceAccount,
    ("v1", "Event"): core_v1_pb2.Event,
    ("events.k8s.io/v1", "Event"): events_v1_pb2.Event,
    ("coordination.k8s.io/v1", "Lease"): coordination_v1_pb2.Lease,
    (RBAC, "Role"): rbac_v1_pb2.Role,
    (RBAC, "ClusterRole"): rbac_v1_pb2.ClusterRole,
    (RBAC, "RoleBinding"): rbac_v1_pb2.RoleBinding,
    (RBAC, "ClusterRoleBinding"): rbac_v1_pb2.ClusterRoleBinding,
    (AUTHORIZATION, "SelfSubjectAccessReview"): authorization_v1_pb2.SelfSubjectAccessReview,
    (AUTHORIZATION, "SubjectAccessReview"): authorization_v1_pb2.SubjectAccessReview,
    (AUTHORIZATION, "LocalSubjectAccessReview"): authorization_v1_pb2.LocalSubjectAccessReview,
    (AUTHORIZATION, "SelfSubjectRulesReview"): authorization_v1_pb2.SelfSubjectRulesReview,
    (AUTHENTICATION, "SelfSubjectReview"): authentication_v1_pb2.SelfSubjectReview,
    (AUTHENTICATION, "TokenRequest"): authentication_v1_pb2.TokenRequest,
}

ANY_GROUP_V1_KINDS: Mapping[str, type[Message]] = {
    "DeleteOptions": meta_v1_pb2.DeleteOptions,
}


def message_class(api_version: str, kind: str) -> type[Message]:
    """The generated message class for `kind` in `api_version`; `UnsupportedProtobufKind` if none."""
    found = KINDS.get((api_version, kind))
    if found is not None:
        return found
    if kind in ANY_GROUP_V1_KINDS and api_version.rpartition("/")[2] == "v1":
        return ANY_GROUP_V1_KINDS[kind]
    raise UnsupportedProtobufKind(api_version, kind)
