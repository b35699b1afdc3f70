"""Name, label and annotation formats, their upstream messages, causes, and generateName."""

from __future__ import annotations

import pytest

from apimachinery.errors import Cause, invalid
from apimachinery.validation import field
from apimachinery.validation.names import (
    GENERATED_SUFFIX_ALPHABET,
    generate_name,
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_key,
    is_label_value,
    name_is_dns_label,
    name_is_dns_subdomain,
    name_is_path_segment,
    validate_annotations,
    validate_labels,
)

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character "
    "(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
KEY_NAME_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


@pytest.mark.parametrize(
    ("value", "errors"),
    [
        ("example.com", []),
        ("a", []),
        ("a-b.c-d", []),
        ("UPPER", [SUBDOMAIN_MSG]),
        ("-a", [SUBDOMAIN_MSG]),
        ("a..b", [SUBDOMAIN_MSG]),
        ("", [SUBDOMAIN_MSG]),
        ("a" * 253, []),
        ("a" * 254, ["must be no more than 253 bytes"]),
        ("A" * 254, ["must be no more than 253 bytes", SUBDOMAIN_MSG]),
        ("a\n", [SUBDOMAIN_MSG]),
    ],
)
def test_dns1123_subdomain(value: str, errors: list[str]) -> None:
    assert is_dns1123_subdomain(value) == errors


@pytest.mark.parametrize(
    ("value", "errors"),
    [
        ("default", []),
        ("a.b", ["must not contain dots"]),
        ("Bad", [LABEL_MSG]),
        ("a" * 64, ["must be no more than 63 bytes"]),
        ("a" * 63 + ".", ["must be no more than 63 bytes", LABEL_MSG]),
    ],
)
def test_dns1123_label(value: str, errors: list[str]) -> None:
    assert is_dns1123_label(value) == errors


def test_dns1035_label() -> None:
    assert is_dns1035_label("abc-1") == []
    assert is_dns1035_label("1abc") == [
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
        "start with an alphabetic character, and end with an alphanumeric character "
        "(e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
    ]


@pytest.mark.parametrize(
    ("key", "errors"),
    [
        ("app", []),
        ("App_1.x", []),
        ("example.com/app", []),
        ("/app", ["prefix part must be non-empty"]),
        ("Example.com/app", ["prefix part " + SUBDOMAIN_MSG]),
        ("example.com/", ["name part must be non-empty", KEY_NAME_MSG]),
        ("", ["name part must be non-empty", KEY_NAME_MSG]),
        ("a" * 64, ["name part must be no more than 63 bytes"]),
        ("-app", [KEY_NAME_MSG]),
    ],
)
def test_label_key(key: str, errors: list[str]) -> None:
    assert is_label_key(key) == errors


def test_label_key_with_two_slashes() -> None:
    (message,) = is_label_key("a/b/c")
    assert message.startswith("a valid label key must consist of alphanumeric characters")
    assert message.endswith("with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")


@pytest.mark.parametrize(
    ("value", "errors"),
    [("", []), ("v1.2_x-y", []), ("-v", [VALUE_MSG]), ("a" * 64, ["must be no more than 63 bytes"])],
)
def test_label_value(value: str, errors: list[str]) -> None:
    assert is_label_value(value) == errors


@pytest.mark.parametrize(
    ("validator", "name", "prefix", "errors"),
    [
        (name_is_dns_subdomain, "web-", True, []),
        (name_is_dns_subdomain, "web-", False, [SUBDOMAIN_MSG]),
        (name_is_dns_subdomain, "-", True, [SUBDOMAIN_MSG]),
        (name_is_dns_label, "ns-", True, []),
        (name_is_path_segment, "system:admin", False, []),
        (name_is_path_segment, "..", False, ["may not be '..'"]),
        (name_is_path_segment, "a/b%c", True, ["may not contain '/'", "may not contain '%'"]),
        (name_is_path_segment, ".", True, ["may not be '.'"]),
    ],
)
def test_name_validators(validator: object, name: str, prefix: bool, errors: list[str]) -> None:
    assert callable(validator)
    assert validator(name, prefix) == errors


def test_label_causes() -> None:
    causes = validate_labels({"ok": "fine", "Bad Key": "v", "k": "bad value"})
    assert causes == [
        Cause("FieldValueInvalid", f'Invalid value: "Bad Key": {KEY_NAME_MSG}', "metadata.labels"),
        Cause("FieldValueInvalid", f'Invalid value: "bad value": {VALUE_MSG}', "metadata.labels"),
    ]


def test_annotation_keys_are_checked_case_insensitively_and_size_limited() -> None:
    assert validate_annotations({"Example.COM/Key": "x"}) == []
    assert validate_annotations({"a b": "x"}) == [
        Cause("FieldValueInvalid", f'Invalid value: "a b": {KEY_NAME_MSG}', "metadata.annotations")
    ]
    assert validate_annotations({"k": "x" * (256 * 1024 - 1)}) == []
    assert validate_annotations({"k": "x" * (256 * 1024)}) == [
        Cause("FieldValueTooLong", "Too long: may not be more than 262144 bytes", "metadata.annotations")
    ]


def test_invalid_name_status_message_matches_kubectl_output() -> None:
    cause = field.invalid("metadata.name", "UPPER", SUBDOMAIN_MSG)
    status = invalid("configmaps", "UPPER", [cause]).to_status()
    assert status["message"] == f'configmaps "UPPER" is invalid: metadata.name: Invalid value: "UPPER": {SUBDOMAIN_MSG}'
    assert status["details"]["causes"] == [
        {
            "reason": "FieldValueInvalid",
            "message": f'Invalid value: "UPPER": {SUBDOMAIN_MSG}',
            "field": "metadata.name",
        }
    ]


@pytest.mark.parametrize(
    ("prefix", "expected_base"),
    [("cm-", "cm-"), ("", ""), ("x" * 70, "x" * 58), ("y" * 58, "y" * 58)],
)
def test_generate_name(prefix: str, expected_base: str) -> None:
    name = generate_name(prefix)
    assert name.startswith(expected_base)
    suffix = name[len(expected_base) :]
    assert len(suffix) == 5
    assert set(suffix) <= set(GENERATED_SUFFIX_ALPHABET)
    assert len(name) <= 63


def test_generate_name_uses_the_injected_choice() -> None:
    assert generate_name("cm-", choice=lambda alphabet: alphabet[0]) == "cm-bbbbb"
    assert GENERATED_SUFFIX_ALPHABET == "bcdfghjklmnpqrstvwxz2456789"
