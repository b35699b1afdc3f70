"""Who owns which field after creates, updates and applies; conflicts; managedFields sent by clients."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from apimachinery import errors
from apimachinery.apis.core_v1 import CONFIGMAPS, NAMESPACES
from apimachinery.fieldmanager import FieldManager, prefix_from_user_agent
from apimachinery.fieldmanager.fieldset import FieldSet
from apimachinery.fieldmanager.path import path_of

T0, T1, T2 = "2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z", "2024-01-01T00:00:02Z"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
CM = FieldManager.of(CONFIGMAPS.schemas, CONFIGMAPS.schema_name, "", "v1", "ConfigMap")


def _cm(data: dict[str, str] | None = None, **meta: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "demo", **meta}}
    if data is not None:
        obj["data"] = data
    return obj


def _stored(obj: dict[str, Any]) -> dict[str, Any]:
    """What the store keeps after a create: server metadata filled in."""
    out = copy.deepcopy(obj)
    out["metadata"].update(uid="u-1", resourceVersion="1", namespace="d")
    return out


def _owners(obj: dict[str, Any]) -> dict[str, Any]:
    return {f"{e['manager']}/{e['operation']}": e["fieldsV1"] for e in obj["metadata"].get("managedFields", [])}


def test_create_owns_everything_it_set_with_dot_for_new_maps() -> None:
    created = CM.update({}, _cm({"a": "1"}, labels={"app": "x"}), "kubectl-create", now=T0)
    assert created["metadata"]["managedFields"] == [
        {
            "manager": "kubectl-create",
            "operation": "Update",
            "apiVersion": "v1",
            "time": T0,
            "fieldsType": "FieldsV1",
            "fieldsV1": {
                "f:data": {".": {}, "f:a": {}},
                "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
            },
        }
    ]


def test_update_takes_changed_fields_from_other_managers_and_drops_empty_ones() -> None:
    live = _stored(CM.update({}, _cm({"a": "1", "b": "2"}), "creator", now=T0))
    new = copy.deepcopy(live)
    new["data"] = {"a": "9", "b": "2", "c": "3"}
    updated = CM.update(live, new, "editor", now=T1)
    assert _owners(updated) == {
        "creator/Update": {"f:data": {".": {}, "f:b": {}}},
        "editor/Update": {"f:data": {"f:a": {}, "f:c": {}}},
    }
    again = copy.deepcopy(_stored(updated))
    again["data"] = {"x": "1"}
    final = CM.update(_stored(updated), again, "editor", now=T2)
    assert _owners(final) == {"creator/Update": {"f:data": {}}, "editor/Update": {"f:data": {"f:x": {}}}}


def test_one_entry_per_manager_and_no_entry_for_a_change_of_nothing() -> None:
    live = _stored(CM.update({}, _cm({"a": "1"}), "m", now=T0))
    new = copy.deepcopy(live)
    new["data"]["b"] = "2"
    updated = CM.update(live, new, "m", now=T1)
    [entry] = updated["metadata"]["managedFields"]
    assert (entry["fieldsV1"], entry["time"]) == ({"f:data": {".": {}, "f:a": {}, "f:b": {}}}, T1)
    unchanged = CM.update(_stored(updated), copy.deepcopy(_stored(updated)), "other", now=T2)
    assert _owners(unchanged) == _owners(updated)


def test_an_object_never_tracked_stays_untracked_on_update() -> None:
    live = _stored(_cm({"a": "1"}))
    new = copy.deepcopy(live)
    new["data"]["a"] = "2"
    assert "managedFields" not in CM.update(live, new, "m", now=T0)["metadata"]


def test_managed_fields_sent_by_the_client_replace_the_stored_ones() -> None:
    live = _stored(CM.update({}, _cm({"a": "1"}), "creator", now=T0))
    sent = [
        {
            "manager": "mine",
            "operation": "Apply",
            "apiVersion": "v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {"f:a": {}}},
        }
    ]
    new = copy.deepcopy(live)
    new["metadata"]["managedFields"] = sent
    assert CM.update(live, new, "kubectl", now=T1)["metadata"]["managedFields"] == sent
    new["metadata"]["managedFields"] = []
    assert "managedFields" not in CM.update(live, new, "kubectl", now=T1)["metadata"]
    new["metadata"]["managedFields"] = [{"manager": "bad", "operation": "Delete"}]
    assert _owners(CM.update(live, new, "kubectl", now=T1)) == _owners(live)


def test_a_subresource_write_ignores_sent_managed_fields() -> None:
    status = FieldManager.of(
        NAMESPACES.schemas,
        NAMESPACES.schema_name,
        "",
        "v1",
        "Namespace",
        subresource="status",
        ignore=lambda fields: FieldSet.of(p for p in fields.paths() if p[:1] == path_of("status")),
    )
    live = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n", "uid": "u"}, "status": {"phase": "A"}}
    live = status.update({}, live, "creator", now=T0) | {"metadata": {**live["metadata"]}}
    live["metadata"]["managedFields"] = [
        {
            "manager": "c",
            "operation": "Update",
            "apiVersion": "v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:status": {"f:phase": {}}},
        }
    ]
    new = copy.deepcopy(live)
    new["status"] = {"phase": "B"}
    new["metadata"]["labels"] = {"x": "y"}
    new["metadata"]["managedFields"] = []
    entries = status.update(live, new, "writer", now=T1)["metadata"]["managedFields"]
    assert entries == [
        {
            "manager": "writer",
            "operation": "Update",
            "apiVersion": "v1",
            "time": T1,
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:status": {"f:phase": {}}},
            "subresource": "status",
        }
    ]


@pytest.mark.parametrize(
    ("user_agent", "manager"),
    [
        ("kubectl/v1.37.0 (linux/amd64) kubernetes/abc", "kubectl"),
        ("OpenAPI-Generator/37.0.2/python", "OpenAPI-Generator"),
        ("no-slash", "no-slash"),
        ("tab\there/1", "tabhere"),
        ("", ""),
        ("x" * 200 + "/1", "x" * 128),
        ("é" * 100, "é" * 64),
    ],
)
def test_manager_from_user_agent(user_agent: str, manager: str) -> None:
    assert prefix_from_user_agent(user_agent) == manager


def test_empty_manager_name_is_unknown() -> None:
    assert _owners(CM.update({}, _cm({"a": "1"}), "", now=T0)) == {"unknown/Update": {"f:data": {".": {}, "f:a": {}}}}


# ---- apply ---------------------------------------------------------------------------------------
def test_apply_creates_and_owns_exactly_the_configuration() -> None:
    created = CM.apply({}, _cm({"a": "1"}), "applier", force=False, now=T0)
    assert created["data"] == {"a": "1"}
    assert created["metadata"]["managedFields"] == [
        {
            "manager": "applier",
            "operation": "Apply",
            "apiVersion": "v1",
            "time": T0,
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:data": {"f:a": {}}},
        }
    ]


def test_apply_conflicts_then_force_takes_ownership() -> None:
    live = _stored(CM.apply({}, _cm({"a": "1", "b": "2"}), "first", force=False, now=T0))
    with pytest.raises(errors.StatusError) as conflict:
        CM.apply(live, _cm({"a": "9"}), "second", force=False, now=T1)
    assert conflict.value.to_status() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "reason": "Conflict",
        "code": 409,
        "message": 'Apply failed with 1 conflict: conflict with "first": .data.a',
        "details": {
            "causes": [{"reason": "FieldManagerConflict", "message": 'conflict with "first"', "field": ".data.a"}]
        },
    }
    forced = CM.apply(live, _cm({"a": "9"}), "second", force=True, now=T1)
    assert forced["data"] == {"a": "9", "b": "2"}
    assert _owners(forced) == {"first/Apply": {"f:data": {"f:b": {}}}, "second/Apply": {"f:data": {"f:a": {}}}}


def test_several_conflicts_are_grouped_by_manager() -> None:
    live = _stored(CM.update({}, _cm({"a": "1", "b": "1", "c": "1"}), "zeta", now=T0))
    live = CM.apply(live, _cm({"c": "1"}), "alpha", force=False, now=T0)
    live = CM.update(
        live,
        _cm({"a": "1", "b": "1", "c": "1"}, uid="u", managedFields=live["metadata"]["managedFields"]),
        "zeta",
        now=T0,
    )
    with pytest.raises(errors.StatusError) as conflict:
        CM.apply(live, _cm({"a": "2", "b": "2", "c": "2"}), "me", force=False, now=T1)
    assert conflict.value.message == (
        'Apply failed with 4 conflicts: conflicts with "alpha":\n- .data.c\n'
        'conflicts with "zeta" using v1:\n- .data.a\n- .data.b\n- .data.c'
    )
    assert [c.message for c in conflict.value.causes] == ['conflict with "alpha"'] + [
        'conflict with "zeta" using v1'
    ] * 3


def test_applying_the_same_value_shares_ownership_without_conflict() -> None:
    live = _stored(CM.apply({}, _cm({"a": "1"}), "first", force=False, now=T0))
    shared = CM.apply(live, _cm({"a": "1"}), "second", force=False, now=T1)
    owners = _owners(shared)
    assert owners == {"first/Apply": {"f:data": {"f:a": {}}}, "second/Apply": {"f:data": {"f:a": {}}}}
    second = next(e for e in shared["metadata"]["managedFields"] if e["manager"] == "second")
    assert "time" not in second  # the object did not change


def test_fields_no_longer_applied_are_removed_unless_someone_else_owns_them() -> None:
    live = _stored(CM.apply({}, _cm({"a": "1", "b": "2", "c": "3"}), "me", force=False, now=T0))
    live = _stored(CM.apply(live, _cm({"c": "3"}), "friend", force=False, now=T0))
    pruned = CM.apply(live, _cm({"a": "1"}), "me", force=False, now=T1)
    assert pruned["data"] == {"a": "1", "c": "3"}
    assert _owners(pruned) == {"friend/Apply": {"f:data": {"f:c": {}}}, "me/Apply": {"f:data": {"f:a": {}}}}
    emptied = CM.apply(_stored(pruned), _cm(), "me", force=False, now=T2)
    assert emptied["data"] == {"c": "3"}


def test_fields_an_updater_changed_are_kept_when_the_applier_drops_them() -> None:
    live = _stored(CM.apply({}, _cm({"a": "1", "b": "2"}), "me", force=False, now=T0))
    edited = copy.deepcopy(live)
    edited["data"]["b"] = "edited"
    live = _stored(CM.update(live, edited, "editor", now=T1))
    assert CM.apply(live, _cm({"a": "1"}), "me", force=False, now=T2)["data"] == {"a": "1", "b": "edited"}


def test_first_apply_credits_existing_fields_to_before_first_apply() -> None:
    live = _stored(_cm({"a": "1", "b": "2"}))
    applied = CM.apply(live, _cm({"a": "1"}), "me", force=False, now=T0)
    assert _owners(applied) == {
        "me/Apply": {"f:data": {"f:a": {}}},
        "before-first-apply/Update": {"f:data": {".": {}, "f:a": {}, "f:b": {}}},
    }
    with pytest.raises(errors.StatusError):
        CM.apply(live, _cm({"b": "3"}), "me", force=False, now=T0)


def test_kubectl_after_client_side_apply_takes_over_unchanged_last_applied_fields() -> None:
    config = _cm({"a": "1", "b": "2"})
    annotated = _cm({"a": "1", "b": "2"}, annotations={LAST_APPLIED: json.dumps(config)})
    live = _stored(CM.update({}, annotated, "kubectl-client-side-apply", now=T0))
    applied = CM.apply(live, _cm({"a": "changed", "b": "2"}), "kubectl", force=False, now=T1)
    assert applied["data"] == {"a": "changed", "b": "2"}
    assert json.loads(applied["metadata"]["annotations"][LAST_APPLIED]) == _cm({"a": "changed", "b": "2"})
    edited = copy.deepcopy(live)
    edited["data"]["b"] = "by-hand"
    live = _stored(CM.update(live, edited, "kubectl-edit", now=T1))
    with pytest.raises(errors.StatusError) as conflict:
        CM.apply(live, _cm({"a": "x", "b": "y"}), "kubectl", force=False, now=T2)
    assert conflict.value.message == 'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.b'
    with pytest.raises(errors.StatusError):
        CM.apply(live, _cm({"a": "x"}), "someone-else", force=False, now=T2)


@pytest.mark.parametrize(
    ("config", "code", "message"),
    [
        (
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "demo"}},
            400,
            "invalid object type: /v1, Kind=Secret",
        ),
        ({"kind": "ConfigMap", "metadata": {"name": "demo"}}, 400, "invalid object type: /, Kind=ConfigMap"),
        (_cm(managedFields=[]), 400, "metadata.managedFields must be nil"),
        (
            {**_cm({"a": "1"}), "sops": {"mac": "x"}},
            500,
            "failed to create typed patch object (/demo; /v1, Kind=ConfigMap): .sops: field not declared in schema",
        ),
    ],
)
def test_invalid_configurations(config: dict[str, Any], code: int, message: str) -> None:
    with pytest.raises(errors.StatusError) as failure:
        CM.apply({}, config, "me", force=False, now=T0)
    assert (failure.value.code, failure.value.message) == (code, message)


def test_update_managers_beyond_ten_are_folded_into_ancient_changes() -> None:
    live = _stored(CM.update({}, _cm({"k0": "0"}), "m0", now="2024-01-01T00:00:00Z"))
    for index in range(1, 12):
        new = copy.deepcopy(live)
        new["data"][f"k{index}"] = str(index)
        live = _stored(CM.update(live, new, f"m{index}", now=f"2024-01-01T00:00:{index:02d}Z"))
    owners = _owners(live)
    assert len(owners) == 10
    assert owners["ancient-changes/Update"] == {"f:data": {".": {}, "f:k0": {}, "f:k1": {}, "f:k2": {}}}
    assert "m0/Update" not in owners and "m2/Update" not in owners and "m3/Update" in owners


def test_status_of_a_kind_with_a_status_subresource_is_not_owned_through_the_main_resource() -> None:
    main = FieldManager.of(
        NAMESPACES.schemas,
        NAMESPACES.schema_name,
        "",
        "v1",
        "Namespace",
        ignore=lambda fields: fields.recursive_difference(FieldSet.of([path_of("status")])),
    )
    config = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "n", "labels": {"a": "b"}},
        "status": {"phase": "X"},
    }
    applied = main.apply({}, config, "me", force=False, now=T0)
    assert _owners(applied) == {"me/Apply": {"f:metadata": {"f:labels": {"f:a": {}}}}}


def test_create_does_not_own_empty_structs_a_typed_object_cannot_tell_from_unset() -> None:
    namespace = FieldManager.of(NAMESPACES.schemas, NAMESPACES.schema_name, "", "v1", "Namespace")
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n", "labels": {"a": "b"}}, "spec": {}}
    created = namespace.update({}, body, "kubectl-create", now=T0)
    assert _owners(created) == {"kubectl-create/Update": {"f:metadata": {"f:labels": {".": {}, "f:a": {}}}}}
