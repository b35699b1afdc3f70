"""Strategic merge patch: per-kind strategies, directives, upstream orderings and error answers."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.errors import StatusError
from apimachinery.patch.meta import PatchMeta, merge_list, replace
from apimachinery.patch.strategic import patch_meta_for, strategic_merge_patch

CONFIGMAP = patch_meta_for("", "ConfigMap")
assert CONFIGMAP is not None

# A synthetic type: `tags` merges as a set, `ports` merges by `port`, `args` is replaced.
SYNTHETIC = PatchMeta({"tags": merge_list(), "ports": merge_list("port"), "args": replace()})


def _meta(group: str, kind: str) -> PatchMeta:
    meta = patch_meta_for(group, kind)
    assert meta is not None
    return meta


def _ref(uid: str, **extra: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "name": f"owner-{uid}", "uid": uid, **extra}


@pytest.mark.parametrize(
    ("description", "original", "patch", "expected"),
    [
        (
            "finalizers merge as a set; a new item goes before the live ones",
            {"metadata": {"finalizers": ["a"]}},
            {"metadata": {"finalizers": ["b"]}},
            {"metadata": {"finalizers": ["b", "a"]}},
        ),
        (
            "finalizers already present are not duplicated",
            {"metadata": {"finalizers": ["x/a", "x/b"]}},
            {"metadata": {"finalizers": ["x/b", "x/c"]}},
            {"metadata": {"finalizers": ["x/a", "x/b", "x/c"]}},
        ),
        (
            "null deletes the finalizers field",
            {"metadata": {"finalizers": ["a"], "name": "n"}},
            {"metadata": {"finalizers": None}},
            {"metadata": {"name": "n"}},
        ),
        (
            "$deleteFromPrimitiveList removes items",
            {"metadata": {"finalizers": ["a", "b", "c"]}},
            {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b", "zzz"]}},
            {"metadata": {"finalizers": ["a", "c"]}},
        ),
        (
            "$deleteFromPrimitiveList on an absent list adds nothing",
            {"metadata": {"name": "n"}},
            {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}},
            {"metadata": {"name": "n"}},
        ),
        (
            "$setElementOrder sets the order; a server-only item goes before the patch item it preceded live",
            {"metadata": {"finalizers": ["a", "b", "z", "c"]}},
            {"metadata": {"$setElementOrder/finalizers": ["c", "a", "b"]}},
            {"metadata": {"finalizers": ["z", "c", "a", "b"]}},
        ),
        (
            "maps merge and null deletes a key",
            {"data": {"a": "1", "b": "2"}, "metadata": {"labels": {"x": "1"}}},
            {"data": {"a": None, "c": "3"}, "metadata": {"labels": {"y": "2"}}},
            {"data": {"b": "2", "c": "3"}, "metadata": {"labels": {"x": "1", "y": "2"}}},
        ),
        (
            "$patch: replace replaces a map",
            {"metadata": {"labels": {"x": "1", "y": "2"}}},
            {"metadata": {"labels": {"$patch": "replace", "z": "3"}}},
            {"metadata": {"labels": {"z": "3"}}},
        ),
        (
            "$patch: delete empties a map",
            {"data": {"a": "1"}},
            {"data": {"$patch": "delete"}},
            {"data": {}},
        ),
        (
            "$patch: replace at the top replaces the whole object",
            {"data": {"a": "1"}, "kind": "ConfigMap"},
            {"$patch": "replace", "data": {"b": "2"}},
            {"data": {"b": "2"}},
        ),
        (
            "a new map drops its nulls; a new map carrying $patch is not added",
            {"kind": "ConfigMap"},
            {"data": {"a": "1", "b": None}, "metadata": {"labels": {"$patch": "replace", "x": "1"}}},
            {"kind": "ConfigMap", "data": {"a": "1"}, "metadata": {}},
        ),
        (
            "managedFields are replaced whole",
            {"metadata": {"managedFields": [{"manager": "a"}, {"manager": "b"}]}},
            {"metadata": {"managedFields": [{"manager": "c"}]}},
            {"metadata": {"managedFields": [{"manager": "c"}]}},
        ),
        (
            "a scalar replaces a map of a different type",
            {"data": {"a": "1"}},
            {"data": "oops"},
            {"data": "oops"},
        ),
    ],
)
def test_configmap(description: str, original: dict[str, Any], patch: dict[str, Any], expected: Any) -> None:
    assert strategic_merge_patch(original, patch, CONFIGMAP) == expected, description


@pytest.mark.parametrize(
    ("description", "original", "patch", "expected"),
    [
        (
            "an owner reference with a known uid is merged in place",
            [_ref("u1"), _ref("u2")],
            [{"uid": "u2", "controller": True}],
            [_ref("u1"), _ref("u2", controller=True)],
        ),
        (
            "an owner reference with a new uid is added",
            [_ref("u1")],
            [_ref("u9")],
            [_ref("u9"), _ref("u1")],
        ),
        (
            "$patch: delete removes by uid",
            [_ref("u1"), _ref("u2")],
            [{"uid": "u1", "$patch": "delete"}],
            [_ref("u2")],
        ),
        (
            "$patch: replace item replaces the list with the other items",
            [_ref("u1"), _ref("u2")],
            [{"$patch": "replace"}, _ref("u3")],
            [_ref("u3")],
        ),
        (
            "patch order first, server-only items woven by live order",
            [_ref("u1"), _ref("u2"), _ref("u3")],
            [{"uid": "u3"}, {"uid": "u1"}],
            [_ref("u2"), _ref("u3"), _ref("u1")],
        ),
    ],
)
def test_owner_references_merge_by_uid(
    description: str, original: list[Any], patch: list[Any], expected: list[Any]
) -> None:
    result = strategic_merge_patch(
        {"metadata": {"ownerReferences": original}}, {"metadata": {"ownerReferences": patch}}, CONFIGMAP
    )
    assert result == {"metadata": {"ownerReferences": expected}}, description


def test_set_element_order_with_delete_and_add_matches_upstream_order() -> None:
    original = {"metadata": {"ownerReferences": [_ref("u1"), _ref("u2"), _ref("u4")]}}
    patch = {
        "metadata": {
            "$setElementOrder/ownerReferences": [{"uid": "u2"}, {"uid": "u3"}],
            "ownerReferences": [_ref("u3"), {"uid": "u1", "$patch": "delete"}],
        }
    }
    result = strategic_merge_patch(original, patch, CONFIGMAP)
    assert [ref["uid"] for ref in result["metadata"]["ownerReferences"]] == ["u2", "u4", "u3"]


@pytest.mark.parametrize(
    ("original", "patch", "expected"),
    [
        ({"tags": [1, 2, 3]}, {"tags": [3, 1]}, {"tags": [2, 3, 1]}),
        ({"tags": [1, 2, 3]}, {"tags": [3, 1, 2]}, {"tags": [3, 1, 2]}),
        ({"tags": [1, 2]}, {"tags": [2, 3]}, {"tags": [1, 2, 3]}),
        ({"tags": [1, 4, 2]}, {"$setElementOrder/tags": [3, 1, 2], "tags": [3]}, {"tags": [3, 1, 4, 2]}),
        ({"tags": [1, 3]}, {"$setElementOrder/tags": [3, 2, 1]}, {"tags": [3, 1]}),
        ({"args": [1, 2, 3]}, {"$deleteFromPrimitiveList/args": [2]}, {"args": [1, 3]}),
        ({"args": ["a", "b"]}, {"args": ["c"]}, {"args": ["c"]}),
        (
            {"ports": [{"port": 1}, {"port": 2, "v": "b"}, {"port": 3}]},
            {"ports": [{"port": 3, "v": "c"}, {"port": 1, "v": "a"}]},
            {"ports": [{"port": 2, "v": "b"}, {"port": 3, "v": "c"}, {"port": 1, "v": "a"}]},
        ),
        (
            {"ports": [{"port": 1}, {"port": 1}, {"port": 2}]},
            {"ports": [{"port": 1, "$patch": "delete"}]},
            {"ports": [{"port": 2}]},
        ),
        ({"ports": [{"port": 1}]}, {"ports": [{"$patch": "replace"}]}, {"ports": []}),
        ({"spec": {"a": 1}}, {"$retainKeys": ["spec", "x"], "x": 2}, {"spec": {"a": 1}, "x": 2}),
        ({"spec": {"a": 1}, "y": 1}, {"$retainKeys": ["x"], "x": 2}, {"x": 2}),
    ],
)
def test_generic_behaviour(original: dict[str, Any], patch: dict[str, Any], expected: dict[str, Any]) -> None:
    assert strategic_merge_patch(original, patch, SYNTHETIC) == expected


@pytest.mark.parametrize(
    ("group", "kind", "original", "patch", "expected"),
    [
        (
            "",
            "ServiceAccount",
            {"secrets": [{"name": "a"}], "imagePullSecrets": [{"name": "p"}]},
            {"secrets": [{"name": "b"}], "imagePullSecrets": [{"name": "q"}]},
            {"secrets": [{"name": "b"}, {"name": "a"}], "imagePullSecrets": [{"name": "q"}]},
        ),
        (
            "",
            "Namespace",
            {
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"conditions": [{"type": "A", "status": "True"}, {"type": "B", "status": "True"}]},
            },
            {"spec": {"finalizers": ["x/y"]}, "status": {"conditions": [{"type": "B", "status": "False"}]}},
            {
                "spec": {"finalizers": ["x/y"]},
                "status": {"conditions": [{"type": "A", "status": "True"}, {"type": "B", "status": "False"}]},
            },
        ),
        (
            "rbac.authorization.k8s.io",
            "Role",
            {"rules": [{"verbs": ["get"], "resources": ["a"]}]},
            {"rules": [{"verbs": ["list"], "resources": ["b"]}]},
            {"rules": [{"verbs": ["list"], "resources": ["b"]}]},
        ),
        (
            "rbac.authorization.k8s.io",
            "ClusterRole",
            {"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"a": "1"}}]}},
            {"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"b": "2"}}]}},
            {"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"b": "2"}}]}},
        ),
        (
            "rbac.authorization.k8s.io",
            "ClusterRoleBinding",
            {"subjects": [{"kind": "User", "name": "a"}], "roleRef": {"kind": "ClusterRole", "name": "r"}},
            {"subjects": [{"kind": "User", "name": "b"}], "roleRef": {"name": "s"}},
            {"subjects": [{"kind": "User", "name": "b"}], "roleRef": {"kind": "ClusterRole", "name": "s"}},
        ),
        (
            "",
            "Event",
            {"count": 1, "series": {"count": 2}, "involvedObject": {"name": "x"}},
            {"count": 2, "series": {"lastObservedTime": "t"}},
            {"count": 2, "series": {"count": 2, "lastObservedTime": "t"}, "involvedObject": {"name": "x"}},
        ),
    ],
)
def test_kind_strategies(
    group: str, kind: str, original: dict[str, Any], patch: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert strategic_merge_patch(original, patch, _meta(group, kind)) == expected


@pytest.mark.parametrize(
    ("group", "kind"),
    [
        ("", "Namespace"),
        ("", "ConfigMap"),
        ("", "Secret"),
        ("", "ServiceAccount"),
        ("", "Event"),
        ("events.k8s.io", "Event"),
        ("coordination.k8s.io", "Lease"),
        ("rbac.authorization.k8s.io", "Role"),
        ("rbac.authorization.k8s.io", "ClusterRole"),
        ("rbac.authorization.k8s.io", "RoleBinding"),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ],
)
def test_every_builtin_kind_has_object_meta_strategies(group: str, kind: str) -> None:
    result = strategic_merge_patch(
        {"metadata": {"finalizers": ["a"]}}, {"metadata": {"finalizers": ["b"]}}, _meta(group, kind)
    )
    assert result == {"metadata": {"finalizers": ["b", "a"]}}


@pytest.mark.parametrize(
    ("group", "kind"),
    [
        ("example.com", "Widget"),
        ("core.kcp.io", "LogicalCluster"),
        ("tenancy.kcp.io", "Workspace"),
        ("", "Pod"),
    ],
)
def test_kinds_without_metadata_are_unsupported(group: str, kind: str) -> None:
    assert patch_meta_for(group, kind) is None


GENERIC_500 = (500, "")
INVALID_422 = (422, "Invalid")
BAD_400 = (400, "BadRequest")


@pytest.mark.parametrize(
    ("original", "patch", "status", "message"),
    [
        (
            {"ports": [{"port": 1}]},
            {"ports": [{"v": "x"}]},
            GENERIC_500,
            "map: map[v:x] does not contain declared merge key: port",
        ),
        (
            {"ports": [{"port": 1}]},
            {"ports": [{"$patch": "merge"}]},
            GENERIC_500,
            "merging lists cannot yet be specified in the patch",
        ),
        (
            {"ports": [{"port": 1}]},
            {"ports": [{"port": 1, "$patch": "other"}]},
            GENERIC_500,
            "unknown patch type: other in map: map[$patch:other port:1]",
        ),
        (
            {"spec": {"a": 1}},
            {"spec": {"$patch": "merge"}},
            GENERIC_500,
            "unknown patch type: merge in map: map[$patch:merge]",
        ),
        ({"tags": [1]}, {"tags": ["x"]}, GENERIC_500, "list element types are not identical: [[1] [x]]"),
        (
            {"tags": [[1]]},
            {"tags": [[2]]},
            INVALID_422,
            "the server rejected our request due to an error in our request",
        ),
        ({}, {"$deleteFromPrimitiveListX/tags": [1]}, BAD_400, "invalid patch format of primitive list"),
        (
            {"tags": [1]},
            {"$setElementOrderX/tags": [1]},
            BAD_400,
            "invalid patch format of setElementOrder list",
        ),
        ({}, {"$retainKeys": "spec"}, BAD_400, "invalid patch format of retainKeys"),
        ({"spec": 1}, {"$retainKeys": ["spec"], "other": 2}, BAD_400, "invalid patch format of retainKeys"),
        (
            {"tags": [1, 3, 2]},
            {"$setElementOrder/tags": [1, 2, 3], "tags": [3, 1]},
            GENERIC_500,
            "The order in patch list:\n[3 1]\n doesn't match $setElementOrder list:\n[1 2 3]\n",
        ),
        (
            {"tags": "x"},
            {"$setElementOrder/tags": ["x"]},
            GENERIC_500,
            "expected a []interface {}, but received a string",
        ),
        (
            {},
            {"$setElementOrder/tags": [1], "tags": None},
            GENERIC_500,
            "expected a []interface {}, but received a %!s(<nil>)",
        ),
    ],
)
def test_errors(original: dict[str, Any], patch: Any, status: tuple[int, str], message: str) -> None:
    with pytest.raises(StatusError) as raised:
        strategic_merge_patch(original, patch, SYNTHETIC)
    assert (raised.value.code, raised.value.reason) == status
    assert raised.value.message == message


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ([], "json: cannot unmarshal array into Go value of type map[string]interface {}"),
        ("x", "json: cannot unmarshal string into Go value of type map[string]interface {}"),
        (3, "json: cannot unmarshal number into Go value of type map[string]interface {}"),
    ],
)
def test_a_patch_that_is_not_an_object_is_400(patch: Any, message: str) -> None:
    with pytest.raises(StatusError) as raised:
        strategic_merge_patch({}, patch, CONFIGMAP)
    assert (raised.value.code, raised.value.message) == (400, message)


def test_null_patch_changes_nothing() -> None:
    assert strategic_merge_patch({"data": {"a": "1"}}, None, CONFIGMAP) == {"data": {"a": "1"}}


def test_inputs_are_not_modified() -> None:
    original = {"metadata": {"finalizers": ["a"], "labels": {"x": "1"}}}
    patch = {"metadata": {"finalizers": ["b"], "labels": {"$patch": "replace"}}}
    strategic_merge_patch(original, patch, CONFIGMAP)
    assert original == {"metadata": {"finalizers": ["a"], "labels": {"x": "1"}}}
    assert patch == {"metadata": {"finalizers": ["b"], "labels": {"$patch": "replace"}}}
