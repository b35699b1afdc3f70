"""Strict decoding of create/update bodies: JSON with repeated keys, YAML duplicate-key errors, and the typed
decoder that drops and reports unknown fields in upstream's order (sigs.k8s.io/json and go-yaml behaviour)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from apimachinery.apis import fieldvalidation
from apimachinery.apis.catalog import builtin_catalog
from apimachinery.apis.types import ResourceDefinition
from apimachinery.errors import StatusError
from apimachinery.serializers import strict
from apimachinery.serializers.duplicates import Pairs, duplicate_paths, loads_tracking
from apimachinery.serializers.yamlstrict import load_tracking

CATALOG = builtin_catalog()


def _resource(group: str, plural: str) -> ResourceDefinition:
    resource = CATALOG.lookup(group, "v1", plural)
    assert resource is not None
    return resource


CONFIGMAPS = _resource("", "configmaps")
ROLES = _resource("rbac.authorization.k8s.io", "roles")


# ---- JSON with repeated keys ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        b'{"a":1,"b":[1,2.5,"x",null,true],"c":{"d":{}}}',
        b'{"big":123456789012345678901234,"neg":-9223372036854775808,"u64":18446744073709551615}',
        b'{"pair":"\\ud83d\\ude00","e":1e300,"small":1e-400}',
        b"[1,2]",
    ],
)
def test_values_are_what_orjson_reads(body: bytes) -> None:
    value, repeated = loads_tracking(body)
    assert value == orjson.loads(body) and not repeated


@pytest.mark.parametrize(
    "body", [b'{"a":NaN}', b'{"a":1e400}', b'{"a":"\\ud800"}', b'\xef\xbb\xbf{"a":1}', b'{"a":"\xff"}', b"{", b""]
)
def test_what_orjson_rejects_is_rejected_with_its_text(body: bytes) -> None:
    with pytest.raises(orjson.JSONDecodeError) as raised:
        loads_tracking(body)
    with pytest.raises(orjson.JSONDecodeError) as expected:
        orjson.loads(body)
    assert str(raised.value) == str(expected.value)


def test_repeated_keys_keep_their_pairs_and_the_last_value() -> None:
    value, repeated = loads_tracking(b'{"a":1,"b":{"c":1,"c":2},"a":3}')
    assert repeated and value == {"a": 3, "b": {"c": 2}}
    assert isinstance(value, Pairs) and value.pairs == [("a", 1), ("b", {"c": 2}), ("a", 3)]
    assert isinstance(value["b"], Pairs) and value["b"].pairs == [("c", 1), ("c", 2)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"a":1}', []),
        (b'{"a":1,"a":2,"a":3}', ["a"]),
        # the key of the repeated value is reported before what its value repeats, each path once
        (b'{"a":{"x":1,"x":2},"a":{"x":1,"x":2}}', ["a.x", "a"]),
        (b'{"spec":{"ports":[{"p":1,"p":2}],"k":1,"k":2}}', ["spec.ports[0].p", "spec.k"]),
        (b'[{"op":1,"op":2}]', ["[0].op"]),
    ],
)
def test_duplicate_paths_in_untyped_maps(body: bytes, expected: list[str]) -> None:
    assert duplicate_paths(loads_tracking(body)[0]) == expected


# ---- YAML --------------------------------------------------------------------------------------------
YAML_BODY = b"""a:
  x: 1
  x: 2
b: 1
a:
  y: 1
  y: 2
c: &anchor
  k: 1
  k: 2
d: *anchor
1: one
1: uno
when: 2024-01-01T00:00:00Z
"""


def test_yaml_errors_follow_go_yaml_order_and_lines() -> None:
    data, lines = load_tracking(YAML_BODY)
    # inside a value before its key; the line is the repeated key's value's; an alias is decoded again
    assert lines == [
        'line 3: key "x" already set in map',
        'line 7: key "y" already set in map',
        'line 6: key "a" already set in map',
        'line 10: key "k" already set in map',
        'line 10: key "k" already set in map',
        "line 13: key 1 already set in map",
    ]
    assert data == {"a": {"y": 2}, "b": 1, "c": {"k": 2}, "d": {"k": 2}, "1": "uno", "when": "2024-01-01T00:00:00Z"}
    assert data["c"] is not data["d"]


def test_yaml_error_texts_and_warnings() -> None:
    errors = strict.yaml_errors(['line 5: key "name" already set in map', 'line 9: key "a" already set in map'])
    errors += [strict.unknown_field("spec.x")]
    assert strict.strict_decoding_error(errors) == (
        'strict decoding error: yaml: unmarshal errors:\n  line 5: key "name" already set in map\n'
        '  line 9: key "a" already set in map, unknown field "spec.x"'
    )
    assert strict.warnings(errors) == [
        'line 5: key "name" already set in map',
        'line 9: key "a" already set in map',
        'unknown field "spec.x"',
    ]


# ---- typed decoding ----------------------------------------------------------------------------------
def _decode(resource: ResourceDefinition, body: bytes, *, from_yaml: bool = False) -> fieldvalidation.Decoded:
    return fieldvalidation.decode_object(resource, body, from_yaml=from_yaml, prune_custom=None)


ROLE_JSON = b"""{
    "apiVersion": "rbac.authorization.k8s.io/v1",
    "kind": "Role",
    "metadata": {"name": "dupename", "name": "r", "labels": {"app": "x"}, "unknownMeta": "metaVal"},
    "unknown1": "val1",
    "unknownDupe": "valDupe",
    "unknownDupe": {"inside": 1, "inside": 2},
    "rules": [{
        "verbs": ["get"],
        "unknownNested": "val1",
        "resources": ["pods"],
        "resources": ["configmaps"]
    }]
}"""
ROLE_YAML = b"""apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: dupename
  name: r
  unknownMeta: metaVal
