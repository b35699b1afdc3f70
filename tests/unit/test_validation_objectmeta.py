"""ObjectMeta validation on create and update: causes, field paths and messages as upstream."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.errors import Cause, StatusError
from apimachinery.validation.names import name_is_dns_label, name_is_dns_subdomain, name_is_path_segment
from apimachinery.validation.objectmeta import (
    check_name_matches_url,
    custom_resource_finalizer_warnings,
    resolve_namespace,
    validate_create,
    validate_update,
)

SUBDOMAIN_HINT = "a lowercase RFC 1123 subdomain must consist of"
LABEL_HINT = "a lowercase RFC 1123 label must consist of"
KEY_HINT = "name part must consist of alphanumeric characters"


def _create(meta: dict[str, Any], *, namespaced: bool = True, **options: Any) -> list[Cause]:
    return validate_create(meta, namespaced=namespaced, name_validator=name_is_dns_subdomain, **options)


def _summary(causes: list[Cause]) -> list[tuple[str, str, str]]:
    return [(c.reason, c.field, c.message) for c in causes]


def test_valid_create_has_no_causes() -> None:
    meta = {
        "name": "cm1",
        "namespace": "default",
        "labels": {"app": "x"},
        "annotations": {"Example.com/Note": "free text"},
        "finalizers": ["example.com/cleanup", "orphan"],
        "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "o", "uid": "u", "controller": True}],
        "managedFields": [{"manager": "kubectl", "operation": "Apply", "fieldsType": "FieldsV1"}],
    }
    assert _create(meta) == []


@pytest.mark.parametrize(
    ("meta", "namespaced", "expected"),
    [
        (
            {"namespace": "d"},
            True,
            [("FieldValueRequired", "metadata.name", "Required value: name or generateName is required")],
        ),
        (
            {"name": "ok"},
            True,
            [("FieldValueRequired", "metadata.namespace", "Required value")],
        ),
        (
            {"name": "ok", "namespace": "d"},
            False,
            [("FieldValueForbidden", "metadata.namespace", "Forbidden: not allowed on this type")],
        ),
        (
            {"name": "ok", "namespace": "a.b"},
            True,
            [("FieldValueInvalid", "metadata.namespace", 'Invalid value: "a.b": must not contain dots')],
        ),
        (
            {"name": "ok", "namespace": "d", "generation": -1},
            True,
            [
                (
                    "FieldValueInvalid",
                    "metadata.generation",
                    "Invalid value: -1: must be greater than or equal to 0",
                )
            ],
        ),
    ],
)
def test_create_causes(meta: dict[str, Any], namespaced: bool, expected: list[tuple[str, str, str]]) -> None:
    assert _summary(_create(meta, namespaced=namespaced)) == expected


def test_invalid_name_and_generate_name() -> None:
    causes = _create({"name": "UPPER", "generateName": "Bad-", "namespace": "d"})
    assert [(c.field, c.message.split(": ")[0:2]) for c in causes] == [
        ("metadata.generateName", ["Invalid value", '"Bad-"']),
        ("metadata.name", ["Invalid value", '"UPPER"']),
    ]
    assert all(SUBDOMAIN_HINT in c.message for c in causes)


def test_generate_name_may_end_with_a_dash() -> None:
    assert _create({"name": "web-abcde", "generateName": "web-", "namespace": "d"}) == []


def test_per_kind_name_rules() -> None:
    namespace = validate_create({"name": "a.b"}, namespaced=False, name_validator=name_is_dns_label)
    assert _summary(namespace) == [
        ("FieldValueInvalid", "metadata.name", 'Invalid value: "a.b": must not contain dots')
    ]
    role = validate_create(
        {"name": "system:Admin", "namespace": "d"}, namespaced=True, name_validator=name_is_path_segment
    )
    assert role == []


def test_labels_annotations_and_finalizers() -> None:
    causes = _create(
        {
            "name": "x",
            "namespace": "d",
            "labels": {"ok": "-bad"},
            "annotations": {"a b": "v"},
            "finalizers": ["x/y/z", "orphan", "foregroundDeletion"],
        }
    )
    fields = [c.field for c in causes]
    assert fields == ["metadata.labels", "metadata.annotations", "metadata.finalizers", "metadata.finalizers"]
    assert causes[2].message.startswith('Invalid value: "x/y/z": a valid label key must consist of')
    assert causes[3].message == (
        'Invalid value: ["x/y/z","orphan","foregroundDeletion"]: '
        "finalizer orphan and foregroundDeletion cannot be both set"
    )


def test_core_kinds_require_qualified_or_standard_finalizers() -> None:
    meta = {"name": "x", "namespace": "d", "finalizers": ["kubernetes", "mine", "example.com/ok"]}
    assert _create(meta) == []
    assert _summary(_create(meta, kube_finalizers=True)) == [
        (
            "FieldValueInvalid",
            "metadata.finalizers[1]",
            'Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified',
        )
    ]


def test_custom_resource_finalizer_warnings() -> None:
    assert custom_resource_finalizer_warnings(["example.com/ok", "orphan", "mine"]) == [
        'metadata.finalizers[2]: "mine": prefer a domain-qualified finalizer name to avoid accidental '
        "conflicts with other finalizer writers"
    ]


@pytest.mark.parametrize(
    ("refs", "expected"),
    [
        (
            [{"kind": "K", "name": "n", "uid": "u"}],
            [
                (
                    "FieldValueRequired",
                    "metadata.ownerReferences[0].apiVersion",
                    "Required value: must not be empty",
                )
            ],
        ),
        (
            [{"apiVersion": "a/b/c", "kind": "K", "name": "n", "uid": "u"}],
            [
                (
                    "FieldValueInvalid",
                    "metadata.ownerReferences[0].apiVersion",
                    'Invalid value: "a/b/c": must be <group>/<version> or <version>',
                )
            ],
        ),
        (
            [{"apiVersion": "v1"}],
            [
                (
                    "FieldValueRequired",
                    "metadata.ownerReferences[0].kind",
                    "Required value: must not be empty",
                ),
                (
                    "FieldValueRequired",
                    "metadata.ownerReferences[0].name",
                    "Required value: must not be empty",
                ),
                (
                    "FieldValueRequired",
                    "metadata.ownerReferences[0].uid",
                    "Required value: must not be empty",
                ),
            ],
        ),
        (
            [{"uid": "u", "name": "e", "kind": "Event", "apiVersion": "v1"}],
            [
                (
                    "FieldValueInvalid",
                    "metadata.ownerReferences[0]",
                    'Invalid value: {"apiVersion":"v1","kind":"Event","name":"e","uid":"u"}: '
                    "/v1, Kind=Event is disallowed from being an owner",
                )
            ],
        ),
        (
            [
                {"apiVersion": "v1", "kind": "A", "name": "a", "uid": "1", "controller": True},
                {"apiVersion": "v1", "kind": "B", "name": "b", "uid": "2", "controller": True},
            ],
            [
                (
                    "FieldValueInvalid",
                    "metadata.ownerReferences",
                    'Invalid value: [{"apiVersion":"v1","kind":"A","name":"a","uid":"1","controller":true},'
                    '{"apiVersion":"v1","kind":"B","name":"b","uid":"2","controller":true}]: '
                    "Only one reference can have Controller set to true. "
                    'Found "true" in references for A/a and B/b',
                )
            ],
        ),
    ],
)
def test_owner_references(refs: list[dict[str, Any]], expected: list[tuple[str, str, str]]) -> None:
    assert _summary(_create({"name": "x", "namespace": "d", "ownerReferences": refs})) == expected


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            {"manager": "m"},
            [
                (
                    "FieldValueRequired",
                    "metadata.managedFields[0].operation",
                    "Required value: must not be empty",
                )
            ],
        ),
        (
            {"manager": "m", "operation": "Patch"},
            [
                (
                    "FieldValueNotSupported",
                    "metadata.managedFields[0].operation",
                    'Unsupported value: "Patch": supported values: "Apply", "Update"',
                )
            ],
        ),
        (
            {"manager": "m", "operation": "Update", "fieldsType": "FieldsV2"},
            [
                (
                    "FieldValueInvalid",
                    "metadata.managedFields[0].fieldsType",
                    'Invalid value: "FieldsV2": must be `FieldsV1`',
                )
            ],
        ),
        (
            {"manager": "m" * 129, "operation": "Update"},
            [
                (
                    "FieldValueTooLong",
                    "metadata.managedFields[0].manager",
                    "Too long: may not be more than 128 bytes",
                )
            ],
        ),
        (
            {"manager": "é\x07", "operation": "Update"},
            [
                (
                    "FieldValueInvalid",
                    "metadata.managedFields[0].manager",
                    'Invalid value: "é\\a": invalid character U+0007 (at position 2)',
                )
            ],
        ),
    ],
)
def test_managed_fields(entry: dict[str, Any], expected: list[tuple[str, str, str]]) -> None:
    assert _summary(_create({"name": "x", "namespace": "d", "managedFields": [entry]})) == expected


OLD = {
    "name": "cm1",
    "namespace": "default",
    "uid": "uid-1",
    "resourceVersion": "5",
    "creationTimestamp": "2024-01-01T00:00:00Z",
    "generation": 3,
}


def test_update_without_changes_is_valid() -> None:
    assert validate_update(dict(OLD), OLD) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"name": "cm2"},
            [("FieldValueInvalid", "metadata.name", 'Invalid value: "cm2": field is immutable')],
        ),
        (
            {"namespace": "x"},
            [("FieldValueInvalid", "metadata.namespace", 'Invalid value: "x": field is immutable')],
        ),
        (
            {"uid": "uid-2"},
            [("FieldValueInvalid", "metadata.uid", 'Invalid value: "uid-2": field is immutable')],
        ),
        ({"uid": None}, [("FieldValueInvalid", "metadata.uid", 'Invalid value: "": field is immutable')]),
        (
            {"creationTimestamp": "2025-01-01T00:00:00Z"},
            [
                (
                    "FieldValueInvalid",
                    "metadata.creationTimestamp",
                    'Invalid value: "2025-01-01T00:00:00Z": field is immutable',
                )
            ],
        ),
        (
            {"creationTimestamp": None},
            [("FieldValueInvalid", "metadata.creationTimestamp", "Invalid value: null: field is immutable")],
        ),
        (
            {"deletionGracePeriodSeconds": 30},
            [
                (
                    "FieldValueInvalid",
                    "metadata.deletionGracePeriodSeconds",
                    "Invalid value: 30: field is immutable",
                )
            ],
        ),
        (
            {"resourceVersion": ""},
            [
                (
                    "FieldValueInvalid",
                    "metadata.resourceVersion",
                    'Invalid value: "": must be specified for an update',
                )
            ],
        ),
        (
            {"generation": 2},
            [("FieldValueInvalid", "metadata.generation", "Invalid value: 2: must not be decremented")],
        ),
    ],
)
def test_update_causes(changes: dict[str, Any], expected: list[tuple[str, str, str]]) -> None:
    assert _summary(validate_update({**OLD, **changes}, OLD)) == expected


def test_update_validates_labels_and_annotations() -> None:
    causes = validate_update({**OLD, "labels": {"k": "-"}, "annotations": {"-": ""}}, OLD)
    assert [c.field for c in causes] == ["metadata.labels", "metadata.annotations"]
    assert causes[0].message.startswith('Invalid value: "-": a valid label must be an empty string')


def test_no_new_finalizers_while_deleting() -> None:
    old = {**OLD, "deletionTimestamp": "2024-02-02T00:00:00Z", "finalizers": ["a/x"]}
    new = {**old, "finalizers": ["a/x", "b/z", "b/y"]}
    assert _summary(validate_update(new, old)) == [
        (
            "FieldValueForbidden",
            "metadata.finalizers",
            "Forbidden: no new finalizers can be added if the object is being deleted, "
            'found new finalizers []string{"b/y", "b/z"}',
        )
    ]
    assert validate_update({**old, "finalizers": []}, old) == []


def test_update_checks_core_finalizer_names_when_asked() -> None:
    new = {**OLD, "finalizers": ["plain"]}
    assert validate_update(new, OLD) == []
    assert [c.field for c in validate_update(new, OLD, kube_finalizers=True)] == ["metadata.finalizers[0]"]


@pytest.mark.parametrize(
    ("request_ns", "object_ns", "expected"),
    [("d", "d", "d"), ("d", "", "d"), ("", "x", ""), ("", "", "")],
)
def test_resolve_namespace(request_ns: str, object_ns: str, expected: str) -> None:
    assert resolve_namespace(request_ns, object_ns) == expected


def test_namespace_mismatch_is_400() -> None:
    with pytest.raises(StatusError) as raised:
        resolve_namespace("d", "other")
    assert (raised.value.code, raised.value.message) == (
        400,
        "the namespace of the provided object does not match the namespace sent on the request",
    )


def test_name_must_match_url() -> None:
    check_name_matches_url("a", "a", "d", "d")
    check_name_matches_url("a", "a", "", "d")
    with pytest.raises(StatusError) as raised:
        check_name_matches_url("b", "a", "d", "d")
    assert raised.value.message == "the name of the object (b) does not match the name on the URL (a)"
    with pytest.raises(StatusError) as raised:
        check_name_matches_url("a", "a", "x", "d")
    assert raised.value.message == "the namespace of the object (x) does not match the namespace on the request (d)"


def test_label_hint_constant_is_used() -> None:
    causes = validate_create({"name": "x", "namespace": "Bad"}, namespaced=True, name_validator=name_is_dns_subdomain)
    assert LABEL_HINT in causes[0].message
    causes = _create({"name": "x", "namespace": "d", "labels": {"-k": "v"}})
    assert KEY_HINT in causes[0].message
