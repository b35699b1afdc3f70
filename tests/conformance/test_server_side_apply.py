"""Server-side apply, after upstream test/e2e/apimachinery/apply.go. Pods and Deployments become ConfigMaps; the
status-subresource scenario uses a Namespace, the built-in kind we serve that has a status."""

from __future__ import annotations

import json
from typing import Any

from tests.conformance.support import Reply, call, core, ok, query, short_id
from tests.integration.harness import Kplane, Kubectl

APPLY = "application/apply-patch+yaml"


def _apply(kplane: Kplane, path: str, body: dict[str, Any], manager: str, **params: Any) -> Reply:
    return call(kplane, "PATCH", query(path, fieldManager=manager, **params), json.dumps(body), APPLY)


def _cm(name: str, data: dict[str, str], labels: dict[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if labels:
        metadata["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data}


def _managed(obj: dict[str, Any], manager: str) -> list[dict[str, Any]]:
    return [entry for entry in obj["metadata"].get("managedFields", []) if entry["manager"] == manager]


def test_create_an_applied_object_if_it_does_not_already_exist(kplane: Kplane, ns: str) -> None:
    path = core(f"/namespaces/{ns}/configmaps/test-cm")
    body = _cm("test-cm", {"key": "value"})
    created = _apply(kplane, path, body, "apply_test")
    assert created.status == 201, created
    ok(call(kplane, "GET", path), 200)

    # applying the same configuration as another manager is no conflict: both now own the field
    reapplied = ok(_apply(kplane, path, body, "apply_test_2"), 200)
    for manager in ("apply_test", "apply_test_2"):
        entries = _managed(reapplied, manager)
        assert len(entries) == 1, reapplied["metadata"].get("managedFields")
        assert entries[0]["operation"] == "Apply"
        assert entries[0]["fieldsType"] == "FieldsV1"
        assert entries[0]["fieldsV1"] == {"f:data": {"f:key": {}}}


def test_apply_works_for_subresources(kplane: Kplane) -> None:
    name = f"apply-status-{short_id()}"
    path = core(f"/namespaces/{name}")
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    status_patch = {**body, "status": {"conditions": [{"type": "MyStatus", "status": "True"}]}}
    try:
        ok(_apply(kplane, path, body, "apply_test"), 201)
        ok(call(kplane, "GET", path), 200)

        # applied to the main resource, status is ignored
        ok(_apply(kplane, path, status_patch, "apply_test2"), 200)
        fetched = ok(call(kplane, "GET", path), 200)
        assert "MyStatus" not in [c["type"] for c in fetched.get("status", {}).get("conditions", [])]

        # applied to the status subresource, it lands
        ok(_apply(kplane, f"{path}/status", status_patch, "apply_test2"), 200)
        fetched = ok(call(kplane, "GET", path), 200)
        assert "MyStatus" in [c["type"] for c in fetched["status"].get("conditions", [])]
    finally:
        call(kplane, "DELETE", path)


def test_remove_a_field_if_it_is_owned_but_removed_in_the_apply_request(kplane: Kplane, ns: str) -> None:
    path = core(f"/namespaces/{ns}/configmaps/cm")
    ok(_apply(kplane, path, _cm("cm", {"a": "1", "b": "2"}, {"app": "nginx"}), "apply_test"), 201)
    applied = ok(_apply(kplane, path, _cm("cm", {"a": "1"}, {"app": "nginx"}), "apply_test"), 200)
    assert applied["data"] == {"a": "1"}
    assert ok(call(kplane, "GET", path), 200)["data"] == {"a": "1"}


def test_not_remove_a_field_if_an_owner_unsets_it_but_other_managers_still_own_it(kplane: Kplane, ns: str) -> None:
    path = core(f"/namespaces/{ns}/configmaps/cm-shared-unset")
    full = _cm("cm-shared-unset", {"a": "1", "shared": "3"}, {"app": "nginx"})
    for manager in ("shared_owner_1", "shared_owner_2"):
        ok(_apply(kplane, path, full, manager))
    patched = ok(_apply(kplane, path, _cm("cm-shared-unset", {"a": "1"}, {"app": "nginx"}), "shared_owner_1"), 200)
    assert patched["data"] == {"a": "1", "shared": "3"}


def test_ignore_conflict_errors_if_force_apply_is_used(kplane: Kplane, ns: str) -> None:
    path = core(f"/namespaces/{ns}/configmaps/cm")
    body = _cm("cm", {"replicas": "3"}, {"app": "nginx"})
    ok(_apply(kplane, path, body, "apply_test"), 201)
    ok(call(kplane, "PATCH", path, {"data": {"replicas": "5"}}, "application/merge-patch+json"), 200)

    conflict = _apply(kplane, path, body, "apply_test")
    assert conflict.status == 409, conflict
    assert conflict.body["reason"] == "Conflict"
    assert len(conflict.body["details"]["causes"]) >= 1, conflict
    assert conflict.body["details"]["causes"][0]["reason"] == "FieldManagerConflict"
    assert conflict.body["details"]["causes"][0]["field"] == ".data.replicas"

    forced = ok(_apply(kplane, path, body, "apply_test", force="true"), 200)
    assert forced["data"] == {"replicas": "3"}


def test_give_up_ownership_of_a_field_if_forced_applied_by_a_controller(kplane: Kplane, ns: str) -> None:
    path = core(f"/namespaces/{ns}/configmaps/cm-shared-map-item-removal")
    name = "cm-shared-map-item-removal"
    ok(_apply(kplane, path, _cm(name, {"replicas": "3", "image": "nginx"}, {"app": "nginx"}), "test_applier"), 201)

    # a controller takes the field over with an ordinary update
    for _ in range(5):
        current = ok(call(kplane, "GET", path), 200)
        current["data"]["replicas"] = "4"
        reply = call(kplane, "PUT", path, current)
        if reply.status != 409:
            break
    ok(reply, 200)

    # the applier stops setting it: the value the controller owns stays
    patched = ok(_apply(kplane, path, _cm(name, {"image": "nginx"}, {"app": "nginx"}), "test_applier"), 200)
    assert patched["data"] == {"replicas": "4", "image": "nginx"}


def test_kubectl_server_side_apply_creates_conflicts_and_forces(any_kubectl: Kubectl, ns: str) -> None:
    """The create and force-apply scenarios through `kubectl apply --server-side`."""
    manifest = json.dumps(_cm("kubectl-ssa", {"a": "1"}))
    applied = any_kubectl.run("-n", ns, "apply", "--server-side", "-f", "-", input=manifest)
    assert applied.returncode == 0, applied.stderr
    assert applied.stdout.strip() == "configmap/kubectl-ssa serverside-applied"
    obj = json.loads(any_kubectl.ok("-n", ns, "get", "configmap", "kubectl-ssa", "-o", "json", "--show-managed-fields"))
    entries = _managed(obj, "kubectl")
    assert len(entries) == 1 and entries[0]["operation"] == "Apply"
    assert entries[0]["fieldsV1"] == {"f:data": {"f:a": {}}}

    any_kubectl.ok("-n", ns, "patch", "configmap", "kubectl-ssa", "--type=merge", "-p", '{"data":{"a":"2"}}')
    conflict = any_kubectl.run("-n", ns, "apply", "--server-side", "-f", "-", input=manifest)
    assert conflict.returncode == 1
    assert "conflict" in conflict.stderr.lower() and ".data.a" in conflict.stderr, conflict.stderr

    forced = any_kubectl.run("-n", ns, "apply", "--server-side", "--force-conflicts", "-f", "-", input=manifest)
    assert forced.returncode == 0, forced.stderr
    assert any_kubectl.ok("-n", ns, "get", "configmap", "kubectl-ssa", "-o", "jsonpath={.data.a}") == "1"
