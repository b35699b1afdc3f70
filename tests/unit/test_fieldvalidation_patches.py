"""Strict decoding of patches: the patch body's own errors, then the unknown fields of the patched object,
in the order upstream's patcher reports them, and the 422 it answers under Strict."""

from __future__ import annotations

from typing import Any

import jsonpatch
import pytest

from apimachinery.apis import fieldvalidation
from apimachinery.apis.catalog import builtin_catalog
from apimachinery.errors import StatusError

CATALOG = builtin_catalog()
CONFIGMAPS = CATALOG.lookup("", "v1", "configmaps")
assert CONFIGMAPS is not None

JSON_PATCH = b"""[
    {"op": "add", "path": "/unknown1", "value": "val1", "foo": "bar"},
    {"op": "add", "path": "/unknown2", "path": "/unknown3", "value": {"b": 1, "b": 2}},
    {"op": "add", "path": "/metadata/unknownMeta", "value": "metaVal"}
]"""


def test_json_patch_operations_report_their_unknown_and_repeated_fields() -> None:
    operations, found = fieldvalidation.decode_patch(JSON_PATCH, json_patch=True, validate=True)
    assert found == [
        'json patch unknown field "[0].foo"',
        'json patch duplicate field "[1].path"',
        'json patch duplicate field "[1].value.b"',
    ]
    assert operations[1] == {"op": "add", "path": "/unknown3", "value": {"b": 2}}  # the last one wins
    assert fieldvalidation.decode_patch(JSON_PATCH, json_patch=True, validate=False)[1] == []


def test_merge_patch_bodies_report_every_repeated_key() -> None:
    body = b'{"metadata":{"unknownMeta":1},"unknownDupe":1,"unknownDupe":2,"data":{"k":"1","k":"2"}}'
    patch, found = fieldvalidation.decode_patch(body, json_patch=False, validate=True)
    assert found == ['duplicate field "unknownDupe"', 'duplicate field "data.k"']
    assert type(patch) is dict and patch["data"] == {"k": "2"}


def test_bad_patch_bodies_are_400() -> None:
    with pytest.raises(StatusError) as raised:
        fieldvalidation.decode_patch(b"{nope", json_patch=False, validate=True)
    assert raised.value.code == 400 and raised.value.message.startswith("error decoding patch: ")


def _patched(operations: list[dict[str, Any]]) -> dict[str, Any]:
    current = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}}
    patched: dict[str, Any] = jsonpatch.JsonPatch(operations).apply(current)
    return patched


def _decode_patched(patched: dict[str, Any], **options: Any) -> list[str]:
    defaults: dict[str, Any] = {
        "patch": {},
        "body_errors": [],
        "strict_mode": False,
        "sorted_ids": None,
        "strategic": False,
        "prune_custom": None,
    }
    assert CONFIGMAPS is not None
    return fieldvalidation.decode_patched(CONFIGMAPS, patched, **{**defaults, **options})


def test_json_patched_objects_sort_the_objects_the_operations_went_through() -> None:
    operations = [
        {"op": "add", "path": "/zz", "value": 1},
        {"op": "add", "path": "/metadata/zz", "value": 1},
        {"op": "add", "path": "/metadata/aa", "value": 1},
        {"op": "add", "path": "/aa", "value": {"z": 1, "a": 1}},
    ]
    patched = _patched(operations)
    sorted_ids = fieldvalidation.json_patch_sorted_ids(patched, operations)
    assert sorted_ids == {id(patched), id(patched["metadata"])}
    found = _decode_patched(patched, sorted_ids=sorted_ids, body_errors=['json patch unknown field "[0].x"'])
    # the root and metadata in key order; the object added as a value keeps its own order (but is unknown)
    assert found == [
        'json patch unknown field "[0].x"',
        'unknown field "aa"',
        'unknown field "metadata.aa"',
        'unknown field "metadata.zz"',
        'unknown field "zz"',
    ]
    assert patched == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}}


def test_strategic_merge_patched_objects_sort_their_errors_by_text() -> None:
    patched = {"metadata": {"name": "a"}, "a-b": 1, "a": {"z": 1}}
    assert _decode_patched(patched, strategic=True) == ['unknown field "a"', 'unknown field "a-b"']


def test_strict_patch_errors_are_422_on_the_field_patch() -> None:
    patched = {"metadata": {"name": "a"}, "data": {"k": "<v>"}, "zz": 1}
    with pytest.raises(StatusError) as raised:
        _decode_patched(patched, strict_mode=True, body_errors=['duplicate field "data.k"'])
    error = raised.value
    # the patched object's JSON (HTML characters escaped, as Go writes it), quoted as Go's %q does
    shown = r"{\"data\":{\"k\":\"\\u003cv\\u003e\"},\"metadata\":{\"name\":\"a\"},\"zz\":1}"
    detail = 'strict decoding error: duplicate field "data.k", unknown field "zz"'
    assert (error.code, error.reason) == (422, "Invalid")
    assert error.message == f' "" is invalid: patch: Invalid value: "{shown}": {detail}'
    assert [c.to_dict() for c in error.causes] == [
        {"reason": "FieldValueInvalid", "message": f'Invalid value: "{shown}": {detail}', "field": "patch"}
    ]


def test_strict_strategic_patch_errors_show_the_patch_map() -> None:
    patch = {"zz": 1, "data": {"k": "v"}}
    with pytest.raises(StatusError) as raised:
        _decode_patched({"metadata": {}, "zz": 1}, strict_mode=True, strategic=True, patch=patch)
    assert 'Invalid value: "map[data:map[k:v] zz:1]": strict decoding error: unknown field "zz"' in (
        raised.value.message
    )


def test_custom_resources_report_what_their_schema_prunes() -> None:
    def prune(obj: dict[str, Any]) -> list[str]:
        obj.pop("zz")
        return ["zz"]

    patched = {"metadata": {"name": "a"}, "zz": 1}
    assert _decode_patched(patched, prune_custom=prune, body_errors=["x"]) == ["x", 'unknown field "zz"']
    assert patched == {"metadata": {"name": "a"}}
