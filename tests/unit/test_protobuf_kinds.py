"""Every kind we decode, from wire bytes written by hand with the upstream field numbers.

The bytes are built here with a few lines of wire-format code, independently of our .proto files, so a
wrong field number in `proto/k8s/` fails these tests. Each case is also encoded back with
`encode_object` and decoded again (round trip).
"""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.serializers.protobuf import decode_object, encode_object
from apimachinery.serializers.protobuf.kinds import ANY_GROUP_V1_KINDS, KINDS

T1 = 1704164645  # 2024-01-02T03:04:05Z
T2 = 1749283750  # 2025-06-07T08:09:10Z


def varint(number: int) -> bytes:
    number &= (1 << 64) - 1
    out = bytearray()
    while True:
        low, number = number & 0x7F, number >> 7
        out.append(low | (0x80 if number else 0))
        if not number:
            return bytes(out)


def num(field: int, value: int) -> bytes:
    """A varint field (int32, int64, bool)."""
    return varint(field << 3) + varint(value)


def msg(field: int, *parts: bytes) -> bytes:
    """A length-delimited field holding the concatenation of `parts` (a message, string or bytes)."""
    payload = b"".join(parts)
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def txt(field: int, value: str) -> bytes:
    return msg(field, value.encode())


def entry(field: int, key: str, value: bytes) -> bytes:
    """One entry of a map field: {1: key, 2: value}; `value` is the raw payload of field 2."""
    return msg(field, txt(1, key), msg(2, value))


def envelope(api_version: str, kind: str, *raw: bytes) -> bytes:
    return b"k8s\x00" + msg(1, txt(1, api_version), txt(2, kind)) + msg(2, *raw)


def meta(*parts: bytes) -> bytes:
    """Field 1 of every object: its ObjectMeta."""
    return msg(1, *parts)


def time(field: int, seconds: int, nanos: int = 0) -> bytes:
    return msg(field, num(1, seconds), num(2, nanos) if nanos else b"")


NAMESPACE = (
    envelope(
        "v1",
        "Namespace",
        meta(txt(1, "team-a"), msg(11, txt(1, "env"), txt(2, "prod"))),
        msg(2, txt(1, "kubernetes")),
        msg(
            3,
            txt(1, "Terminating"),
            msg(
                2,
                txt(1, "NamespaceDeletionContentFailure"),
                txt(2, "False"),
                time(4, T1),
                txt(5, "R"),
                txt(6, "M"),
            ),
        ),
    ),
    {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "team-a", "labels": {"env": "prod"}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {
            "phase": "Terminating",
            "conditions": [
                {
                    "type": "NamespaceDeletionContentFailure",
                    "status": "False",
                    "lastTransitionTime": "2024-01-02T03:04:05Z",
                    "reason": "R",
                    "message": "M",
                }
            ],
        },
    },
)

FIELDS_JSON = b'{"f:data":{"f:a":{}}}'
CONFIGMAP = (
    envelope(
        "v1",
        "ConfigMap",
        meta(
            txt(1, "demo"),
            txt(2, "demo-"),
            txt(3, "default"),
            txt(4, "/api/v1/namespaces/default/configmaps/demo"),
            txt(5, "0b6c6f2e-uid"),
            txt(6, "42"),
            num(7, 3),
            time(8, T1),
            time(9, T2),
            num(10, 30),
            msg(11, txt(1, "app"), txt(2, "web")),
            msg(12, txt(1, "note"), txt(2, "hi")),
            msg(
                13,
                txt(1, "Deployment"),
                txt(3, "web"),
                txt(4, "owner-uid"),
                txt(5, "apps/v1"),
                num(6, 1),
                num(7, 0),
            ),
            txt(14, "example.com/finalizer"),
            msg(
                17,
                txt(1, "kubectl"),
                txt(2, "Apply"),
                txt(3, "v1"),
                time(4, T1),
                txt(6, "FieldsV1"),
                msg(7, msg(1, FIELDS_JSON)),
                txt(8, ""),
            ),
        ),
        num(4, 1),
        entry(2, "a", b"b"),
        entry(3, "blob", b"\x00\xff\x10"),
    ),
    {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "demo",
            "generateName": "demo-",
            "namespace": "default",
            "selfLink": "/api/v1/namespaces/default/configmaps/demo",
            "uid": "0b6c6f2e-uid",
            "resourceVersion": "42",
            "generation": 3,
            "creationTimestamp": "2024-01-02T03:04:05Z",
            "deletionTimestamp": "2025-06-07T08:09:10Z",
            "deletionGracePeriodSeconds": 30,
            "labels": {"app": "web"},
            "annotations": {"note": "hi"},
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": "web",
                    "uid": "owner-uid",
                    "controller": True,
                    "blockOwnerDeletion": False,
                }
            ],
            "finalizers": ["example.com/finalizer"],
            "managedFields": [
                {
                    "manager": "kubectl",
                    "operation": "Apply",
                    "apiVersion": "v1",
                    "time": "2024-01-02T03:04:05Z",
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:data": {"f:a": {}}},
                }
            ],
        },
        "immutable": True,
        "data": {"a": "b"},
        "binaryData": {"blob": "AP8Q"},
    },
)

