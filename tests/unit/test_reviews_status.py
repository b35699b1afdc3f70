"""What a review asks the authorizer and what the server answers (shard/endpoints/reviewspecs.py)."""

from __future__ import annotations

from typing import Any

import pytest

from shard.auth.authz import Attributes, Decision
from shard.endpoints import reviewspecs
from shard.registry.context import UserInfo

JANE = UserInfo("jane", ("devs", "system:authenticated"))


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            {"resourceAttributes": {"verb": "create", "resource": "configmaps", "namespace": "team-a"}},
            Attributes(JANE, "create", "c1", resource="configmaps", namespace="team-a"),
        ),
        (
            {
                "resourceAttributes": {
                    "verb": "get",
                    "group": "rbac.authorization.k8s.io",
                    "version": "v1",
                    "resource": "roles",
                    "subresource": "status",
                    "namespace": "ns",
                    "name": "reader",
                }
            },
            Attributes(JANE, "get", "c1", "rbac.authorization.k8s.io", "roles", "status", "ns", "reader"),
        ),
        (
            {"nonResourceAttributes": {"path": "/healthz", "verb": "get"}},
            Attributes(JANE, "get", "c1", path="/healthz"),
        ),
        (
            {"resourceAttributes": {"verb": "list", "resource": "pods", "namespace": None}},
            Attributes(JANE, "list", "c1", resource="pods"),
        ),
    ],
)
def test_access_attributes(spec: dict[str, Any], expected: Attributes) -> None:
    assert reviewspecs.access_attributes(spec, JANE, "c1") == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"user": "jane"}, UserInfo("jane", ())),
        # no implied system:authenticated: the subject is exactly what the caller sent
        ({"groups": ["devs"]}, UserInfo("", ("devs",))),
        (
            {"user": "robot", "uid": "u-1", "groups": ["a", "b"], "extra": {"scopes": ["x", "y"]}},
            UserInfo("robot", ("a", "b"), "u-1", {"scopes": ("x", "y")}),
        ),
        ({"user": "jane", "groups": None, "extra": None}, UserInfo("jane", ())),
    ],
)
def test_subject_of(spec: dict[str, Any], expected: UserInfo) -> None:
    assert reviewspecs.subject_of(spec) == expected


@pytest.mark.parametrize(
    ("decision", "spec", "expected"),
    [
        (Decision(True), {}, {"allowed": True}),
        (Decision(False), {}, {"allowed": False}),
        (Decision(True, "bound by rb/x"), {}, {"allowed": True, "reason": "bound by rb/x"}),
        (Decision(False, "nope", denied=True), {}, {"allowed": False, "denied": True, "reason": "nope"}),
        (Decision(True, denied=True), {}, {"allowed": True}),
        (
            Decision(True),
            {"resourceAttributes": {"labelSelector": {"rawSelector": "a in (b"}}},
            {"allowed": True, "evaluationError": "spec.resourceAttributes.labelSelector ignored due to parse error"},
        ),
    ],
)
def test_access_status(decision: Decision, spec: dict[str, Any], expected: dict[str, Any]) -> None:
    assert reviewspecs.access_status(decision, spec) == expected


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        ([], {"resourceRules": [], "nonResourceRules": [], "incomplete": False}),
        (
            [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}, {"verbs": ["*"], "nonResourceURLs": ["*"]}],
            {
                "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
                "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
                "incomplete": False,
            },
        ),
        (
            [{"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["demo"]}],
            {
                "resourceRules": [
                    {"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["demo"]}
                ],
                "nonResourceRules": [],
                "incomplete": False,
            },
        ),
        # a rule naming both lists is both; one naming neither is neither
        (
            [{"verbs": ["get"], "resources": ["a"], "nonResourceURLs": ["/b"]}, {"verbs": ["get"], "apiGroups": ["x"]}],
            {
                "resourceRules": [{"verbs": ["get"], "resources": ["a"]}],
                "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/b"]}],
                "incomplete": False,
            },
        ),
    ],
)
def test_rules_status(rules: list[dict[str, Any]], expected: dict[str, Any]) -> None:
    assert reviewspecs.rules_status(rules) == expected


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        (UserInfo("kplane-admin", ("system:masters",)), {"username": "kplane-admin", "groups": ["system:masters"]}),
        (
            UserInfo("robot", ("a",), "u-1", {"scopes": ("x",)}),
            {"username": "robot", "uid": "u-1", "groups": ["a"], "extra": {"scopes": ["x"]}},
        ),
        (UserInfo("", ()), {}),
    ],
)
def test_user_info(user: UserInfo, expected: dict[str, Any]) -> None:
    assert reviewspecs.user_info(user) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (
            {"resourceAttributes": {"verb": "get", "namespace": "", "name": None}, "user": "", "groups": []},
            {"resourceAttributes": {"verb": "get"}},
        ),
        ({"resourceAttributes": {}}, {"resourceAttributes": {}}),
        (
            {"nonResourceAttributes": {"path": "/", "verb": ""}, "user": "u"},
            {"nonResourceAttributes": {"path": "/"}, "user": "u"},
        ),
    ],
)
def test_compact_spec(spec: dict[str, Any], expected: dict[str, Any]) -> None:
    assert reviewspecs.compact_spec(spec) == expected
