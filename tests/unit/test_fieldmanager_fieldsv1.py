"""fieldsV1 encoding and decoding, path elements and their order, path strings."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.fieldmanager import fieldsv1
from apimachinery.fieldmanager.fieldset import FieldSet
from apimachinery.fieldmanager.path import (
    Path,
    field_element,
    index_element,
    key_element,
    path_of,
    path_string,
    value_element,
)

F = field_element
PORT_80 = key_element({"protocol": "TCP", "port": 80})


@pytest.mark.parametrize(
    ("paths", "encoded"),
    [
        ([], {}),
        ([path_of("data", "a")], {"f:data": {"f:a": {}}}),
        ([path_of("data"), path_of("data", "a")], {"f:data": {".": {}, "f:a": {}}}),
        (
            [path_of("data", "b"), path_of("data", "a"), path_of("metadata", "labels", "x")],
            {"f:data": {"f:a": {}, "f:b": {}}, "f:metadata": {"f:labels": {"f:x": {}}}},
        ),
        (
            [(F("spec"), F("ports"), PORT_80), (F("spec"), F("ports"), PORT_80, F("name"))],
            {"f:spec": {"f:ports": {'k:{"port":80,"protocol":"TCP"}': {".": {}, "f:name": {}}}}},
        ),
        (
            [(F("spec"), F("tags"), value_element("b")), (F("spec"), F("tags"), value_element(2))],
            {"f:spec": {"f:tags": {"v:2": {}, 'v:"b"': {}}}},
        ),
        ([(F("list"), index_element(3))], {"f:list": {"i:3": {}}}),
        (
            [
                (F("s"), F("z")),
                (F("s"), key_element({"a": "1"})),
                (F("s"), value_element("v")),
                (F("s"), index_element(0)),
            ],
            {"f:s": {"f:z": {}, 'k:{"a":"1"}': {}, 'v:"v"': {}, "i:0": {}}},
        ),
    ],
    ids=["empty", "leaf", "member-with-children", "sorted", "map-list-key", "set-values", "index", "kind-order"],
)
def test_encode_and_round_trip(paths: list[Path], encoded: dict[str, Any]) -> None:
    fields = FieldSet.of(paths)
    assert fieldsv1.encode(fields) == encoded
    assert list(fieldsv1.encode(fields)) == list(encoded)
    assert fieldsv1.decode(encoded) == fields


@pytest.mark.parametrize(
    ("raw", "paths"),
    [
        (None, []),
        ({"f:a": {}, "x:unknown": {"f:b": {}}}, [path_of("a")]),
        ({"f:a": {".": {}}}, [path_of("a")]),
        ({"f:a": {".": {}, "f:b": {}}}, [path_of("a"), path_of("a", "b")]),
        ({'k:{"b":2,"a":"x"}': {}}, [(key_element({"a": "x", "b": 2}),)]),
        ({"v:1.0": {}}, [(value_element(1),)]),
    ],
    ids=["null", "unknown-prefix-skipped", "dot-only", "dot-and-children", "key-fields-sorted", "number-forms"],
)
def test_decode(raw: Any, paths: list[Path]) -> None:
    assert fieldsv1.decode(raw) == FieldSet.of(paths)


@pytest.mark.parametrize("raw", [[], {"f:a": []}, {"k:[1]": {}}, {"v:{": {}}, {"a": {}}, {"i:x": {}}])
def test_decode_rejects_malformed(raw: Any) -> None:
    with pytest.raises(fieldsv1.FieldsV1Error):
        fieldsv1.decode(raw)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (path_of("data", "a"), ".data.a"),
        ((F("spec"), F("ports"), PORT_80, F("name")), '.spec.ports[port=80,protocol="TCP"].name'),
        ((F("spec"), F("tags"), value_element("x")), '.spec.tags[="x"]'),
        ((F("spec"), F("tags"), value_element(1.5)), ".spec.tags[=1.5]"),
        ((F("spec"), F("tags"), value_element(True)), ".spec.tags[=true]"),
        ((F("list"), index_element(2)), ".list[2]"),
    ],
)
def test_path_strings(path: Path, text: str) -> None:
    assert path_string(path) == text


def test_elements_order_fields_keys_values_indexes_and_values_by_type() -> None:
    elements = [
        index_element(0),
        value_element(None),
        value_element("a"),
        value_element(True),
        value_element(10),
        value_element(9),
        key_element({"a": 1}),
        F("b"),
        F("a"),
    ]
    assert sorted(elements) == [
        F("a"),
        F("b"),
        key_element({"a": 1}),
        value_element(9),
        value_element(10),
        value_element("a"),
        value_element(True),
        value_element(None),
        index_element(0),
    ]


def test_set_algebra() -> None:
    a = FieldSet.of([path_of("x"), path_of("x", "y"), path_of("z")])
    b = FieldSet.of([path_of("x")])
    assert a.difference(b) == FieldSet.of([path_of("x", "y"), path_of("z")])
    assert a.recursive_difference(b) == FieldSet.of([path_of("z")])
    assert a.intersection(FieldSet.of([path_of("x", "y"), path_of("w")])) == FieldSet.of([path_of("x", "y")])
    assert b.union(FieldSet.of([path_of("q", "r")])) == FieldSet.of([path_of("x"), path_of("q", "r")])
    assert a.has(path_of("x", "y")) and not a.has(path_of("y"))
    assert FieldSet.of([path_of("a", "b")]).difference(FieldSet.of([path_of("a", "b")])).empty()
