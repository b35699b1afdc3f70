"""Field selector parsing, escaping, per-kind field checks and matching, as the API server does them."""

from __future__ import annotations

from collections.abc import Collection

import pytest

from apimachinery.errors import StatusError
from apimachinery.selectors.fields import (
    FieldRequirement,
    FieldSelector,
    escape_value,
    parse_field_selector,
    parse_field_selector_syntax,
    unescape_value,
)

SECRET_FIELDS = {"type", "metadata.name", "metadata.namespace"}


@pytest.mark.parametrize(
    ("text", "requirements"),
    [
        ("", ()),
        (",", ()),
        ("metadata.name=x", (FieldRequirement("metadata.name", "x"),)),
        ("metadata.name==x", (FieldRequirement("metadata.name", "x"),)),
        ("metadata.name!=x", (FieldRequirement("metadata.name", "x", negated=True),)),
        ("metadata.name=", (FieldRequirement("metadata.name", ""),)),
        ("metadata.name=a\\,b\\=c\\\\d", (FieldRequirement("metadata.name", "a,b=c\\d"),)),
        (
            "metadata.namespace=n,metadata.name=x",
            (FieldRequirement("metadata.name", "x"), FieldRequirement("metadata.namespace", "n")),
        ),
    ],
)
def test_syntax(text: str, requirements: tuple[FieldRequirement, ...]) -> None:
    assert parse_field_selector_syntax(text).requirements == requirements


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
        ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
        ("metadata.name=a=b", "invalid field selector: unescaped character in value: 61"),
        ("metadata.name===x", "invalid field selector: unescaped character in value: 61"),
        ("metadata.name=a\\x", "invalid field selector: invalid escape sequence: \\x"),
        ("metadata.name=a\\", "invalid field selector: invalid escape sequence: \\"),
    ],
)
def test_syntax_errors_are_400(text: str, message: str) -> None:
    with pytest.raises(StatusError) as raised:
        parse_field_selector_syntax(text)
    assert (raised.value.code, raised.value.message) == (400, message)


@pytest.mark.parametrize(
    ("text", "supported", "message"),
    [
        ("foo=bar", None, '"foo" is not a known field selector: only "metadata.name", "metadata.namespace"'),
        (
            "spec.x=1",
            None,
            '"spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
        ),
        ("foo=bar", SECRET_FIELDS, "field label not supported: foo"),
        (
            "metadata.namespace=x",
            {"metadata.name", "status.phase"},
            "field label not supported: metadata.namespace",
        ),
    ],
)
def test_unsupported_fields(text: str, supported: Collection[str] | None, message: str) -> None:
    with pytest.raises(StatusError) as raised:
        parse_field_selector(text, supported=supported)
    assert (raised.value.code, raised.value.reason, raised.value.message) == (400, "BadRequest", message)


def test_supported_fields_pass_and_renames_apply() -> None:
    assert str(parse_field_selector("type=Opaque", supported=SECRET_FIELDS)) == "type=Opaque"
    renamed = parse_field_selector(
        "regarding.name=pod", supported={"metadata.name"}, renames={"regarding.name": "involvedObject.name"}
    )
    assert renamed.requirements == (FieldRequirement("involvedObject.name", "pod"),)


FIELDS = {"metadata.name": "cm1", "metadata.namespace": "default", "type": ""}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("metadata.name=cm1", True),
        ("metadata.name==cm1", True),
        ("metadata.name=cm2", False),
        ("metadata.name!=cm2", True),
        ("metadata.name!=cm1", False),
        ("metadata.name=cm1,metadata.namespace=default", True),
        ("metadata.name=cm1,metadata.namespace=other", False),
        ("type=", True),
        ("status.phase=", True),
        ("status.phase!=Active", True),
        ("", True),
    ],
)
def test_matching(text: str, expected: bool) -> None:
    assert parse_field_selector_syntax(text).matches(FIELDS) is expected


def test_exact_match_and_string_form() -> None:
    selector = parse_field_selector("metadata.name=a\\,b,metadata.namespace!=x")
    assert selector.exact_match("metadata.name") == "a,b"
    assert selector.exact_match("metadata.namespace") is None
    assert str(selector) == "metadata.name=a\\,b,metadata.namespace!=x"
    assert FieldSelector().empty


@pytest.mark.parametrize("value", ["plain", "a,b", "x=y", "back\\slash", ""])
def test_escape_round_trip(value: str) -> None:
    assert unescape_value(escape_value(value)) == value