SECRET = (
    envelope(
        "v1",
        "Secret",
        meta(txt(1, "creds")),
        num(5, 0),
        entry(2, "password", b"s3cr=t"),
        entry(4, "user", b"admin"),
        txt(3, "kubernetes.io/basic-auth"),
    ),
    {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds"},
        "immutable": False,
        "data": {"password": "czNjcj10"},
        "stringData": {"user": "admin"},
        "type": "kubernetes.io/basic-auth",
    },
)

SERVICEACCOUNT = (
    envelope(
        "v1",
        "ServiceAccount",
        meta(txt(1, "robot"), txt(3, "default")),
        msg(
            2,
            txt(1, "Secret"),
            txt(2, "default"),
            txt(3, "robot-token"),
            txt(4, "u"),
            txt(5, "v1"),
            txt(6, "7"),
            txt(7, ""),
        ),
        msg(3, txt(1, "registry")),
        num(4, 0),
    ),
    {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "robot", "namespace": "default"},
        "secrets": [
            {
                "kind": "Secret",
                "namespace": "default",
                "name": "robot-token",
                "uid": "u",
                "apiVersion": "v1",
                "resourceVersion": "7",
            }
        ],
        "imagePullSecrets": [{"name": "registry"}],
        "automountServiceAccountToken": False,
    },
)

OBJECT_REFERENCE = (txt(1, "ConfigMap"), txt(2, "default"), txt(3, "demo"), txt(4, "cm-uid"), txt(5, "v1"))
OBJECT_REFERENCE_JSON = {
    "kind": "ConfigMap",
    "namespace": "default",
    "name": "demo",
    "uid": "cm-uid",
    "apiVersion": "v1",
}

CORE_EVENT = (
    envelope(
        "v1",
        "Event",
        meta(txt(1, "demo.1"), txt(3, "default")),
        msg(2, *OBJECT_REFERENCE, txt(7, "data.a")),
        txt(3, "Updated"),
        txt(4, "configmap updated"),
        msg(5, txt(1, "kubelet"), txt(2, "node-1")),
        time(6, T1),
        time(7, T2),
        num(8, 2),
        txt(9, "Normal"),
        time(10, T1, 123456789),
        msg(11, num(1, 5), time(2, T2, 1000)),
        txt(12, "Update"),
        msg(13, txt(1, "Secret"), txt(3, "creds")),
        txt(14, "controller"),
        txt(15, ""),
    ),
    {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "demo.1", "namespace": "default"},
        "involvedObject": {**OBJECT_REFERENCE_JSON, "fieldPath": "data.a"},
        "reason": "Updated",
        "message": "configmap updated",
        "source": {"component": "kubelet", "host": "node-1"},
        "firstTimestamp": "2024-01-02T03:04:05Z",
        "lastTimestamp": "2025-06-07T08:09:10Z",
        "count": 2,
        "type": "Normal",
        "eventTime": "2024-01-02T03:04:05.123456Z",
        "series": {"count": 5, "lastObservedTime": "2025-06-07T08:09:10.000001Z"},
        "action": "Update",
        "related": {"kind": "Secret", "name": "creds"},
        "reportingComponent": "controller",
        "reportingInstance": "",
    },
)

