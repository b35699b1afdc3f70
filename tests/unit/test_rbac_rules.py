"""PolicyRule matching against upstream's RuleAllows (verbs, groups, resources, subresources, names, URLs)."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.rbac.rules import path_rule_allows, resource_rule_allows

CM_GET = {"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"]}


def request(
    verb: str = "get", group: str = "", resource: str = "configmaps", sub: str = "", name: str = ""
) -> dict[str, str]:
    return {"verb": verb, "api_group": group, "resource": resource, "subresource": sub, "name": name}


@pytest.mark.parametrize(
    ("rule", "req", "allowed"),
    [
        (CM_GET, request(), True),
        (CM_GET, request(verb="list"), False),
        (CM_GET, request(group="apps"), False),
        (CM_GET, request(resource="secrets"), False),
        ({**CM_GET, "verbs": ["*"]}, request(verb="deletecollection"), True),
        ({**CM_GET, "apiGroups": ["*"]}, request(group="apps"), True),
        ({**CM_GET, "resources": ["*"]}, request(resource="secrets", sub="status"), True),
        ({**CM_GET, "verbs": ["list", "get"]}, request(verb="get"), True),
        # a plain resource never grants its subresources
        (CM_GET, request(sub="status"), False),
        ({**CM_GET, "resources": ["configmaps/status"]}, request(sub="status"), True),
        ({**CM_GET, "resources": ["configmaps/status"]}, request(), False),
        ({**CM_GET, "resources": ["configmaps/status"]}, request(sub="scale"), False),
        # */sub: that subresource of any resource, never a main resource
        ({**CM_GET, "resources": ["*/status"]}, request(resource="secrets", sub="status"), True),
        ({**CM_GET, "resources": ["*/status"]}, request(resource="secrets"), False),
        ({**CM_GET, "resources": ["*/status"]}, request(sub="statusx"), False),
        # r/* is not a wildcard upstream: only the literal subresource "*"
        ({**CM_GET, "resources": ["configmaps/*"]}, request(sub="status"), False),
        ({**CM_GET, "resources": ["configmaps/*"]}, request(sub="*"), True),
        # resourceNames
        ({**CM_GET, "resourceNames": ["a", "b"]}, request(name="b"), True),
        ({**CM_GET, "resourceNames": ["a", "b"]}, request(name="c"), False),
        ({**CM_GET, "resourceNames": ["a"]}, request(name=""), False),
        ({**CM_GET, "resourceNames": []}, request(name=""), True),
        # empty or missing lists match nothing
        ({"verbs": ["get"], "resources": ["configmaps"]}, request(), False),
        ({"apiGroups": [""], "resources": ["configmaps"]}, request(), False),
        ({"verbs": ["get"], "apiGroups": [""], "resources": None}, request(), False),
        # a rule with only nonResourceURLs grants no resource
        ({"verbs": ["*"], "nonResourceURLs": ["*"]}, request(), False),
        # a mixed rule is honoured for its resource part
        ({**CM_GET, "nonResourceURLs": ["/healthz"]}, request(), True),
    ],
)
def test_resource_rule_allows(rule: dict[str, Any], req: dict[str, str], allowed: bool) -> None:
    assert resource_rule_allows(rule, **req) is allowed


@pytest.mark.parametrize(
    ("urls", "verb", "path", "allowed"),
    [
        (["/healthz"], "get", "/healthz", True),
        (["/healthz"], "get", "/healthz/etcd", False),
        (["/healthz"], "post", "/healthz", False),
        (["/healthz/*"], "get", "/healthz/etcd", True),
        (["/healthz/*"], "get", "/healthz/", True),
        (["/healthz/*"], "get", "/healthz", False),
        (["/apis*"], "get", "/apisx", True),
        (["/api", "/api/*"], "get", "/api", True),
        (["/api", "/api/*"], "get", "/api/v1", True),
        (["/api", "/api/*"], "get", "/apis", False),
        (["*"], "get", "/anything/at/all", True),
        (["/"], "access", "/", True),
        (["/"], "access", "/api", False),
        ([], "get", "/healthz", False),
    ],
)
def test_path_rule_allows(urls: list[str], verb: str, path: str, allowed: bool) -> None:
    rule = {"verbs": ["get", "access"], "nonResourceURLs": urls}
    assert path_rule_allows(rule, verb=verb, path=path) is allowed


@pytest.mark.parametrize(
    ("rule", "verb", "path", "allowed"),
    [
        ({"verbs": ["*"], "nonResourceURLs": ["/metrics"]}, "get", "/metrics", True),
        ({"verbs": ["get"], "nonResourceURLs": ["/metrics"]}, "access", "/metrics", False),
        # a resource rule grants no path, whatever its wildcards
        ({"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}, "get", "/healthz", False),
        # a mixed rule is honoured for its URL part
        ({**CM_GET, "nonResourceURLs": ["/healthz"]}, "get", "/healthz", True),
    ],
)
def test_path_rule_verbs_and_kinds(rule: dict[str, Any], verb: str, path: str, allowed: bool) -> None:
    assert path_rule_allows(rule, verb=verb, path=path) is allowed
