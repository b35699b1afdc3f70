"""Server-side apply and managedFields against a real kplane, with real kubectl and the Python client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client as k8s
from kubernetes.client.rest import ApiException

from tests.integration.conftest import write
from tests.integration.harness import Kplane, Kubectl, request_json, request_raw

ROOT = "/clusters/root"
APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"
CM = """apiVersion: v1
kind: ConfigMap
metadata:
  name: demo
data:
  a: "1"
  b: "2"
"""


def _managed(kubectl: Kubectl, namespace: str, name: str = "demo") -> dict[str, dict[str, Any]]:
    """managedFields of a ConfigMap, by `manager/operation`, as kubectl shows them."""
    out = kubectl.ok("-n", namespace, "get", "cm", name, "-o", "yaml", "--show-managed-fields")
    entries = yaml.safe_load(out)["metadata"]["managedFields"]
    return {f"{e['manager']}/{e['operation']}": e for e in entries}


def _data(kubectl: Kubectl, namespace: str, name: str = "demo") -> dict[str, str]:
    data: dict[str, str] = json.loads(kubectl.ok("-n", namespace, "get", "cm", name, "-o", "json")).get("data") or {}
    return data


def test_apply_creates_then_conflicts_with_another_manager_until_forced(
    kubectl: Kubectl, namespace: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "cm.yaml", CM)
    assert kubectl.ok("-n", namespace, "apply", "--server-side", "-f", str(path)).strip() == (
        "configmap/demo serverside-applied"
    )
    managed = _managed(kubectl, namespace)
    assert list(managed) == ["kubectl/Apply"]
    assert managed["kubectl/Apply"]["fieldsV1"] == {"f:data": {"f:a": {}, "f:b": {}}}
    assert managed["kubectl/Apply"]["apiVersion"] == "v1" and managed["kubectl/Apply"]["fieldsType"] == "FieldsV1"

    kubectl.ok(
        "-n", namespace, "patch", "cm", "demo", "--type", "merge", "-p", '{"data":{"a":"x"}}', "--field-manager=other"
    )
    managed = _managed(kubectl, namespace)
    assert managed["other/Update"]["fieldsV1"] == {"f:data": {"f:a": {}}}
    assert managed["kubectl/Apply"]["fieldsV1"] == {"f:data": {"f:b": {}}}

    conflict = kubectl.run("-n", namespace, "apply", "--server-side", "-f", str(path))
    assert conflict.returncode == 1
    assert 'Apply failed with 1 conflict: conflict with "other" using v1: .data.a' in conflict.stderr
    assert _data(kubectl, namespace) == {"a": "x", "b": "2"}

    forced = kubectl.ok("-n", namespace, "apply", "--server-side", "--force-conflicts", "-f", str(path))
    assert forced.strip() == "configmap/demo serverside-applied"
    assert _data(kubectl, namespace) == {"a": "1", "b": "2"}
    managed = _managed(kubectl, namespace)
    assert list(managed) == ["kubectl/Apply"]
    assert managed["kubectl/Apply"]["fieldsV1"] == {"f:data": {"f:a": {}, "f:b": {}}}


def test_conflict_status_names_every_field_and_manager(kplane: Kplane, kubectl: Kubectl, namespace: str) -> None:
    url = f"{ROOT}/api/v1/namespaces/{namespace}/configmaps/demo"
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "demo"}, "data": {"a": "1", "b": "2"}}
    status, _ = request_json(kplane, "PATCH", f"{url}?fieldManager=first", body, content_type=APPLY)
    assert status == 201
    body["data"] = {"a": "9", "b": "9"}
    status, answer = request_json(kplane, "PATCH", f"{url}?fieldManager=second", body, content_type=APPLY)
    assert status == 409
    assert answer["reason"] == "Conflict"
    assert answer["message"] == 'Apply failed with 2 conflicts: conflicts with "first":\n- .data.a\n- .data.b'
    assert answer["details"]["causes"] == [
        {"reason": "FieldManagerConflict", "message": 'conflict with "first"', "field": ".data.a"},
        {"reason": "FieldManagerConflict", "message": 'conflict with "first"', "field": ".data.b"},
    ]


def test_apply_accepts_a_yaml_body(kplane: Kplane, namespace: str) -> None:
    url = f"{ROOT}/api/v1/namespaces/{namespace}/configmaps/yaml?fieldManager=curl"
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yaml\ndata:\n  day: 2024-01-01\n"
    status, _, raw = request_raw(kplane, "PATCH", url, body, content_type=APPLY)
    assert status == 201, raw
    assert json.loads(raw)["data"] == {"day": "2024-01-01"}


def test_a_field_dropped_from_the_applied_configuration_is_removed(
    kubectl: Kubectl, namespace: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "cm.yaml", CM.replace("\ndata:", "\n  labels: {app: demo, tier: web}\ndata:"))
    kubectl.ok("-n", namespace, "apply", "--server-side", "-f", str(path))
    kubectl.ok("-n", namespace, "label", "cm", "demo", "keep=yes")
    path.write_text(CM.replace('  b: "2"\n', ""))
    kubectl.ok("-n", namespace, "apply", "--server-side", "-f", str(path))
    assert _data(kubectl, namespace) == {"a": "1"}
    labels = json.loads(kubectl.ok("-n", namespace, "get", "cm", "demo", "-o", "json"))["metadata"]["labels"]
    assert labels == {"keep": "yes"}
    assert _managed(kubectl, namespace)["kubectl/Apply"]["fieldsV1"] == {"f:data": {"f:a": {}}}


def test_server_side_apply_after_client_side_apply_has_no_conflict(
    kubectl: Kubectl, namespace: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "cm.yaml", CM)
    kubectl.ok("-n", namespace, "apply", "-f", str(path))
    csa = _managed(kubectl, namespace)["kubectl-client-side-apply/Update"]["fieldsV1"]
    assert csa == {
        "f:data": {".": {}, "f:a": {}, "f:b": {}},
        "f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}}},
    }
    path.write_text(CM.replace('a: "1"', 'a: "changed"'))
    result = kubectl.run("-n", namespace, "apply", "--server-side", "-f", str(path))
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr
    assert _data(kubectl, namespace) == {"a": "changed", "b": "2"}
    managed = _managed(kubectl, namespace)
    assert "kubectl-client-side-apply/Update" not in managed
    assert managed["kubectl/Apply"]["fieldsV1"]["f:data"] == {"f:a": {}, "f:b": {}}
    assert "kubectl-last-applied/Apply" in managed
    annotation = json.loads(kubectl.ok("-n", namespace, "get", "cm", "demo", "-o", "json"))["metadata"]["annotations"]
    assert json.loads(annotation["kubectl.kubernetes.io/last-applied-configuration"])["data"]["a"] == "changed"


def test_update_managers_default_to_the_user_agent_prefix(kubectl: Kubectl, namespace: str) -> None:
    kubectl.ok("-n", namespace, "create", "cm", "demo", "--from-literal=a=1")
    kubectl.ok("-n", namespace, "patch", "cm", "demo", "--type", "merge", "-p", '{"data":{"b":"2"}}')
    managed = _managed(kubectl, namespace)
    assert managed["kubectl-create/Update"]["fieldsV1"] == {"f:data": {".": {}, "f:a": {}}}
    assert managed["kubectl-patch/Update"]["fieldsV1"] == {"f:data": {"f:b": {}}}
    assert managed["kubectl-patch/Update"]["time"].endswith("Z")


def test_python_client_apply(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "py"}, "data": {"k": "v"}}
    created = core.patch_namespaced_config_map("py", namespace, body, field_manager="py", _content_type=APPLY)
    assert created.data == {"k": "v"}
    [entry] = created.metadata.managed_fields
    assert (entry.manager, entry.operation, entry.fields_v1) == ("py", "Apply", {"f:data": {"f:k": {}}})
    body["data"] = {"k": "w"}
    try:
        core.patch_namespaced_config_map("py", namespace, body, field_manager="other", _content_type=APPLY)
        raise AssertionError("expected a conflict")
    except ApiException as err:
        assert err.status == 409
    forced = core.patch_namespaced_config_map(
        "py", namespace, body, field_manager="other", force=True, _content_type=APPLY
    )
    assert forced.data == {"k": "w"}
    assert {e.manager for e in forced.metadata.managed_fields} == {"other"}


def test_apply_without_field_manager_is_rejected(kplane: Kplane, namespace: str) -> None:
    url = f"{ROOT}/api/v1/namespaces/{namespace}/configmaps/demo"
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "demo"}}
    status, answer = request_json(kplane, "PATCH", url, body, content_type=APPLY)
    assert status == 422
    assert answer["reason"] == "Invalid"
    assert answer["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
    )
    assert answer["details"]["causes"] == [
        {
            "reason": "FieldValueRequired",
            "message": "Required value: is required for apply patch",
            "field": "fieldManager",
        }
    ]
    status, answer = request_json(kplane, "PATCH", f"{url}?force=true", {"data": {}}, content_type=MERGE)
    assert status == 422
    assert answer["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'
    )


def test_apply_dry_run_persists_nothing(kplane: Kplane, kubectl: Kubectl, namespace: str, tmp_path: Path) -> None:
    path = write(tmp_path, "cm.yaml", CM)
    out = kubectl.ok("-n", namespace, "apply", "--server-side", "--dry-run=server", "-f", str(path))
    assert out.strip() == "configmap/demo serverside-applied (server dry run)"
    assert kubectl.run("-n", namespace, "get", "cm", "demo").returncode == 1


def test_apply_to_namespace_status_changes_only_status(kplane: Kplane, kubectl: Kubectl, namespace: str) -> None:
    url = f"{ROOT}/api/v1/namespaces/{namespace}/status"
    condition = {"type": "Example", "status": "True", "reason": "Applied", "message": "by ssa"}
    body = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": namespace},
        "spec": {"finalizers": ["example.com/ignored"]},
        "status": {"conditions": [condition]},
    }
    status, answer = request_json(kplane, "PATCH", f"{url}?fieldManager=status-writer", body, content_type=APPLY)
    assert status == 200, answer
    assert answer["status"]["conditions"] == [condition]
    # upstream's namespace status strategy resets spec only (metadata changes through /status are kept)
    assert answer["spec"]["finalizers"] == ["kubernetes"]
    entries = {e["manager"]: e for e in answer["metadata"]["managedFields"]}
    entry = entries["status-writer"]
    assert (entry["operation"], entry["subresource"]) == ("Apply", "status")
    assert entry["fieldsV1"] == {
        "f:status": {
            "f:conditions": {
                'k:{"type":"Example"}': {".": {}, "f:message": {}, "f:reason": {}, "f:status": {}, "f:type": {}}
            }
        }
    }
    spec = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}, "status": {"phase": "Gone"}}
    status, answer = request_json(
        kplane,
        "PATCH",
        f"{ROOT}/api/v1/namespaces/{namespace}?fieldManager=main",
        spec,
        content_type=APPLY,
    )
    assert status == 200
    assert answer["status"]["phase"] == "Active"
    assert "main" not in {e["manager"] for e in answer["metadata"]["managedFields"]}
