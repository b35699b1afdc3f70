"""Pruning of unknown fields and defaulting of custom resources, as upstream's decoder does them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from apimachinery.crd.defaulting import apply_defaults, decode_custom_resource, prune_nulls
from apimachinery.crd.metadata import decode_error
from apimachinery.crd.pruning import prune, prune_custom_resource


def _obj(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


SCHEMA = _obj(
    spec=_obj(
        replicas={"type": "integer"},
        items={"type": "array", "items": _obj(name={"type": "string"})},
        labels={"type": "object", "additionalProperties": {"type": "string"}},
        free={"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {"known": _obj(a={})}},
        template={
            "type": "object",
            "x-kubernetes-embedded-resource": True,
            "properties": {"spec": _obj(x={"type": "string"})},
        },
    )
)


@pytest.mark.parametrize(
    ("spec", "expected_spec", "expected_paths"),
    [
        ({"replicas": 1}, {"replicas": 1}, []),
        ({"replicas": 1, "extra": 2}, {"replicas": 1}, ["spec.extra"]),
        (
            {"items": [{"name": "a", "x": 1}, {"y": 2}]},
            {"items": [{"name": "a"}, {}]},
            ["spec.items[0].x", "spec.items[1].y"],
        ),
        ({"labels": {"any": "thing"}}, {"labels": {"any": "thing"}}, []),
        ({"free": {"anything": {"deep": 1}}}, {"free": {"anything": {"deep": 1}}}, []),
        ({"free": {"known": {"a": 1, "b": 2}}}, {"free": {"known": {"a": 1}}}, ["spec.free.known.b"]),
        (
            {
                "template": {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": "p"},
                    "spec": {"x": "1", "y": 2},
                    "z": 3,
                }
            },
            {"template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"x": "1"}}},
            ["spec.template.spec.y", "spec.template.z"],
        ),
        ({"kind": "x", "metadata": {}}, {}, ["spec.kind", "spec.metadata"]),
    ],
)
def test_prune(spec: dict[str, Any], expected_spec: dict[str, Any], expected_paths: list[str]) -> None:
    obj = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": spec}
    assert prune(obj, SCHEMA, is_resource_root=True) == expected_paths
    assert obj == {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": expected_spec}


def test_prune_whole_custom_resource_reduces_metadata() -> None:
    obj = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "labels": {}, "bogus": 1, "ownerReferences": [{"name": "o", "zzz": 1}]},
        "spec": {
            "replicas": 1,
            "unknown": True,
            "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"foo": 1}},
        },
        "status": {},
    }
    assert prune_custom_resource(obj, SCHEMA) == [
        "metadata.bogus",
        "metadata.ownerReferences[0].zzz",
        "spec.unknown",
        "status",
        "spec.template.metadata.foo",
    ]
    assert obj["metadata"] == {"name": "w", "ownerReferences": [{"name": "o"}]}
    assert obj["spec"]["template"]["metadata"] == {}


def test_preserve_unknown_fields_at_the_root_keeps_everything() -> None:
    obj = {"apiVersion": "v", "kind": "K", "spec": {"a": {"b": 1}}}
    assert prune(obj, {"type": "object", "x-kubernetes-preserve-unknown-fields": True}, is_resource_root=True) == []
    assert obj["spec"] == {"a": {"b": 1}}


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"name": "x", "labels": {"a": "b"}}, ""),
        (
            {"labels": "x"},
            "json: cannot unmarshal string into Go struct field ObjectMeta.labels of type map[string]string",
        ),
        ({"labels": {"a": 1}}, "json: cannot unmarshal number into Go struct field ObjectMeta.labels of type string"),
        (
            {"generation": 1.5},
            "json: cannot unmarshal number 1.5 into Go struct field ObjectMeta.generation of type int64",
        ),
        (
            {"ownerReferences": [{"controller": "yes"}]},
            "json: cannot unmarshal string into Go struct field OwnerReference.ownerReferences.controller of type bool",
        ),
    ],
)
def test_metadata_decode_errors(meta: dict[str, Any], expected: str) -> None:
    assert decode_error(meta) == expected


LETTERS = {"a": {"default": "A"}, "b": {"default": "B"}}


@pytest.mark.parametrize(
    ("schema", "value", "expected"),
    [
        ({"type": "integer", "default": 3}, 4, 4),
        (
            {"type": "array", "items": {"properties": LETTERS}},
            [{"a": 1}, {"b": 1}],
            [{"a": 1, "b": "B"}, {"a": "A", "b": 1}],
        ),
        (
            _obj(
                object={"properties": LETTERS},
                map={"additionalProperties": {"properties": LETTERS}},
                foo={"default": "bar"},
            ),
            {"object": {"a": 1}, "map": {"x": {"a": 1}}},
            {"object": {"a": 1, "b": "B"}, "map": {"x": {"a": 1, "b": "B"}}, "foo": "bar"},
        ),
        (
            {"items": {"properties": {"a": {"default": "A"}}}},
            [{}, {"a": 0}, {"a": 0.0}, {"a": ""}, {"a": None}, {"a": []}, {"a": {}}],
            [{"a": "A"}, {"a": 0}, {"a": 0.0}, {"a": ""}, {"a": "A"}, {"a": []}, {"a": {}}],
        ),
        ({"items": {"default": "A"}}, [None], ["A"]),
        ({"properties": {"a": {"nullable": True, "default": "A"}}}, {"a": None}, {"a": None}),
        (_obj(spec=_obj(config={"type": "object", "properties": {"x": {"default": 1}}})), {}, {}),
        (
            _obj(spec=_obj(config={"type": "object", "default": {}, "properties": {"x": {"default": 1}}})),
            {"spec": {}},
            {"spec": {"config": {"x": 1}}},
        ),
    ],
)
def test_defaults(schema: dict[str, Any], value: Any, expected: Any) -> None:
    apply_defaults(value, schema)
    assert value == expected


def test_default_values_are_copies() -> None:
    schema = _obj(a={"type": "object", "default": {"list": [1]}})
    first: dict[str, Any] = {}
    second: dict[str, Any] = {}
    apply_defaults(first, schema)
    apply_defaults(second, schema)
    first["a"]["list"].append(2)
    assert second == {"a": {"list": [1]}} and schema["properties"]["a"]["default"] == {"list": [1]}


@pytest.mark.parametrize(
    ("schema", "value", "expected"),
    [
        (_obj(a={"type": "string"}), {"a": None}, {}),
        (_obj(a={"type": "string", "nullable": True}), {"a": None}, {"a": None}),
        (_obj(a={"type": "string", "default": "x"}), {"a": None}, {"a": None}),
        ({"type": "object", "additionalProperties": {"type": "string"}}, {"k": None}, {}),
        (_obj(l={"type": "array", "items": _obj(a={"type": "string"})}), {"l": [{"a": None}]}, {"l": [{}]}),
    ],
)
def test_prune_nulls(schema: dict[str, Any], value: dict[str, Any], expected: dict[str, Any]) -> None:
    prune_nulls(value, schema)
    assert value == expected


def test_decode_prunes_then_drops_nulls_then_defaults() -> None:
    schema = _obj(spec=_obj(replicas={"type": "integer", "default": 1}, mode={"type": "string"}))
    obj = {"apiVersion": "v", "kind": "K", "metadata": {"name": "n"}, "spec": {"replicas": None, "mode": None, "x": 1}}
    before = copy.deepcopy(obj)
    assert decode_custom_resource(obj, schema) == ["spec.x"]
    assert obj == {**before, "spec": {"replicas": 1}}
