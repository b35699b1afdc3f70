"""Bodies written by a real kubectl decode to the JSON kubectl would have sent.

The fixtures in `fixtures/protobuf/` were captured from kubectl (version in `index.json`) by
`fixtures/protobuf/capture_kubectl.py`, which serves discovery on loopback and records each write.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apimachinery.serializers.protobuf import MEDIA_TYPE, decode_object, encode_object

FIXTURES = Path(__file__).parent / "fixtures" / "protobuf"
INDEX = json.loads((FIXTURES / "index.json").read_text())
RBAC = "rbac.authorization.k8s.io/v1"
RBAC_GROUP = "rbac.authorization.k8s.io"

EXPECTED: dict[str, dict[str, Any]] = {
    "namespace": {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "team-a"},
        "spec": {},
        "status": {},
    },
    "configmap": {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "demo"},
        "data": {"a": "b", "greeting": "hello world"},
    },
    "secret": {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds"},
        "data": {"password": "czNjcj10", "user": "YWRtaW4="},
    },
    "serviceaccount": {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot"}},
    "role": {
        "apiVersion": RBAC,
        "kind": "Role",
        "metadata": {"name": "reader"},
        "rules": [
            {
                "verbs": ["get", "list"],
                "apiGroups": [""],
                "resources": ["configmaps", "secrets"],
                "resourceNames": ["demo"],
            }
        ],
    },
    "rolebinding": {
        "apiVersion": RBAC,
        "kind": "RoleBinding",
        "metadata": {"name": "reader-jane"},
        "subjects": [
            {"kind": "User", "apiGroup": RBAC_GROUP, "name": "jane"},
            {"kind": "Group", "apiGroup": RBAC_GROUP, "name": "devs"},
            {"kind": "ServiceAccount", "name": "robot", "namespace": "default"},
        ],
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "Role", "name": "reader"},
    },
    "clusterrole": {
        "apiVersion": RBAC,
        "kind": "ClusterRole",
        "metadata": {"name": "viewer"},
        "rules": [{"verbs": ["get"], "nonResourceURLs": ["/healthz", "/version"]}],
    },
    "clusterrolebinding": {
        "apiVersion": RBAC,
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "viewer-jane"},
        "subjects": [{"kind": "User", "apiGroup": RBAC_GROUP, "name": "jane"}],
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "viewer"},
    },
    "selfsubjectaccessreview": {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "metadata": {},
        "spec": {"resourceAttributes": {"namespace": "team-a", "verb": "create", "resource": "configmaps"}},
        "status": {"allowed": False},
    },
    "selfsubjectrulesreview": {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectRulesReview",
        "metadata": {},
        "spec": {"namespace": "default"},
        "status": {"incomplete": False},
    },
    "selfsubjectreview": {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "SelfSubjectReview",
        "metadata": {},
        "status": {"userInfo": {}},
    },
    "tokenrequest": {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "metadata": {},
        "spec": {
            "audiences": ["https://example.com"],
            "expirationSeconds": 3600,
            "boundObjectRef": {
                "kind": "Secret",
                "apiVersion": "v1",
                "name": "creds",
                "uid": "0d4691ed-0000-4935-a832-355f77ee47cc",
            },
        },
        "status": {"token": ""},
    },
}


def body(name: str) -> bytes:
    return (FIXTURES / f"{name}.pb").read_bytes()


def test_every_capture_has_an_expectation() -> None:
    assert set(INDEX["captures"]) == set(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_kubectl_sent_protobuf(name: str) -> None:
    assert INDEX["captures"][name]["contentType"] == MEDIA_TYPE
    assert body(name).startswith(b"k8s\x00")


@pytest.mark.parametrize("name", EXPECTED)
def test_decodes_the_body_kubectl_sent(name: str) -> None:
    assert decode_object(body(name)) == EXPECTED[name]


@pytest.mark.parametrize("name", EXPECTED)
def test_re_encoding_gives_the_same_object(name: str) -> None:
    assert decode_object(encode_object(EXPECTED[name])) == EXPECTED[name]