unknownDupe: valDupe
unknownDupe: valDupe2
unknown1: val1
rules:
- verbs: [get]
  unknownNested: val1
  resources: [pods]
  resources: [configmaps]
"""


def test_json_errors_come_in_document_order_and_unknown_wins_over_duplicate() -> None:
    decoded = _decode(ROLES, ROLE_JSON)
    assert decoded.errors == [
        'duplicate field "metadata.name"',
        'unknown field "metadata.unknownMeta"',
        'unknown field "unknown1"',
        'unknown field "unknownDupe"',
        'unknown field "rules[0].unknownNested"',
        'duplicate field "rules[0].resources"',
    ]
    assert decoded.obj == {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": {"name": "r", "labels": {"app": "x"}},
        "rules": [{"verbs": ["get"], "resources": ["configmaps"]}],
    }


def test_yaml_errors_first_then_unknown_fields_in_sorted_key_order() -> None:
    decoded = _decode(ROLES, ROLE_YAML, from_yaml=True)
    assert decoded.errors == [
        strict.YAML_PREFIX + '  line 5: key "name" already set in map\n  line 8: key "unknownDupe" already set in map'
        '\n  line 14: key "resources" already set in map',
        'unknown field "metadata.unknownMeta"',
        'unknown field "rules[0].unknownNested"',
        'unknown field "unknown1"',
        'unknown field "unknownDupe"',
    ]
    assert decoded.obj["rules"] == [{"verbs": ["get"], "resources": ["configmaps"]}]


def test_repeated_fields_are_decoded_into_the_value_already_there() -> None:
    body = b"""{"metadata": {"name": "a", "labels": {"x": "1"}}, "metadata": {"labels": {"y": "2"}},
        "rules": [{"verbs": ["get"], "apiGroups": [""]}], "rules": [{"resources": ["pods"]}, {"verbs": ["list"]}],
        "data": {"k": "1"}}"""
    decoded = _decode(ROLES, body)
    assert decoded.obj == {
        "metadata": {"name": "a", "labels": {"x": "1", "y": "2"}},  # structs merge, maps gain keys
        "rules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}, {"verbs": ["list"]}],
    }
    assert decoded.errors == ['duplicate field "metadata"', 'duplicate field "rules"', 'unknown field "data"']


def test_opaque_and_untyped_values() -> None:
    body = b"""{"metadata": {"managedFields": [{"manager": "m", "fieldsV1": {"f:a": {}, "f:a": {}}}]},
        "data": {"a": "1"}}"""
    decoded = _decode(CONFIGMAPS, body)  # FieldsV1 decodes itself: nothing reported inside
    assert decoded.errors == [] and decoded.obj["metadata"]["managedFields"][0]["fieldsV1"] == {"f:a": {}}
    logical = CATALOG.lookup("core.kcp.io", "v1alpha1", "logicalclusters")
    assert logical is not None
    untyped = b'{"spec": {"owner": {"a": {"b": 1, "b": 2}, "any": 1}}}'
    decoded = _decode(logical, untyped)  # x-kubernetes-preserve-unknown-fields: repeated keys, no unknowns
    assert decoded.errors == ['duplicate field "spec.owner.a.b"'] and decoded.obj["spec"]["owner"]["a"] == {"b": 2}


def test_at_most_a_hundred_errors() -> None:
    body = orjson.dumps({"metadata": {"name": "a"}, **{f"u{i:03}": i for i in range(150)}})
    decoded = _decode(CONFIGMAPS, body)
    assert len(decoded.errors) == 100 and decoded.errors[-1] == 'unknown field "u099"'
    assert set(decoded.obj) == {"metadata"}


def test_custom_resources_report_duplicates_then_what_their_schema_prunes() -> None:
    pruned: list[dict[str, Any]] = []

    def prune(obj: dict[str, Any]) -> list[str]:
        pruned.append(obj)
        obj["spec"].pop("unknown")
        return ["spec.unknown"]

    body = b'{"metadata":{"name":"a","name":"b"},"spec":{"unknown":1,"unknown":2,"x":1}}'
    decoded = fieldvalidation.decode_object(CONFIGMAPS, body, from_yaml=False, prune_custom=prune)
    assert decoded.errors == [
        'duplicate field "metadata.name"',
        'duplicate field "spec.unknown"',
        'unknown field "spec.unknown"',
    ]
    assert decoded.obj == {"metadata": {"name": "b"}, "spec": {"x": 1}} and type(pruned[0]) is dict


def test_strict_decode_error_names_the_kind_and_version_of_the_body() -> None:
    error = fieldvalidation.decode_error(
        ROLES, {"kind": "Role", "apiVersion": "rbac.authorization.k8s.io/v1"}, ['unknown field "x"']
    )
    assert isinstance(error, StatusError) and (error.code, error.reason) == (400, "BadRequest")
    assert error.message == 'Role in version "v1" cannot be handled as a Role: strict decoding error: unknown field "x"'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[1]", "the body of the request must be a JSON object"),
        (b"{", "error decoding request body: "),
    ],
)
def test_unreadable_bodies(body: bytes, message: str) -> None:
    with pytest.raises(StatusError) as raised:
        _decode(CONFIGMAPS, body)
    assert raised.value.code == 400 and raised.value.message.startswith(message)
