"""ConfigMap and Secret strategies against upstream ValidateConfigMap(Update), ValidateSecret(Update)."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from apimachinery.apis.catalog import builtin_catalog
from apimachinery.errors import Cause, StatusError
from shard.registry.configmaps import ConfigMapStrategy, SecretStrategy

CATALOG = builtin_catalog()
_cm_resource = CATALOG.lookup("", "v1", "configmaps")
_secret_resource = CATALOG.lookup("", "v1", "secrets")
assert _cm_resource is not None and _secret_resource is not None
CONFIGMAPS = ConfigMapStrategy(_cm_resource)
SECRETS = SecretStrategy(_secret_resource)

KEY_MESSAGE = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
    "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
)
IMMUTABLE = "Forbidden: field is immutable when `immutable` is set"
MAX = 1024 * 1024


def b64(text: str | bytes) -> str:
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def invalid(field: str, value: str, detail: str) -> Cause:
    return Cause("FieldValueInvalid", f'Invalid value: "{value}": {detail}', field)


def required(field: str) -> Cause:
    return Cause("FieldValueRequired", "Required value", field)


# --- ConfigMap ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"data": {"a b": "x"}}, [invalid("data[a b]", "a b", KEY_MESSAGE)]),
        ({"data": {"ok": "x", "sl/ash": "y"}}, [invalid("data[sl/ash]", "sl/ash", KEY_MESSAGE)]),
        ({"binaryData": {"a:b": "AA=="}}, [invalid("binaryData[a:b]", "a:b", KEY_MESSAGE)]),
        ({"data": {"key.name": "a", "KEY_NAME": "b", "key-name": "c", "x..y": "", ".hidden": "d"}}, []),
        ({}, []),
        ({"data": None, "binaryData": None}, []),
    ],
)
def test_configmap_keys(obj: dict[str, Any], expected: list[Cause]) -> None:
    assert CONFIGMAPS.validate(obj) == expected


@pytest.mark.parametrize(
    ("key", "detail"),
    [
        # upstream IsConfigMapKey: hasChDirPrefix gives these messages (the regex itself matches "." and "..")
        (".", "must not be '.'"),
        ("..", "must not be '..'"),
        ("..foo", "must not start with '..'"),
        ("k" * 254, "must be no more than 253 characters"),
    ],
)
def test_configmap_key_rules_beyond_the_regex(key: str, detail: str) -> None:
    assert CONFIGMAPS.validate({"data": {key: "v"}}) == [invalid(f"data[{key}]", key, detail)]


def test_configmap_key_of_253_characters_is_valid() -> None:
    assert CONFIGMAPS.validate({"data": {"k" * 253: "v"}}) == []


def test_configmap_duplicate_key_in_data_and_binary_data() -> None:
    # upstream reports the key under data:
    # `data[k]: Invalid value: "k": duplicate of key present in binaryData`
    causes = CONFIGMAPS.validate({"data": {"k": "x"}, "binaryData": {"k": "AA=="}})
    assert causes == [invalid("data[k]", "k", "duplicate of key present in binaryData")]


def test_configmap_too_large() -> None:
    causes = CONFIGMAPS.validate({"data": {"a": "x" * MAX, "b": "y"}})
    assert [c.reason for c in causes] == ["FieldValueTooLong"]
    assert causes[0].message == f"Too long: may not be more than {MAX} bytes"


def test_configmap_size_counts_values_only() -> None:
    # upstream sums len(value) of data and the decoded bytes of binaryData; keys do not count
    assert CONFIGMAPS.validate({"data": {"key": "x" * MAX}}) == []


def test_configmap_binary_data_size_counts_decoded_bytes() -> None:
    assert CONFIGMAPS.validate({"binaryData": {"blob": b64(b"\0" * (MAX - 10))}}) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({"data": {"a": "1"}}, {"data": {"a": "2"}}, []),
        (
            {"immutable": True, "data": {"a": "1"}},
            {"immutable": True, "data": {"a": "1"}, "metadata": {"labels": {"x": "y"}}},
            [],
        ),
        (
            {"immutable": True, "data": {"a": "1"}},
            {"immutable": True, "data": {"a": "2"}},
            [Cause("FieldValueForbidden", IMMUTABLE, "data")],
        ),
        (
            {"immutable": True, "binaryData": {"b": "AA=="}},
            {"immutable": True, "binaryData": {"b": "AQ=="}},
            [Cause("FieldValueForbidden", IMMUTABLE, "binaryData")],
        ),
        (
            {"immutable": True, "data": {"a": "1"}},
            {"immutable": False, "data": {"a": "1"}},
            [Cause("FieldValueForbidden", IMMUTABLE, "immutable")],
        ),
        (
            {"immutable": True, "data": {"a": "1"}},
            {"data": {"a": "1"}},
            [Cause("FieldValueForbidden", IMMUTABLE, "immutable")],
        ),
        ({"immutable": False, "data": {"a": "1"}}, {"immutable": True, "data": {"a": "2"}}, []),
    ],
)
def test_configmap_update(old: dict[str, Any], new: dict[str, Any], expected: list[Cause]) -> None:
    assert CONFIGMAPS.validate_update(new, old) == expected


def test_configmap_update_still_validates_keys() -> None:
    assert CONFIGMAPS.validate_update({"data": {"a b": "x"}}, {"data": {}}) == [
        invalid("data[a b]", "a b", KEY_MESSAGE)
    ]


# --- Secret: defaults and stringData --------------------------------------------------------------


def test_secret_defaults_to_opaque() -> None:
    obj: dict[str, Any] = {"metadata": {"name": "s"}, "data": {"a": b64("x")}}
    SECRETS.prepare_for_create(obj)
    assert obj["type"] == "Opaque"


def test_secret_keeps_its_type() -> None:
    obj: dict[str, Any] = {"type": "kubernetes.io/tls", "data": {"tls.crt": b64("c"), "tls.key": b64("k")}}
    SECRETS.prepare_for_create(obj)
    assert obj["type"] == "kubernetes.io/tls"


@pytest.mark.parametrize(
    ("data", "string_data", "expected"),
    [
        (None, {"user": "admin"}, {"user": b64("admin")}),
        ({"a": b64("old"), "b": b64("keep")}, {"a": "new"}, {"a": b64("new"), "b": b64("keep")}),
        ({"a": b64("x")}, {}, {"a": b64("x")}),
        (None, {"unicode": "żółw"}, {"unicode": b64("żółw")}),
    ],
)
def test_secret_string_data_is_folded_into_data(
    data: dict[str, str] | None, string_data: dict[str, str], expected: dict[str, str]
) -> None:
    obj: dict[str, Any] = {"metadata": {"name": "s"}, "stringData": string_data}
    if data is not None:
        obj["data"] = data
    SECRETS.prepare_for_create(obj)
    assert "stringData" not in obj
    assert obj["data"] == expected


def test_secret_string_data_is_folded_on_update() -> None:
    old = {"type": "Opaque", "data": {"a": b64("1")}}
    new: dict[str, Any] = {"type": "Opaque", "data": {"a": b64("1")}, "stringData": {"b": "2"}}
    SECRETS.prepare_for_update(new, old)
    assert new == {"type": "Opaque", "data": {"a": b64("1"), "b": b64("2")}}


# --- Secret: validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        ({"type": "Opaque", "data": {"a": b64("x")}}, []),
        ({"type": "Opaque", "data": {"a b": b64("x")}}, [invalid("data[a b]", "a b", KEY_MESSAGE)]),
        ({"type": "kubernetes.io/tls", "data": {}}, [required("data[tls.crt]"), required("data[tls.key]")]),
        ({"type": "kubernetes.io/tls", "data": {"tls.crt": b64("c")}}, [required("data[tls.key]")]),
        ({"type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}}, []),
        ({"type": "kubernetes.io/dockerconfigjson", "data": {}}, [required("data[.dockerconfigjson]")]),
        ({"type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": b64('{"auths":{}}')}}, []),
        ({"type": "kubernetes.io/dockercfg"}, [required("data[.dockercfg]")]),
        ({"type": "kubernetes.io/ssh-auth", "data": {}}, [required("data[ssh-privatekey]")]),
        ({"type": "kubernetes.io/ssh-auth", "data": {"ssh-privatekey": b64("k")}}, []),
        ({"type": "kubernetes.io/basic-auth", "data": {"username": b64("u")}}, []),
        ({"type": "kubernetes.io/basic-auth", "data": {"password": ""}}, []),
        (
            {"type": "kubernetes.io/service-account-token", "data": {}},
            [required("metadata.annotations[kubernetes.io/service-account.name]")],
        ),
        (
            {
                "type": "kubernetes.io/service-account-token",
                "metadata": {"annotations": {"kubernetes.io/service-account.name": "default"}},
            },
            [],
        ),
        ({"type": "example.com/custom", "data": {}}, []),
    ],
)
def test_secret_validate(obj: dict[str, Any], expected: list[Cause]) -> None:
    assert SECRETS.validate(obj) == expected


def test_basic_auth_secret_needs_username_or_password() -> None:
    assert SECRETS.validate({"type": "kubernetes.io/basic-auth", "data": {}}) == [
        required("data[username]"),
        required("data[password]"),
    ]


def test_ssh_auth_secret_needs_a_non_empty_key() -> None:
    # upstream: len(secret.Data["ssh-privatekey"]) == 0 → Required
    assert SECRETS.validate({"type": "kubernetes.io/ssh-auth", "data": {"ssh-privatekey": ""}}) == [
        required("data[ssh-privatekey]")
    ]


@pytest.mark.parametrize(
    ("secret_type", "key"),
    [("kubernetes.io/dockerconfigjson", ".dockerconfigjson"), ("kubernetes.io/dockercfg", ".dockercfg")],
)
def test_docker_config_must_be_json(secret_type: str, key: str) -> None:
    causes = SECRETS.validate({"type": secret_type, "data": {key: b64("not json")}})
    assert [(c.reason, c.field) for c in causes] == [("FieldValueInvalid", f"data[{key}]")]
    assert causes[0].message.startswith('Invalid value: "<secret contents redacted>": ')


def test_secret_too_large() -> None:
    # upstream: field.TooLong(data, MaxSecretSize) over the decoded values
    causes = SECRETS.validate({"type": "Opaque", "data": {"a": b64(b"\0" * MAX), "b": b64(b"\0")}})
    assert [(c.reason, c.field, c.message) for c in causes] == [
        ("FieldValueTooLong", "data", f"Too long: may not be more than {MAX} bytes")
    ]


def test_secret_illegal_base64_is_a_bad_request() -> None:
    with pytest.raises(StatusError) as info:
        SECRETS.validate({"type": "Opaque", "data": {"a": "not base64!"}})
    assert (info.value.code, info.value.reason) == (400, "BadRequest")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({"type": "Opaque", "data": {"a": b64("1")}}, {"type": "Opaque", "data": {"a": b64("2")}}, []),
        (
            {"type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}},
            {"type": "Opaque", "data": {"tls.crt": "", "tls.key": ""}},
            [invalid("type", "Opaque", "field is immutable")],
        ),
        (
            {"type": "Opaque", "immutable": True, "data": {"a": b64("1")}},
            {"type": "Opaque", "immutable": True, "data": {"a": b64("2")}},
            [Cause("FieldValueForbidden", IMMUTABLE, "data")],
        ),
        (
            {"type": "Opaque", "immutable": True, "data": {"a": b64("1")}},
            {"type": "Opaque", "data": {"a": b64("1")}},
            [Cause("FieldValueForbidden", IMMUTABLE, "immutable")],
        ),
        (
            {"type": "Opaque", "immutable": True, "data": {"a": b64("1")}},
            {
                "type": "Opaque",
                "immutable": True,
                "data": {"a": b64("1")},
                "metadata": {"labels": {"x": "y"}},
            },
            [],
        ),
    ],
)
def test_secret_update(old: dict[str, Any], new: dict[str, Any], expected: list[Cause]) -> None:
    assert SECRETS.validate_update(new, old) == expected


def test_string_data_cannot_change_an_immutable_secret() -> None:
    old = {"type": "Opaque", "immutable": True, "data": {"a": b64("1")}}
    new: dict[str, Any] = {
        "type": "Opaque",
        "immutable": True,
        "data": {"a": b64("1")},
        "stringData": {"a": "2"},
    }
    SECRETS.prepare_for_update(new, old)
    assert SECRETS.validate_update(new, old) == [Cause("FieldValueForbidden", IMMUTABLE, "data")]


def test_update_without_type_defaults_to_opaque_like_a_create() -> None:
    # upstream SetDefaults_Secret runs on every decoded body: a PUT without `type` is an Opaque secret, and
    # changing a TLS secret to Opaque is refused as an immutable-field change
    old = {"type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}}
    new: dict[str, Any] = {"data": {"tls.crt": "", "tls.key": ""}}
    SECRETS.prepare_for_update(new, old)
    assert new["type"] == "Opaque"
    assert SECRETS.validate_update(new, old) == [invalid("type", "Opaque", "field is immutable")]
