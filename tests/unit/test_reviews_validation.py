"""Review bodies as upstream checks them: metadata settling, the 422 causes of each access review kind, the
selector rules and the evaluationError notes (shard/endpoints/reviewspecs.py, reviewselectors.py)."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery import errors
from apimachinery.validation.field import error_text
from shard.endpoints import reviewspecs
from shard.endpoints.reviewselectors import evaluation_errors, selector_causes

RESOURCE = {"verb": "get", "resource": "configmaps", "namespace": "default"}
NON_RESOURCE = {"path": "/healthz", "verb": "get"}
EXACTLY_ONE = (
    "spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes "
    "must be specified"
)
IN_COMBINATION = (
    'spec.nonResourceAttributes: Invalid value: {"Path":"/healthz","Verb":"get"}: cannot be specified in '
    "combination with resourceAttributes"
)
NO_SUBJECT = 'spec.user: Invalid value: "": at least one of user or group must be specified'


def _texts(causes: list[errors.Cause]) -> list[str]:
    return [error_text(cause) for cause in causes]


@pytest.mark.parametrize(
    ("spec", "metadata", "expected"),
    [
        ({"resourceAttributes": RESOURCE}, {}, []),
        ({"nonResourceAttributes": NON_RESOURCE}, {}, []),
        ({"resourceAttributes": {}}, {}, []),
        ({}, {}, [EXACTLY_ONE]),
        ({"resourceAttributes": None}, {}, [EXACTLY_ONE]),
        ({"resourceAttributes": RESOURCE, "nonResourceAttributes": NON_RESOURCE}, {}, [IN_COMBINATION]),
        (
            {"resourceAttributes": RESOURCE},
            {"name": "x", "labels": {"b": "1", "a": "2"}},
            [
                'metadata: Invalid value: {"name":"x","creationTimestamp":null,"labels":{"a":"2","b":"1"}}: '
                "must be empty"
            ],
        ),
        # an empty map or list is empty, and managedFields do not count
        ({"resourceAttributes": RESOURCE}, {"labels": {}, "finalizers": [], "managedFields": [{"manager": "m"}]}, []),
    ],
)
def test_self_subject_access_review(spec: dict[str, Any], metadata: dict[str, Any], expected: list[str]) -> None:
    assert _texts(reviewspecs.validate_self_access({"spec": spec, "metadata": metadata})) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"resourceAttributes": RESOURCE, "user": "jane"}, []),
        ({"resourceAttributes": RESOURCE, "groups": ["devs"]}, []),
        ({"resourceAttributes": RESOURCE}, [NO_SUBJECT]),
        ({"resourceAttributes": RESOURCE, "user": "", "groups": []}, [NO_SUBJECT]),
        ({}, [EXACTLY_ONE, NO_SUBJECT]),
        ({"nonResourceAttributes": NON_RESOURCE, "user": "jane"}, []),
    ],
)
def test_subject_access_review(spec: dict[str, Any], expected: list[str]) -> None:
    assert _texts(reviewspecs.validate_subject_access({"spec": spec, "metadata": {}})) == expected


@pytest.mark.parametrize(
    ("spec", "metadata", "expected"),
    [
        ({"resourceAttributes": RESOURCE, "user": "jane"}, {"namespace": "default"}, []),
        (
            {"resourceAttributes": {**RESOURCE, "namespace": "other"}, "user": "jane"},
            {"namespace": "default"},
            ['spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace'],
        ),
        (
            {"resourceAttributes": {"verb": "get"}, "user": "jane"},
            {"namespace": "default"},
            ['spec.resourceAttributes.namespace: Invalid value: "": must match metadata.namespace'],
        ),
        (
            {"nonResourceAttributes": NON_RESOURCE, "user": "jane"},
            {"namespace": "default"},
            [
                'spec.nonResourceAttributes: Invalid value: {"Path":"/healthz","Verb":"get"}: disallowed on this '
                "kind of request"
            ],
        ),
        (
            {"resourceAttributes": RESOURCE, "user": "jane"},
            {"namespace": "default", "name": "n"},
            [
                'metadata: Invalid value: {"name":"n","namespace":"default","creationTimestamp":null}: must be '
                "empty except for namespace"
            ],
        ),
        ({"resourceAttributes": RESOURCE}, {"namespace": "default"}, [NO_SUBJECT]),
    ],
)
def test_local_subject_access_review(spec: dict[str, Any], metadata: dict[str, Any], expected: list[str]) -> None:
    assert _texts(reviewspecs.validate_local_access({"spec": spec, "metadata": metadata})) == expected


def test_invalid_names_no_kind_as_upstream_does() -> None:
    error = reviewspecs.invalid(reviewspecs.validate_self_access({"spec": {}}))
    assert (error.code, error.reason) == (422, "Invalid")
    assert error.message == f'.authorization.k8s.io "" is invalid: {EXACTLY_ONE}'
    status = error.to_status()
    assert status["details"]["group"] == "authorization.k8s.io"
    assert status["details"]["causes"][0]["field"] == "spec.resourceAttributes"


def test_several_causes_are_listed_in_brackets() -> None:
    error = reviewspecs.invalid(reviewspecs.validate_subject_access({"spec": {}}))
    assert error.message == f'.authorization.k8s.io "" is invalid: [{EXACTLY_ONE}, {NO_SUBJECT}]'


@pytest.mark.parametrize(
    ("metadata", "namespace", "expected"),
    [
        ({}, "", {}),
        ({"namespace": "x", "uid": "u", "creationTimestamp": "2024-01-01T00:00:00Z"}, "", {}),
        ({"selfLink": "/x", "deletionTimestamp": "t", "deletionGracePeriodSeconds": 3}, "", {}),
        ({"name": "keep"}, "", {"name": "keep"}),
        ({}, "default", {"namespace": "default"}),
        ({"namespace": "default"}, "default", {"namespace": "default"}),
    ],
)
def test_settle_metadata(metadata: dict[str, Any], namespace: str, expected: dict[str, Any]) -> None:
    assert reviewspecs.settle_metadata({"metadata": metadata}, namespace) == expected


def test_settle_metadata_rejects_another_namespace() -> None:
    with pytest.raises(errors.StatusError) as caught:
        reviewspecs.settle_metadata({"metadata": {"namespace": "other"}}, "default")
    assert (caught.value.code, caught.value.reason) == (400, "BadRequest")
    assert caught.value.message == (
        "the namespace of the provided object does not match the namespace sent on the request"
    )


def test_object_meta_renders_in_go_order() -> None:
    meta = {
        "ownerReferences": [{"uid": "1", "name": "o", "kind": "K", "apiVersion": "v1"}],
        "generation": 2,
        "name": "n",
        "annotations": {"z": "1", "a": "2"},
    }
    rendered = reviewspecs.go_object_meta(meta)
    assert list(rendered) == ["name", "generation", "creationTimestamp", "annotations", "ownerReferences"]
    assert list(rendered["ownerReferences"][0]) == ["apiVersion", "kind", "name", "uid"]
    assert list(rendered["annotations"]) == ["a", "z"]


FIELD = "spec.resourceAttributes.fieldSelector"
LABEL = "spec.resourceAttributes.labelSelector"


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"fieldSelector": {"rawSelector": "a=b"}}, []),
        ({"labelSelector": {"requirements": [{"key": "a", "operator": "Exists"}]}}, []),
        (
            {"fieldSelector": {}},
            [
                f"{FIELD}.requirements: Required value: when {FIELD} is specified, requirements or rawSelector "
                "is required"
            ],
        ),
        (
            {"labelSelector": {"rawSelector": "a", "requirements": [{"key": "a", "operator": "Exists"}]}},
            [f'{LABEL}.rawSelector: Invalid value: "a": may not specified at the same time as requirements'],
        ),
        (
            {"fieldSelector": {"requirements": [{"operator": "In", "values": []}]}},
            [
                f"{FIELD}.requirements[0].key: Required value: must be specified",
                f"{FIELD}.requirements[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
            ],
        ),
        (
            {"labelSelector": {"requirements": [{"key": "a", "operator": "Exists", "values": ["x"]}]}},
            [
                f"{LABEL}.requirements[0].values: Forbidden: may not be specified when `operator` is 'Exists' or "
                "'DoesNotExist'"
            ],
        ),
        # an operator this server does not know is allowed: a newer client may send one
        ({"fieldSelector": {"requirements": [{"key": "a", "operator": "Matches", "values": ["x"]}]}}, []),
    ],
)
def test_selector_validation(attributes: dict[str, Any], expected: list[str]) -> None:
    assert _texts(selector_causes(attributes, "spec.resourceAttributes")) == expected


def test_label_requirement_keys_and_values_are_checked() -> None:
    attributes = {"labelSelector": {"requirements": [{"key": "-bad", "operator": "In", "values": ["-also"]}]}}
    texts = _texts(selector_causes(attributes, "spec.resourceAttributes"))
    assert [text.split(":")[0] for text in texts] == [
        f"{LABEL}.requirements[0].key",
        f"{LABEL}.requirements[0].values[0]",
    ]
    assert all("Invalid value" in text for text in texts)


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({}, []),
        ({"fieldSelector": {"rawSelector": "metadata.name=x"}}, []),
        ({"fieldSelector": {"rawSelector": "nonsense"}}, [f"{FIELD} ignored due to parse error"]),
        ({"labelSelector": {"rawSelector": "a in (b"}}, [f"{LABEL} ignored due to parse error"]),
        (
            {"fieldSelector": {"requirements": [{"key": "a", "operator": "Exists"}]}},
            [f"{FIELD} ignored due to parse error"],
        ),
        (
            {
                "fieldSelector": {
                    "requirements": [
                        {"key": "a", "operator": "In", "values": ["x"]},
                        {"key": "b", "operator": "In", "values": ["x", "y"]},
                    ]
                }
            },
            [f"{FIELD} partially ignored due to parse error"],
        ),
        (
            {"labelSelector": {"requirements": [{"key": "a", "operator": "Gt", "values": ["1"]}]}},
            [f"{LABEL} ignored due to parse error"],
        ),
        ({"labelSelector": {"requirements": [{"key": "a", "operator": "NotIn", "values": ["b"]}]}}, []),
    ],
)
def test_evaluation_errors(attributes: dict[str, Any], expected: list[str]) -> None:
    assert evaluation_errors(attributes) == expected
