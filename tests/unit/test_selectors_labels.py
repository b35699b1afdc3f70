"""Label selector parsing, validation messages and matching, against upstream's behaviour."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.errors import StatusError
from apimachinery.selectors.labels import (
    LabelSelector,
    Operator,
    Requirement,
    new_requirement,
    parse_label_selector,
    selector_from_object,
    selector_from_set,
)
from apimachinery.selectors.lexer import Token, scan

KEY_REGEX_HINT = (
    "(e.g. 'MyName',  or 'my.name',  or '123-abc', "
    "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
VALUE_MESSAGE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
    "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("", ""),
        ("tier=web", "tier=web"),
        ("tier==web", "tier==web"),
        ("tier!=web", "tier!=web"),
        ("tier", "tier"),
        ("!tier", "!tier"),
        ("  tier  =  web ", "tier=web"),
        ("tier in (b,a)", "tier in (a,b)"),
        ("tier notin (x)", "tier notin (x)"),
        ("env in (a,b),!legacy", "env in (a,b),!legacy"),
        ("z=1,a=2", "a=2,z=1"),
        ("x in (p,,q),y,z notin ()", "x in (,p,q),y,z notin ()"),
        ("tier=", "tier="),
        ("count>3,count<9", "count>3,count<9"),
        ("in in (in,notin)", "in in (in,notin)"),
        ("example.com/app=db", "example.com/app=db"),
        ("tier in (a,a)", "tier in (a)"),
    ],
)
def test_parse_gives_upstream_canonical_string(text: str, canonical: str) -> None:
    assert str(parse_label_selector(text)) == canonical


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a in", "unable to parse requirement: found '' expected: '('"),
        ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
        ("a,", "found '', expected: identifier after ','"),
        (",a", "found ',', expected: !, identifier, or 'end of string'"),
        ("a=b c", "found 'c', expected: ',' or 'end of string'"),
        ("!a=b", "found '=', expected: ',' or 'end of string'"),
        ("a=(", "unable to parse requirement: found '(', expected: identifier"),
        ("a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"),
        ("a in b", "unable to parse requirement: found 'b' expected: '('"),
        ("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
        ("a in (b,=)", "unable to parse requirement: found '=', expected: ',', or identifier"),
        ("a in (b", "unable to parse requirement: found '', expected: ',' or ')'"),
        ("!", "unable to parse requirement: found '', expected: identifier"),
        (
            "a>x",
            'unable to parse requirement: values[0]: Invalid value: "x": '
            "for 'Gt', 'Lt' operators, the value must be an integer",
        ),
        (
            "a/b/c=1",
            'unable to parse requirement: <nil>: Invalid value: "a/b/c": a valid label key must consist of '
            "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
            f"{KEY_REGEX_HINT} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        ),
        (
            "-x",
            'unable to parse requirement: <nil>: Invalid value: "-x": name part must consist of alphanumeric '
            "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
            f"{KEY_REGEX_HINT}",
        ),
        (
            "k=v_",
            f'unable to parse requirement: values[0][k]: Invalid value: "v_": {VALUE_MESSAGE}',
        ),
    ],
)
def test_invalid_selectors_are_400_with_upstream_text(text: str, message: str) -> None:
    with pytest.raises(StatusError) as raised:
        parse_label_selector(text)
    assert (raised.value.code, raised.value.reason) == (400, "BadRequest")
    assert raised.value.message == message


def test_a_too_long_value_reports_both_problems_joined() -> None:
    value = "a" * 64 + "-"
    with pytest.raises(StatusError) as raised:
        parse_label_selector("k=" + value)
    assert raised.value.message == (
        f'unable to parse requirement: values[0][k]: Invalid value: "{value}": '
        f"must be no more than 63 bytes; {VALUE_MESSAGE}"
    )


LABELS = {"env": "prod", "tier": "web", "count": "7", "legacy": ""}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("env=prod", True),
        ("env==prod", True),
        ("env=dev", False),
        ("env!=dev", True),
        ("missing!=x", True),
        ("env in (dev,prod)", True),
        ("env in (dev)", False),
        ("missing in (x)", False),
        ("env notin (dev)", True),
        ("missing notin (x)", True),
        ("env notin (prod)", False),
        ("tier", True),
        ("missing", False),
        ("!missing", True),
        ("!legacy", False),
        ("legacy=", True),
        ("count>6", True),
        ("count>7", False),
        ("count<8", True),
        ("tier>1", False),
        ("missing<100", False),
        ("env=prod,tier=web", True),
        ("env=prod,tier=api", False),
        ("", True),
    ],
)
def test_matching(text: str, expected: bool) -> None:
    assert parse_label_selector(text).matches(LABELS) is expected


def test_matching_treats_missing_labels_as_empty_set() -> None:
    assert parse_label_selector("!a").matches(None)
    assert not parse_label_selector("a").matches(None)


@pytest.mark.parametrize(
    ("selector", "canonical", "nothing"),
    [
        (None, "", True),
        ({}, "", False),
        ({"matchLabels": {"b": "2", "a": "1"}}, "a=1,b=2", False),
        (
            {"matchExpressions": [{"key": "k", "operator": "NotIn", "values": ["y", "x"]}]},
            "k notin (x,y)",
            False,
        ),
        (
            {
                "matchExpressions": [
                    {"key": "k", "operator": "Exists"},
                    {"key": "j", "operator": "DoesNotExist"},
                ]
            },
            "!j,k",
            False,
        ),
    ],
)
def test_selector_from_object(selector: dict[str, Any] | None, canonical: str, nothing: bool) -> None:
    converted = selector_from_object(selector)
    assert (str(converted), converted.nothing) == (canonical, nothing)


def test_null_selector_object_matches_nothing_and_empty_matches_everything() -> None:
    assert not selector_from_object(None).matches({"a": "b"})
    assert selector_from_object({}).matches({"a": "b"})
    assert selector_from_object({}).empty


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        (
            {"matchExpressions": [{"key": "k", "operator": "Gt", "values": ["1"]}]},
            '"Gt" is not a valid label selector operator',
        ),
        (
            {"matchExpressions": [{"key": "k", "operator": "In"}]},
            "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
        ),
        (
            {"matchExpressions": [{"key": "k", "operator": "Exists", "values": ["a"]}]},
            'values: Invalid value: ["a"]: values set must be empty for exists and does not exist',
        ),
        ({"matchLabels": {"k": "v w"}}, f'values[0][k]: Invalid value: "v w": {VALUE_MESSAGE}'),
    ],
)
def test_selector_object_errors(selector: dict[str, Any], message: str) -> None:
    with pytest.raises(StatusError) as raised:
        selector_from_object(selector)
    assert raised.value.message == message


def test_new_requirement_aggregates_several_errors_in_brackets() -> None:
    with pytest.raises(StatusError) as raised:
        new_requirement("-", Operator.EQUALS, ["a", "b"])
    message = raised.value.message
    assert message.startswith('[key: Invalid value: "-": name part must consist of')
    assert message.endswith(', values: Invalid value: ["a","b"]: exact-match compatibility requires one single value]')


def test_selector_from_set_and_requirement_str() -> None:
    assert str(selector_from_set({"b": "2", "a": "1"})) == "a=1,b=2"
    assert str(Requirement("k", Operator.IN, ("b", "a"))) == "k in (a,b)"
    assert LabelSelector().empty


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("a!=b", [(Token.IDENTIFIER, "a"), (Token.NOT_EQUALS, "!="), (Token.IDENTIFIER, "b")]),
        ("!!a", [(Token.DOES_NOT_EXIST, "!"), (Token.DOES_NOT_EXIST, "!"), (Token.IDENTIFIER, "a")]),
        ("a==b", [(Token.IDENTIFIER, "a"), (Token.DOUBLE_EQUALS, "=="), (Token.IDENTIFIER, "b")]),
        (
            "x notin(y)",
            [
                (Token.IDENTIFIER, "x"),
                (Token.NOT_IN, "notin"),
                (Token.OPEN_PAREN, "("),
                (Token.IDENTIFIER, "y"),
                (Token.CLOSE_PAREN, ")"),
            ],
        ),
        ("a\0=b", [(Token.IDENTIFIER, "a")]),
    ],
)
def test_lexer_tokens(text: str, tokens: list[tuple[Token, str]]) -> None:
    assert scan(text) == [*tokens, (Token.END, "")]
