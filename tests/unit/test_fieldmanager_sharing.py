"""Field sets share the subtrees their operations leave alone, schema positions are resolved once, and a
created value is added position by position without a path per position: none of it shows in results."""

from __future__ import annotations

from typing import Any

from apimachinery.fieldmanager import fieldsv1
from apimachinery.fieldmanager.compare import compare
from apimachinery.fieldmanager.entries import Managed, ManagerId, Owned
from apimachinery.fieldmanager.fieldset import FieldSet
from apimachinery.fieldmanager.path import field_element, path_of
from apimachinery.fieldmanager.typeinfo import TypeRef
from tests.unit.test_fieldmanager_lists import ROOT, SCHEMAS

A, B = FieldSet.of([path_of("spec", "a", "x"), path_of("data")]), FieldSet.of([path_of("spec", "b")])


def _snapshot(fields: FieldSet) -> dict[str, Any]:
    return fieldsv1.encode(fields)


def test_operations_leave_their_operands_as_they_were() -> None:
    before = (_snapshot(A), _snapshot(B))
    union = A.union(B)
    assert (
        union.children[field_element("spec")].children[field_element("a")]
        is A.children[field_element("spec")].children[field_element("a")]
    ), "an untouched subtree is shared, not copied"
    rest = union.difference(FieldSet.of([path_of("spec", "b")]))
    gone = union.recursive_difference(FieldSet.of([path_of("spec")]))
    assert (_snapshot(A), _snapshot(B)) == before
    assert _snapshot(union) == {"f:data": {}, "f:spec": {"f:a": {"f:x": {}}, "f:b": {}}}
    assert _snapshot(rest) == {"f:data": {}, "f:spec": {"f:a": {"f:x": {}}}}
    assert _snapshot(gone) == {"f:data": {}}


def test_a_managed_copy_can_change_its_owners_without_touching_the_original() -> None:
    manager = ManagerId("m", "Update", "v1")
    original = Managed({manager: Owned(A, "v1", False)}, {manager: "t"})
    copied = original.copy()
    copied.owners[manager].fields = copied.owners[manager].fields.difference(FieldSet.of([path_of("data")]))
    del copied.times[manager]
    assert original.owners[manager].fields is A and original.times == {manager: "t"}
    assert _snapshot(copied.owners[manager].fields) == {"f:spec": {"f:a": {"f:x": {}}}}


def test_schema_positions_are_resolved_once_per_schema_set() -> None:
    assert TypeRef.root(SCHEMAS, "Thing") is ROOT
    spec = ROOT.field("spec")
    assert spec is ROOT.field("spec") and spec.field("ports").items() is spec.field("ports").items()
    assert spec.field("free").field("anything") is spec.field("free").field("else"), "one type for free keys"
    assert TypeRef.root(dict(SCHEMAS), "Thing") is not ROOT, "another schema set gets its own"


def test_a_created_value_is_added_with_every_position_under_it() -> None:
    spec = {
        "tags": ["a", "a", "b"],  # a set item given twice is added as a whole
        "ports": [{"port": 1}],
        "atomic": ["x"],
        "selector": {"k": "v"},
        "free": {"deep": {"er": None}, "empty": {}},
        "legacy": [],
        "replicas": None,
    }
    changes = compare({"apiVersion": "x/v1"}, {"apiVersion": "x/v1", "spec": spec}, ROOT)
    assert _snapshot(changes.added) == {
        "f:spec": {
            ".": {},
            "f:atomic": {},
            "f:free": {".": {}, "f:deep": {".": {}, "f:er": {}}, "f:empty": {}},
            "f:legacy": {},
            "f:ports": {".": {}, 'k:{"port":1,"protocol":"TCP"}': {".": {}, "f:port": {}}},
            "f:replicas": {},
            "f:selector": {},
            "f:tags": {".": {}, 'v:"a"': {}, 'v:"b"': {}},
        }
    }
    assert changes.modified.empty() and changes.removed.empty()