EVENTS_EVENT = (
    envelope(
        "events.k8s.io/v1",
        "Event",
        meta(txt(1, "demo.2"), txt(3, "default")),
        time(2, T1, 5000),
        msg(3, num(1, 0), time(2, T2)),
        txt(4, "example.com/ctrl"),
        txt(5, "ctrl-1"),
        txt(6, "Sync"),
        txt(7, "Synced"),
        msg(8, *OBJECT_REFERENCE),
        msg(9, txt(1, "Secret"), txt(3, "creds")),
        txt(10, "all good"),
        txt(11, "Normal"),
        msg(12, txt(1, "legacy")),
        time(13, T1),
        time(14, T2),
        num(15, 4),
    ),
    {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "demo.2", "namespace": "default"},
        "eventTime": "2024-01-02T03:04:05.000005Z",
        "series": {"count": 0, "lastObservedTime": "2025-06-07T08:09:10.000000Z"},
        "reportingController": "example.com/ctrl",
        "reportingInstance": "ctrl-1",
        "action": "Sync",
        "reason": "Synced",
        "regarding": OBJECT_REFERENCE_JSON,
        "related": {"kind": "Secret", "name": "creds"},
        "note": "all good",
        "type": "Normal",
        "deprecatedSource": {"component": "legacy"},
        "deprecatedFirstTimestamp": "2024-01-02T03:04:05Z",
        "deprecatedLastTimestamp": "2025-06-07T08:09:10Z",
        "deprecatedCount": 4,
    },
)

LEASE = (
    envelope(
        "coordination.k8s.io/v1",
        "Lease",
        meta(txt(1, "leader"), txt(3, "kube-system")),
        msg(
            2,
            txt(1, "holder-1"),
            num(2, 15),
            time(3, T1, 999999999),
            time(4, T2, 250000000),
            num(5, 0),
            txt(6, "OldestEmulationVersion"),
            txt(7, ""),
        ),
    ),
    {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "leader", "namespace": "kube-system"},
        "spec": {
            "holderIdentity": "holder-1",
            "leaseDurationSeconds": 15,
            "acquireTime": "2024-01-02T03:04:05.999999Z",
            "renewTime": "2025-06-07T08:09:10.250000Z",
            "leaseTransitions": 0,
            "strategy": "OldestEmulationVersion",
            "preferredHolder": "",
        },
    },
)

RBAC = "rbac.authorization.k8s.io/v1"
POLICY_RULE = (txt(1, "get"), txt(1, "list"), txt(2, ""), txt(3, "configmaps"), txt(4, "demo"))
POLICY_RULE_JSON = {
    "verbs": ["get", "list"],
    "apiGroups": [""],
    "resources": ["configmaps"],
    "resourceNames": ["demo"],
}

ROLE = (
    envelope(RBAC, "Role", meta(txt(1, "reader"), txt(3, "default")), msg(2, *POLICY_RULE)),
    {
        "apiVersion": RBAC,
        "kind": "Role",
        "metadata": {"name": "reader", "namespace": "default"},
        "rules": [POLICY_RULE_JSON],
    },
)

CLUSTERROLE = (
    envelope(
        RBAC,
        "ClusterRole",
        meta(txt(1, "aggregate")),
        msg(2, txt(1, "get"), txt(5, "/healthz")),
        msg(
            3,
            msg(
                1,
                msg(1, txt(1, "rbac.example.com/aggregate"), txt(2, "true")),
                msg(2, txt(1, "tier"), txt(2, "In"), txt(3, "a"), txt(3, "b")),
            ),
        ),
    ),
    {
        "apiVersion": RBAC,
        "kind": "ClusterRole",
        "metadata": {"name": "aggregate"},
        "rules": [{"verbs": ["get"], "nonResourceURLs": ["/healthz"]}],
        "aggregationRule": {
            "clusterRoleSelectors": [
                {
                    "matchLabels": {"rbac.example.com/aggregate": "true"},
                    "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}],
                }
            ]
        },
    },
)

SUBJECTS = (
    msg(2, txt(1, "User"), txt(2, "rbac.authorization.k8s.io"), txt(3, "jane"), txt(4, "")),
    msg(2, txt(1, "ServiceAccount"), txt(2, ""), txt(3, "robot"), txt(4, "default")),
)
SUBJECTS_JSON = [
    {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "jane"},
    {"kind": "ServiceAccount", "name": "robot", "namespace": "default"},
]

ROLEBINDING = (
    envelope(
        RBAC,
        "RoleBinding",
        meta(txt(1, "rb"), txt(3, "default")),
        *SUBJECTS,
        msg(3, txt(1, RBAC.split("/")[0]), txt(2, "Role"), txt(3, "reader")),
    ),
    {
        "apiVersion": RBAC,
        "kind": "RoleBinding",
        "metadata": {"name": "rb", "namespace": "default"},
        "subjects": SUBJECTS_JSON,
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"},
    },
)

CLUSTERROLEBINDING = (
    envelope(
        RBAC,
        "ClusterRoleBinding",
        meta(txt(1, "crb")),
        msg(3, txt(1, ""), txt(2, "ClusterRole"), txt(3, "view")),
    ),
    {
        "apiVersion": RBAC,
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "crb"},
        "roleRef": {"apiGroup": "", "kind": "ClusterRole", "name": "view"},
    },
)

