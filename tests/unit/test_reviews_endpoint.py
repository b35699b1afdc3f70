"""The review endpoints over HTTP requests built in memory (no sockets), with fake authorize/rules_for
callables: routing (405/404), body decoding (JSON, protobuf, strictness), and the self reviews' answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from apimachinery.serializers.protobuf import MEDIA_TYPE
from shard.auth.authz import Attributes
from tests.unit.reviews_fakes import AUTHN, AUTHZ, JANE, SSAR, Fakes
from tests.unit.reviews_fakes import serve as _serve

FIXTURES = Path(__file__).parent / "fixtures" / "protobuf"


@pytest.mark.parametrize(
    ("group", "resource", "expected"),
    [
        ("authorization.k8s.io", "selfsubjectaccessreviews", True),
        ("authorization.k8s.io", "subjectaccessreviews", True),
        ("authorization.k8s.io", "localsubjectaccessreviews", True),
        ("authorization.k8s.io", "selfsubjectrulesreviews", True),
        ("authentication.k8s.io", "selfsubjectreviews", True),
        ("authentication.k8s.io", "tokenreviews", False),
        ("", "configmaps", False),
        ("rbac.authorization.k8s.io", "selfsubjectaccessreviews", False),
    ],
)
def test_handles(group: str, resource: str, expected: bool) -> None:
    assert Fakes().reviews().handles(group, resource) is expected


@pytest.mark.parametrize(
    ("method", "path", "code"),
    [
        ("GET", f"{AUTHZ}/selfsubjectaccessreviews", 405),
        ("PUT", f"{AUTHZ}/selfsubjectaccessreviews", 405),
        ("DELETE", f"{AUTHZ}/subjectaccessreviews", 405),
        ("GET", f"{AUTHZ}/namespaces/default/localsubjectaccessreviews", 405),
        ("GET", f"{AUTHN}/selfsubjectreviews", 405),
        ("POST", f"{AUTHZ}/selfsubjectaccessreviews/x", 404),
        ("GET", f"{AUTHZ}/selfsubjectaccessreviews/x", 404),
        ("POST", f"{AUTHZ}/selfsubjectaccessreviews/x/status", 404),
        ("POST", "/apis/authorization.k8s.io/v1beta1/selfsubjectaccessreviews", 404),
        ("POST", f"{AUTHZ}/namespaces/default/selfsubjectaccessreviews", 404),
        ("POST", f"{AUTHZ}/localsubjectaccessreviews", 404),
        ("GET", f"{AUTHZ}/watch/selfsubjectaccessreviews", 404),
    ],
)
async def test_only_the_collection_post_exists(method: str, path: str, code: int) -> None:
    status, body, _ = await _serve(Fakes(), path, SSAR, method=method)
    assert status == code
    assert body["reason"] == ("MethodNotAllowed" if code == 405 else "NotFound")


@pytest.mark.parametrize("allow", [True, False])
async def test_self_subject_access_review_asks_for_the_caller(allow: bool) -> None:
    fakes = Fakes(allow)
    status, body, _ = await _serve(fakes, f"{AUTHZ}/selfsubjectaccessreviews", SSAR)
    assert status == 201
    assert fakes.asked == [Attributes(JANE, "create", "c1", resource="configmaps", namespace="default")]
    expected_status = {"allowed": True, "reason": "fake says so"} if allow else {"allowed": False}
    assert body == {
        "kind": "SelfSubjectAccessReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "spec": SSAR["spec"],
        "status": expected_status,
    }


async def test_the_protobuf_body_kubectl_sends() -> None:
    fakes = Fakes(True)
    body = (FIXTURES / "selfsubjectaccessreview.pb").read_bytes()
    path = f"{AUTHZ}/selfsubjectaccessreviews"
    status, answer, _ = await _serve(fakes, path, body, headers={"Content-Type": MEDIA_TYPE})
    assert status == 201
    assert fakes.asked == [Attributes(JANE, "create", "c1", resource="configmaps", namespace="team-a")]
    assert answer["status"] == {"allowed": True, "reason": "fake says so"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"spec": {}},
            '.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: null: exactly one of '
            "nonResourceAttributes or resourceAttributes must be specified",
        ),
        (
            {"metadata": {"name": "x"}, "spec": SSAR["spec"]},
            '.authorization.k8s.io "" is invalid: metadata: Invalid value: {"name":"x","creationTimestamp":null}: '
            "must be empty",
        ),
    ],
)
async def test_invalid_self_subject_access_review(body: dict[str, Any], message: str) -> None:
    fakes = Fakes(True)
    status, answer, _ = await _serve(fakes, f"{AUTHZ}/selfsubjectaccessreviews", body)
    assert (status, answer["reason"], answer["message"]) == (422, "Invalid", message)
    assert fakes.asked == []


async def test_self_subject_rules_review() -> None:
    fakes = Fakes()
    body = {"spec": {"namespace": "team-a"}}
    status, answer, _ = await _serve(fakes, f"{AUTHZ}/selfsubjectrulesreviews", body)
    assert status == 201
    assert fakes.rules_asked == [(JANE, "c1", "team-a")]
    assert answer == {
        "kind": "SelfSubjectRulesReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "spec": {},
        "status": {
            "resourceRules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"]}],
            "nonResourceRules": [],
            "incomplete": False,
        },
    }


async def test_self_subject_review_tells_the_caller_who_they_are() -> None:
    status, answer, _ = await _serve(Fakes(), f"{AUTHN}/selfsubjectreviews", {"metadata": {"name": "ignored"}})
    assert status == 201
    assert answer == {
        "kind": "SelfSubjectReview",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": "2026-01-02T03:04:05Z"},
        "status": {
            "userInfo": {
                "username": "jane",
                "uid": "uid-jane",
                "groups": ["devs", "system:authenticated"],
                "extra": {"scopes": ["a"]},
            }
        },
    }


@pytest.mark.parametrize(
    ("query", "code"),
    [("?dryRun=All", 201), ("?dryRun=Some", 400), ("?fieldValidation=Bogus", 400)],
)
async def test_query_parameters(query: str, code: int) -> None:
    status, _, _ = await _serve(Fakes(True), f"{AUTHZ}/selfsubjectaccessreviews{query}", SSAR)
    assert status == code


async def test_strict_field_validation_rejects_unknown_fields() -> None:
    body = {**SSAR, "spec": {**SSAR["spec"], "bogus": 1}}
    path = f"{AUTHZ}/selfsubjectaccessreviews?fieldValidation=Strict"
    status, answer, _ = await _serve(Fakes(True), path, body)
    assert status == 400
    assert 'unknown field "spec.bogus"' in answer["message"]


async def test_unknown_fields_warn_by_default_and_are_dropped() -> None:
    body = {**SSAR, "spec": {**SSAR["spec"], "bogus": 1}}
    status, answer, response = await _serve(Fakes(True), f"{AUTHZ}/selfsubjectaccessreviews", body)
    assert status == 201 and response is not None
    assert "bogus" not in answer["spec"]
    assert 'unknown field \\"spec.bogus\\"' in response.headers.getall("Warning")[0]


@pytest.mark.parametrize(
    ("path", "body", "headers", "code", "message"),
    [
        ("selfsubjectrulesreviews", {"spec": {}}, {}, 400, "no namespace on request"),
        ("selfsubjectaccessreviews", {**SSAR, "kind": "SubjectAccessReview"}, {}, 400, 'Object kind "Subject'),
        ("selfsubjectaccessreviews", SSAR, {"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"}, 406, "only"),
    ],
)
async def test_rejected_requests(path: str, body: Any, headers: dict[str, str], code: int, message: str) -> None:
    status, answer, _ = await _serve(Fakes(True), f"{AUTHZ}/{path}", body, headers=headers)
    assert status == code
    assert answer["message"].startswith(message)
