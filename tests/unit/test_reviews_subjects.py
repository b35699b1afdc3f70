"""SubjectAccessReview and LocalSubjectAccessReview over in-memory requests: whom they ask about, and the
namespace rules of the local review."""

from __future__ import annotations

from typing import Any

import pytest

from shard.auth.authz import Attributes
from shard.registry.context import UserInfo
from tests.unit.reviews_fakes import AUTHZ, SSAR, Fakes
from tests.unit.reviews_fakes import serve as _serve


async def test_subject_access_review_asks_for_the_subject_as_given() -> None:
    fakes = Fakes()
    spec = {"nonResourceAttributes": {"path": "/healthz", "verb": "get"}, "user": "bob", "groups": ["g"]}
    status, answer, _ = await _serve(fakes, f"{AUTHZ}/subjectaccessreviews", {"spec": spec})
    assert status == 201
    assert fakes.asked == [Attributes(UserInfo("bob", ("g",)), "get", "c1", path="/healthz")]
    assert (answer["kind"], answer["spec"], answer["status"]) == ("SubjectAccessReview", spec, {"allowed": False})


async def test_a_subject_of_another_cluster_is_asked_about_as_it_appears_here() -> None:
    fakes = Fakes()
    extra = {"authentication.kcp.io/cluster-name": ["other"]}
    spec = {
        "resourceAttributes": SSAR["spec"]["resourceAttributes"],
        "user": "system:serviceaccount:d:r",
        "extra": extra,
    }
    await _serve(fakes, f"{AUTHZ}/subjectaccessreviews", {"spec": spec})
    assert [a.user for a in fakes.asked] == [
        UserInfo("system:anonymous", ("system:authenticated", "system:cluster:other"))
    ]


async def test_subject_access_review_needs_a_subject() -> None:
    status, answer, _ = await _serve(Fakes(), f"{AUTHZ}/subjectaccessreviews", {"spec": SSAR["spec"]})
    assert status == 422
    assert answer["message"].endswith('spec.user: Invalid value: "": at least one of user or group must be specified')


LSAR_PATH = f"{AUTHZ}/namespaces/default/localsubjectaccessreviews"


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        (
            {"spec": {"resourceAttributes": {"verb": "get", "resource": "secrets", "namespace": "other"}, "user": "j"}},
            422,
            '.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "other": must '
            "match metadata.namespace",
        ),
        (
            {
                "metadata": {"namespace": "other"},
                "spec": {"resourceAttributes": {"verb": "get", "namespace": "other"}, "user": "j"},
            },
            400,
            "the namespace of the provided object does not match the namespace sent on the request",
        ),
    ],
)
async def test_local_subject_access_review_stays_in_its_namespace(
    body: dict[str, Any], code: int, message: str
) -> None:
    fakes = Fakes(True)
    status, answer, _ = await _serve(fakes, LSAR_PATH, body)
    assert (status, answer["message"]) == (code, message)
    assert fakes.asked == []


async def test_local_subject_access_review() -> None:
    fakes = Fakes()
    spec = {"resourceAttributes": {"verb": "get", "resource": "secrets", "namespace": "default"}, "user": "j"}
    status, answer, _ = await _serve(fakes, LSAR_PATH, {"spec": spec})
    assert status == 201
    assert answer["metadata"] == {"namespace": "default", "creationTimestamp": None}
    assert fakes.asked == [Attributes(UserInfo("j", ()), "get", "c1", resource="secrets", namespace="default")]