AUTHZ = "authorization.k8s.io/v1"
RESOURCE_ATTRIBUTES = msg(
    1,
    txt(1, "default"),
    txt(2, "list"),
    txt(3, ""),
    txt(4, "v1"),
    txt(5, "configmaps"),
    txt(6, ""),
    txt(7, ""),
    msg(8, txt(1, "metadata.name=demo"), msg(2, txt(1, "metadata.name"), txt(2, "In"), txt(3, "demo"))),
    msg(9, txt(1, "app=web"), msg(2, txt(1, "app"), txt(2, "Exists"))),
)
RESOURCE_ATTRIBUTES_JSON = {
    "namespace": "default",
    "verb": "list",
    "version": "v1",
    "resource": "configmaps",
    "fieldSelector": {
        "rawSelector": "metadata.name=demo",
        "requirements": [{"key": "metadata.name", "operator": "In", "values": ["demo"]}],
    },
    "labelSelector": {"rawSelector": "app=web", "requirements": [{"key": "app", "operator": "Exists"}]},
}
SAR_SPEC = msg(
    2,
    RESOURCE_ATTRIBUTES,
    txt(3, "jane"),
    txt(4, "devs"),
    entry(5, "scopes", txt(1, "a") + txt(1, "b")),
    txt(6, "jane-uid"),
)
SAR_SPEC_JSON = {
    "resourceAttributes": RESOURCE_ATTRIBUTES_JSON,
    "user": "jane",
    "groups": ["devs"],
    "extra": {"scopes": ["a", "b"]},
    "uid": "jane-uid",
}
SAR_STATUS = msg(3, num(1, 0), num(4, 1), txt(2, "no rule"), txt(3, ""))
SAR_STATUS_JSON = {"allowed": False, "denied": True, "reason": "no rule"}

SUBJECTACCESSREVIEW = (
    envelope(AUTHZ, "SubjectAccessReview", meta(), SAR_SPEC, SAR_STATUS),
    {
        "apiVersion": AUTHZ,
        "kind": "SubjectAccessReview",
        "metadata": {},
        "spec": SAR_SPEC_JSON,
        "status": SAR_STATUS_JSON,
    },
)

LOCALSUBJECTACCESSREVIEW = (
    envelope(AUTHZ, "LocalSubjectAccessReview", meta(txt(3, "default")), SAR_SPEC),
    {
        "apiVersion": AUTHZ,
        "kind": "LocalSubjectAccessReview",
        "metadata": {"namespace": "default"},
        "spec": SAR_SPEC_JSON,
    },
)

SELFSUBJECTACCESSREVIEW = (
    envelope(AUTHZ, "SelfSubjectAccessReview", meta(), msg(2, msg(2, txt(1, "/healthz"), txt(2, "get")))),
    {
        "apiVersion": AUTHZ,
        "kind": "SelfSubjectAccessReview",
        "metadata": {},
        "spec": {"nonResourceAttributes": {"path": "/healthz", "verb": "get"}},
    },
)

SELFSUBJECTRULESREVIEW = (
    envelope(
        AUTHZ,
        "SelfSubjectRulesReview",
        meta(),
        msg(2, txt(1, "team-a")),
        msg(
            3,
            msg(1, txt(1, "get"), txt(2, ""), txt(3, "configmaps"), txt(4, "demo")),
            msg(2, txt(1, "get"), txt(2, "/api")),
            num(3, 1),
            txt(4, "partial"),
        ),
    ),
    {
        "apiVersion": AUTHZ,
        "kind": "SelfSubjectRulesReview",
        "metadata": {},
        "spec": {"namespace": "team-a"},
        "status": {
            "resourceRules": [
                {"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["demo"]}
            ],
            "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/api"]}],
            "incomplete": True,
            "evaluationError": "partial",
        },
    },
)

AUTHN = "authentication.k8s.io/v1"
SELFSUBJECTREVIEW = (
    envelope(
        AUTHN,
        "SelfSubjectReview",
        meta(),
        msg(2, msg(1, txt(1, "jane"), txt(2, "jane-uid"), txt(3, "devs"), entry(4, "scopes", txt(1, "x")))),
    ),
    {
        "apiVersion": AUTHN,
        "kind": "SelfSubjectReview",
        "metadata": {},
        "status": {
            "userInfo": {
                "username": "jane",
                "uid": "jane-uid",
                "groups": ["devs"],
                "extra": {"scopes": ["x"]},
            }
        },
    },
)

