"""List and map types: which fields an object sets, how an apply merges, what a comparison reports."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.fieldmanager import fieldsv1
from apimachinery.fieldmanager.compare import compare
from apimachinery.fieldmanager.fieldset import FieldSet
from apimachinery.fieldmanager.fieldsof import fields_of, validate_config
from apimachinery.fieldmanager.manager import FieldManager
from apimachinery.fieldmanager.merge import merge, remove_items
from apimachinery.fieldmanager.typeinfo import TypeRef

PORT = {
    "type": "object",
    "properties": {
        "port": {"type": "integer"},
        "protocol": {"type": "string", "default": "TCP"},
        "name": {"type": "string"},
    },
}
SCHEMAS: dict[str, Any] = {
    "Thing": {
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"$ref": "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
            "spec": {"$ref": "ThingSpec", "description": "a reference with a description"},
        },
    },
    "ThingSpec": {
        "type": "object",
        "properties": {
            "atomic": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "atomic"},
            "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
            "ports": {
                "type": "array",
                "items": PORT,
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["port", "protocol"],
            },
            "legacy": {
                "type": "array",
                "items": {"type": "object", "properties": {"name": {"type": "string"}, "v": {"type": "string"}}},
                "x-kubernetes-patch-strategy": "merge",
                "x-kubernetes-patch-merge-key": "name",
            },
            "selector": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "x-kubernetes-map-type": "atomic",
            },
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            "replicas": {"type": "integer"},
        },
    },
}
ROOT = TypeRef.root(SCHEMAS, "Thing")


def _thing(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "x/v1", "kind": "Thing", "metadata": {"name": "t"}, "spec": spec}


def _encoded(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = fieldsv1.encode(fields_of(obj, ROOT)).get("f:spec", {})
    return spec


@pytest.mark.parametrize(
    ("spec", "encoded"),
    [
        ({"atomic": ["a", "b"]}, {"f:atomic": {}}),
        ({"tags": ["b", "a"]}, {"f:tags": {'v:"a"': {}, 'v:"b"': {}}}),
        (
            {"ports": [{"port": 80, "name": "web"}]},
            {"f:ports": {'k:{"port":80,"protocol":"TCP"}': {".": {}, "f:name": {}, "f:port": {}}}},
        ),
        ({"legacy": [{"name": "x", "v": "1"}]}, {"f:legacy": {'k:{"name":"x"}': {".": {}, "f:name": {}, "f:v": {}}}}),
        ({"selector": {"a": "b"}}, {"f:selector": {}}),
        ({"free": {"deep": {"er": 1}, "list": [1, 2]}}, {"f:free": {"f:deep": {".": {}, "f:er": {}}, "f:list": {}}}),
        ({"free": {}}, {"f:free": {}}),
        ({"replicas": None}, {"f:replicas": {}}),
        ({"tags": []}, {}),
    ],
    ids=[
        "atomic",
        "set",
        "map-with-default-key",
        "merge-key",
        "atomic-map",
        "deduced",
        "empty-map",
        "null",
        "empty-set",
    ],
)
def test_fields_of(spec: dict[str, Any], encoded: dict[str, Any]) -> None:
    assert _encoded(_thing(**spec)) == encoded


@pytest.mark.parametrize(
    ("live", "config", "merged"),
    [
        ({"atomic": ["a", "b"]}, {"atomic": ["c"]}, {"atomic": ["c"]}),
        ({"tags": ["a", "b"]}, {"tags": ["c", "a"]}, {"tags": ["c", "a", "b"]}),
        ({"tags": ["x", "a", "y"]}, {"tags": ["a", "z"]}, {"tags": ["x", "a", "y", "z"]}),
        (
            {"ports": [{"port": 80, "name": "a"}, {"port": 443, "name": "b"}]},
            {"ports": [{"port": 443, "protocol": "TCP", "name": "B"}, {"port": 53, "protocol": "UDP"}]},
            {
                "ports": [
                    {"port": 80, "name": "a"},
                    {"port": 443, "protocol": "TCP", "name": "B"},
                    {"port": 53, "protocol": "UDP"},
                ]
            },
        ),
        ({"selector": {"a": "1", "b": "2"}}, {"selector": {"c": "3"}}, {"selector": {"c": "3"}}),
        (
            {"free": {"a": {"x": 1}, "l": [1]}},
            {"free": {"a": {"y": 2}, "l": [2]}},
            {"free": {"a": {"x": 1, "y": 2}, "l": [2]}},
        ),
        ({"replicas": 1, "tags": ["a"]}, {"replicas": None}, {"replicas": None, "tags": ["a"]}),
    ],
    ids=["atomic-replaced", "set-union", "set-order", "map-by-keys", "atomic-map", "deduced", "null-scalar"],
)
def test_merge(live: dict[str, Any], config: dict[str, Any], merged: dict[str, Any]) -> None:
    assert merge(_thing(**live), _thing(**config), ROOT)["spec"] == merged


def test_compare_reports_whole_new_items_and_maps_as_added() -> None:
    changes = compare(_thing(tags=["a"]), _thing(tags=["a", "b"], ports=[{"port": 1}], replicas=2), ROOT)
    assert fieldsv1.encode(changes.added)["f:spec"] == {
        "f:ports": {".": {}, 'k:{"port":1,"protocol":"TCP"}': {".": {}, "f:port": {}}},
        "f:replicas": {},
        "f:tags": {'v:"b"': {}},
    }
    assert changes.modified.empty() and changes.removed.empty()
    changes = compare(_thing(atomic=["a"], selector={"x": "1"}), _thing(atomic=["b"], selector={"x": "2"}), ROOT)
    assert fieldsv1.encode(changes.modified)["f:spec"] == {"f:atomic": {}, "f:selector": {}}
    changes = compare(_thing(free={"a": 1}), _thing(), ROOT)
    assert fieldsv1.encode(changes.removed)["f:spec"] == {"f:free": {".": {}, "f:a": {}}}


def test_remove_items_drops_members_with_their_subtrees() -> None:
    obj = _thing(tags=["a", "b"], ports=[{"port": 1, "name": "x"}], free={"k": 1})
    fields = FieldSet()
    for path in fields_of(_thing(tags=["a"], free={"k": 1}), ROOT).paths():
        if path[0].name == "spec":
            fields.insert(path)
    assert remove_items(obj, fields, ROOT)["spec"] == {"tags": ["b"], "ports": [{"port": 1, "name": "x"}]}


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        (
            {"legacy": [{"v": "x"}]},
            '.spec.legacy: element 0: associative list with keys has an element that omits all key fields ["name"]'
            " (and doesn't have default values for any key fields)",
        ),
        ({"ports": [{"name": "x"}]}, []),
        ({"tags": ["a", "a"]}, '.spec.tags: duplicate entries for key [="a"]'),
        ({"legacy": [{"name": "x"}, {"name": "x"}]}, '.spec.legacy: duplicate entries for key [name="x"]'),
        ({"unknown": 1}, ".spec.unknown: field not declared in schema"),
        ({"tags": [{"a": 1}]}, ".spec.tags: element 0: associative list without keys has an element that's a map type"),
    ],
)
def test_validate_config(spec: dict[str, Any], problem: str | list[str]) -> None:
    assert validate_config(_thing(**spec), ROOT) == ([problem] if isinstance(problem, str) else problem)


def test_apply_of_a_map_list_item_by_two_managers_owns_by_key() -> None:
    manager = FieldManager(ROOT, "x", "v1", "Thing")
    first = manager.apply({}, _thing(ports=[{"port": 80, "name": "a"}]), "one", force=False, now="t")
    first["metadata"]["uid"] = "u"
    second = manager.apply(first, _thing(ports=[{"port": 443, "name": "b"}]), "two", force=False, now="t")
    assert second["spec"]["ports"] == [{"port": 80, "name": "a"}, {"port": 443, "name": "b"}]
    owned = {e["manager"]: e["fieldsV1"]["f:spec"] for e in second["metadata"]["managedFields"]}
    assert owned["two"] == {"f:ports": {'k:{"port":443,"protocol":"TCP"}': {".": {}, "f:name": {}, "f:port": {}}}}
    second["metadata"]["uid"] = "u"
    dropped = manager.apply(second, _thing(), "one", force=False, now="t")
    assert dropped["spec"]["ports"] == [{"port": 443, "name": "b"}]
