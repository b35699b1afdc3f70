"""Upstream's escalation arithmetic: BreakdownRule, ruleCovers/Covers, CompactRules and CompactString."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.rbac.covers import (
    breakdown,
    compact,
    compact_string,
    describe_missing,
    go_string_list,
    rule_covers,
    uncovered,
)

Rule = dict[str, Any]


def res(verbs: list[str], groups: list[str], resources: list[str], names: list[str] | None = None) -> Rule:
    rule: Rule = {"verbs": verbs, "apiGroups": groups, "resources": resources}
    if names:
        rule["resourceNames"] = names
    return rule


def urls(verbs: list[str], paths: list[str]) -> Rule:
    return {"verbs": verbs, "nonResourceURLs": paths}


ALL_RESOURCES = res(["*"], ["*"], ["*"])
ALL_URLS = urls(["*"], ["*"])


@pytest.mark.parametrize(
    ("rule", "pieces"),
    [
        (res(["get"], [""], ["pods"]), [res(["get"], [""], ["pods"])]),
        (
            res(["get", "list"], ["", "apps"], ["pods"]),
            [
                res(["get"], [""], ["pods"]),
                res(["list"], [""], ["pods"]),
                res(["get"], ["apps"], ["pods"]),
                res(["list"], ["apps"], ["pods"]),
            ],
        ),
        (
            res(["get"], [""], ["pods", "secrets"], ["a", "b"]),
            [
                res(["get"], [""], ["pods"], ["a"]),
                res(["get"], [""], ["pods"], ["b"]),
                res(["get"], [""], ["secrets"], ["a"]),
                res(["get"], [""], ["secrets"], ["b"]),
            ],
        ),
        (urls(["get", "post"], ["/a"]), [urls(["get"], ["/a"]), urls(["post"], ["/a"])]),
        # both kinds in one rule: resource pieces first, then URL pieces
        (
            {**res(["get"], [""], ["pods"]), "nonResourceURLs": ["/a"]},
            [res(["get"], [""], ["pods"]), urls(["get"], ["/a"])],
        ),
        ({"verbs": ["get"], "resources": ["pods"]}, []),  # no group: nothing granted, nothing to cover
        ({"verbs": [], "apiGroups": [""], "resources": ["pods"]}, []),
    ],
)
def test_breakdown(rule: Rule, pieces: list[Rule]) -> None:
    assert breakdown(rule) == pieces


@pytest.mark.parametrize(
    ("owner", "piece", "covered"),
    [
        (res(["get", "list"], [""], ["pods"]), res(["get"], [""], ["pods"]), True),
        (res(["list"], [""], ["pods"]), res(["get"], [""], ["pods"]), False),
        (res(["*"], [""], ["pods"]), res(["escalate"], [""], ["pods"]), True),
        (res(["get"], ["*"], ["pods"]), res(["get"], ["apps"], ["pods"]), True),
        (res(["get"], ["apps"], ["pods"]), res(["get"], [""], ["pods"]), False),
        (res(["get"], [""], ["*"]), res(["get"], [""], ["pods/log"]), True),
        (res(["get"], [""], ["pods"]), res(["get"], [""], ["pods/log"]), False),
        (res(["get"], [""], ["*/log"]), res(["get"], [""], ["pods/log"]), True),
        (res(["get"], [""], ["*/log"]), res(["get"], [""], ["pods"]), False),
        (res(["get"], [""], ["*/log"]), res(["get"], [""], ["pods/exec"]), False),
        # resourceNames: an unlimited owner covers any name; a limited owner never covers an unnamed piece
        (res(["get"], [""], ["pods"]), res(["get"], [""], ["pods"], ["a"]), True),
        (res(["get"], [""], ["pods"], ["a", "b"]), res(["get"], [""], ["pods"], ["b"]), True),
        (res(["get"], [""], ["pods"], ["a"]), res(["get"], [""], ["pods"], ["b"]), False),
        (res(["get"], [""], ["pods"], ["a"]), res(["get"], [""], ["pods"]), False),
        # URLs: exact or trailing-* prefix
        (urls(["get"], ["/healthz"]), urls(["get"], ["/healthz"]), True),
        (urls(["get"], ["/healthz/*"]), urls(["get"], ["/healthz/etcd"]), True),
        (urls(["get"], ["/healthz"]), urls(["get"], ["/healthz/etcd"]), False),
        (urls(["get"], ["*"]), urls(["get"], ["/x"]), True),
        (urls(["get"], ["/x"]), urls(["post"], ["/x"]), False),
        # an owner URL rule covers no resource piece and an owner resource rule no URL piece
        (ALL_URLS, res(["get"], [""], ["pods"]), False),
        (ALL_RESOURCES, urls(["get"], ["/x"]), False),
    ],
)
def test_rule_covers(owner: Rule, piece: Rule, covered: bool) -> None:
    assert rule_covers(owner, piece) is covered


@pytest.mark.parametrize(
    ("owners", "requested", "missing"),
    [
        ([ALL_RESOURCES, ALL_URLS], [res(["*"], ["*"], ["*"]), urls(["*"], ["*"])], []),
        ([], [], []),
        ([res(["get"], [""], ["pods"])], [res(["get", "list"], [""], ["pods"])], [res(["list"], [""], ["pods"])]),
        # pieces covered by different owner rules add up
        (
            [res(["get"], [""], ["pods"]), res(["list"], [""], ["pods"])],
            [res(["get", "list"], [""], ["pods"])],
            [],
        ),
        # a wildcard requested is only covered by a wildcard held
        ([res(["get", "list", "watch"], [""], ["pods"])], [res(["*"], [""], ["pods"])], [res(["*"], [""], ["pods"])]),
        ([ALL_RESOURCES], [urls(["get"], ["/healthz"])], [urls(["get"], ["/healthz"])]),
    ],
)
def test_uncovered(owners: list[Rule], requested: list[Rule], missing: list[Rule]) -> None:
    assert uncovered(owners, requested) == missing


def test_compact_merges_simple_rules_differing_only_by_verb() -> None:
    pieces = breakdown(res(["get", "list"], [""], ["pods", "secrets"])) + [urls(["get"], ["/x"])]
    assert compact(pieces) == [
        urls(["get"], ["/x"]),
        res(["get", "list"], [""], ["pods"]),
        res(["get", "list"], [""], ["secrets"]),
    ]


def test_compact_keeps_names_apart() -> None:
    pieces = breakdown(res(["get", "update"], [""], ["pods"], ["a", "b"]))
    assert compact(pieces) == [
        res(["get", "update"], [""], ["pods"], ["a"]),
        res(["get", "update"], [""], ["pods"], ["b"]),
    ]


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        (res(["get"], [""], ["secrets"]), '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}'),
        (
            res(["get", "list"], ["apps"], ["deployments"]),
            '{APIGroups:["apps"], Resources:["deployments"], Verbs:["get" "list"]}',
        ),
        (
            res(["get"], [""], ["pods"], ["web"]),
            '{APIGroups:[""], Resources:["pods"], ResourceNames:["web"], Verbs:["get"]}',
        ),
        (urls(["get"], ["/healthz"]), '{NonResourceURLs:["/healthz"], Verbs:["get"]}'),
        ({"verbs": ["get"]}, '{Verbs:["get"]}'),
        ({}, "{}"),
        (res(["get"], [""], ['we"ird']), '{APIGroups:[""], Resources:["we\\"ird"], Verbs:["get"]}'),
    ],
)
def test_compact_string(rule: Rule, text: str) -> None:
    assert compact_string(rule) == text


def test_describe_missing_is_compacted_sorted_and_unique() -> None:
    missing = uncovered([], [res(["list", "get"], [""], ["secrets", "configmaps"]), urls(["get"], ["/b", "/a"])])
    missing += uncovered([], [res(["get"], [""], ["secrets"])])
    assert describe_missing(missing).split("\n") == [
        '{APIGroups:[""], Resources:["configmaps"], Verbs:["list" "get"]}',
        '{APIGroups:[""], Resources:["secrets"], Verbs:["list" "get" "get"]}',
        '{NonResourceURLs:["/a"], Verbs:["get"]}',
        '{NonResourceURLs:["/b"], Verbs:["get"]}',
    ]


@pytest.mark.parametrize(
    ("values", "text"),
    [([], "[]"), (["system:authenticated"], '["system:authenticated"]'), (["a", "b"], '["a" "b"]')],
)
def test_go_string_list(values: list[str], text: str) -> None:
    assert go_string_list(values) == text