TOKENREQUEST = (
    envelope(
        AUTHN,
        "TokenRequest",
        meta(txt(1, "robot"), txt(3, "default")),
        msg(
            2,
            txt(1, "https://example.com"),
            txt(1, "api"),
            num(4, 0),
            msg(3, txt(1, "Secret"), txt(2, "v1"), txt(3, "creds"), txt(4, "secret-uid")),
            entry(5, "node", txt(1, "n1")),
        ),
        msg(3, txt(1, "t0ken"), time(2, T2)),
    ),
    {
        "apiVersion": AUTHN,
        "kind": "TokenRequest",
        "metadata": {"name": "robot", "namespace": "default"},
        "spec": {
            "audiences": ["https://example.com", "api"],
            "expirationSeconds": 0,
            "boundObjectRef": {"kind": "Secret", "apiVersion": "v1", "name": "creds", "uid": "secret-uid"},
            "attestations": {"node": ["n1"]},
        },
        "status": {"token": "t0ken", "expirationTimestamp": "2025-06-07T08:09:10Z"},
    },
)

DELETEOPTIONS = (
    envelope(
        "meta.k8s.io/v1",
        "DeleteOptions",
        num(1, 0),
        msg(2, txt(1, "cm-uid"), txt(2, "")),
        num(3, 0),
        txt(4, "Foreground"),
        txt(5, "All"),
        num(6, 1),
    ),
    {
        "apiVersion": "meta.k8s.io/v1",
        "kind": "DeleteOptions",
        "gracePeriodSeconds": 0,
        "preconditions": {"uid": "cm-uid", "resourceVersion": ""},
        "orphanDependents": False,
        "propagationPolicy": "Foreground",
        "dryRun": ["All"],
        "ignoreStoreReadErrorWithClusterBreakingPotential": True,
    },
)

CASES: dict[str, tuple[bytes, dict[str, Any]]] = {
    "Namespace": NAMESPACE,
    "ConfigMap": CONFIGMAP,
    "Secret": SECRET,
    "ServiceAccount": SERVICEACCOUNT,
    "Event": CORE_EVENT,
    "events.k8s.io/Event": EVENTS_EVENT,
    "Lease": LEASE,
    "Role": ROLE,
    "ClusterRole": CLUSTERROLE,
    "RoleBinding": ROLEBINDING,
    "ClusterRoleBinding": CLUSTERROLEBINDING,
    "SubjectAccessReview": SUBJECTACCESSREVIEW,
    "LocalSubjectAccessReview": LOCALSUBJECTACCESSREVIEW,
    "SelfSubjectAccessReview": SELFSUBJECTACCESSREVIEW,
    "SelfSubjectRulesReview": SELFSUBJECTRULESREVIEW,
    "SelfSubjectReview": SELFSUBJECTREVIEW,
    "TokenRequest": TOKENREQUEST,
    "DeleteOptions": DELETEOPTIONS,
}


@pytest.mark.parametrize("name", CASES)
def test_decodes_upstream_field_numbers(name: str) -> None:
    body, expected = CASES[name]
    assert decode_object(body) == expected


@pytest.mark.parametrize("name", CASES)
def test_round_trips_through_encode(name: str) -> None:
    _, expected = CASES[name]
    assert decode_object(encode_object(expected)) == expected


def test_every_served_kind_has_a_case() -> None:
    covered = {(obj["apiVersion"], obj["kind"]) for _, obj in CASES.values()}
    assert set(KINDS) <= covered
    assert {kind for _, kind in covered} >= set(ANY_GROUP_V1_KINDS)


@pytest.mark.parametrize("api_version", ["v1", "meta.k8s.io/v1", "rbac.authorization.k8s.io/v1"])
def test_delete_options_in_any_v1_group_version(api_version: str) -> None:
    body = envelope(api_version, "DeleteOptions", num(1, 5), txt(4, "Background"))
    expected = {
        "apiVersion": api_version,
        "kind": "DeleteOptions",
        "gracePeriodSeconds": 5,
        "propagationPolicy": "Background",
    }
    assert decode_object(body) == expected


def test_field_order_follows_the_go_struct_not_the_field_numbers() -> None:
    decoded = decode_object(CONFIGMAP[0])
    assert list(decoded) == ["apiVersion", "kind", "metadata", "immutable", "data", "binaryData"]
    assert list(decoded["metadata"]["ownerReferences"][0])[:4] == ["apiVersion", "kind", "name", "uid"]
