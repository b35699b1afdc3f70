"""Namespace lifecycle, after upstream test/e2e/apimachinery/namespace.go (Pods and Services become ConfigMaps
and Secrets)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.conformance.support import call, core, ok, short_id, wait_until
from tests.integration.harness import Kplane, Kubectl

FAKE_FINALIZER = "e2e.example.com/fakeFinalizer"


def _create_namespace(kplane: Kplane, name: str) -> dict[str, Any]:
    return ok(call(kplane, "POST", core("/namespaces"), {"metadata": {"name": name}}), 201)  # type: ignore[no-any-return]


def _gone(kplane: Kplane, path: str) -> bool:
    return call(kplane, "GET", core(path)).status == 404


@pytest.mark.parametrize(
    ("resource", "body"),
    [
        ("configmaps", {"metadata": {"name": "test-configmap"}, "data": {"key": "value"}}),
        ("secrets", {"metadata": {"name": "test-secret"}, "stringData": {"key": "value"}}),
    ],
)
def test_namespace_deletion_removes_everything_in_it(kplane: Kplane, resource: str, body: dict[str, Any]) -> None:
    name = f"nsdeletetest-{short_id()}"
    _create_namespace(kplane, name)
    wait_until(
        lambda: call(kplane, "GET", core(f"/namespaces/{name}/serviceaccounts/default")).status == 200,
        what="the default service account",
    )
    item = ok(call(kplane, "POST", core(f"/namespaces/{name}/{resource}"), body), 201)

    ok(call(kplane, "DELETE", core(f"/namespaces/{name}")), 200)
    wait_until(lambda: _gone(kplane, f"/namespaces/{name}"), timeout=60, what=f"namespace {name} to be removed")

    _create_namespace(kplane, name)
    try:
        assert _gone(kplane, f"/namespaces/{name}/{resource}/{item['metadata']['name']}")
    finally:
        call(kplane, "DELETE", core(f"/namespaces/{name}"))


def test_kubectl_delete_namespace_removes_its_configmaps(any_kubectl: Kubectl, kplane: Kplane) -> None:
    """The same through kubectl, whose `delete namespace` waits until the namespace is gone."""
    name = f"nsdeletetest-{short_id()}"
    any_kubectl.ok("create", "namespace", name)
    any_kubectl.ok("-n", name, "create", "configmap", "test-configmap", "--from-literal=key=value")
    any_kubectl.ok("-n", name, "create", "secret", "generic", "test-secret", "--from-literal=key=value")
    assert (
        any_kubectl.ok("delete", "namespace", name, "--timeout=60s").strip().startswith(f'namespace "{name}" deleted')
    )
    assert _gone(kplane, f"/namespaces/{name}")
    any_kubectl.ok("create", "namespace", name)
    try:
        missing = any_kubectl.run("-n", name, "get", "configmap/test-configmap", "secret/test-secret")
        assert missing.returncode == 1
        assert 'configmaps "test-configmap" not found' in missing.stderr
        assert 'secrets "test-secret" not found' in missing.stderr
    finally:
        any_kubectl.run("delete", "namespace", name, "--wait=false")


def test_delete_many_namespaces_fast_enough(kplane: Kplane) -> None:
    """100 namespaces are created then deleted at once; at least 90 of them, then all, go away."""
    prefix = f"nslifetest-{short_id()[:4]}"
    names = [f"{prefix}-{n}" for n in range(100)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(lambda name: _create_namespace(kplane, name), names))
        for reply in pool.map(lambda name: call(kplane, "DELETE", core(f"/namespaces/{name}")), names):
            ok(reply, 200)

    def remaining() -> int:
        listed = ok(call(kplane, "GET", core("/namespaces")), 200)
        return sum(1 for item in listed["items"] if item["metadata"]["name"].startswith(prefix))

    wait_until(lambda: remaining() <= 10, timeout=60, interval=1, what="90 of 100 namespaces to vanish")
    wait_until(lambda: remaining() == 0, timeout=60, interval=1, what="all 100 namespaces to vanish")


def test_patch_a_namespace(kplane: Kplane) -> None:
    name = f"nspatchtest-{short_id()}"
    created = _create_namespace(kplane, name)
    try:
        assert created["metadata"]["resourceVersion"]
        patched = ok(
            call(
                kplane,
                "PATCH",
                core(f"/namespaces/{name}"),
                {"metadata": {"labels": {"testLabel": "testValue"}}},
                "application/strategic-merge-patch+json",
            ),
            200,
        )
        assert int(patched["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
        fetched = ok(call(kplane, "GET", core(f"/namespaces/{name}")), 200)
        assert fetched["metadata"]["labels"]["testLabel"] == "testValue"
    finally:
        call(kplane, "DELETE", core(f"/namespaces/{name}"))


def test_kubectl_patch_a_namespace(any_kubectl: Kubectl) -> None:
    name = f"nspatchtest-{short_id()}"
    any_kubectl.ok("create", "namespace", name)
    try:
        patch = json.dumps({"metadata": {"labels": {"testLabel": "testValue"}}})
        assert any_kubectl.ok("patch", "namespace", name, "-p", patch).strip() == f"namespace/{name} patched"
        labels = json.loads(any_kubectl.ok("get", "namespace", name, "-o", "jsonpath={.metadata.labels}"))
        assert labels["testLabel"] == "testValue"
    finally:
        any_kubectl.run("delete", "namespace", name, "--wait=false")


def test_apply_changes_to_a_namespace_status(kplane: Kplane, ns: str) -> None:
    status_path = f"/namespaces/{ns}/status"
    current = ok(call(kplane, "GET", core(status_path)), 200)
    assert current["status"]["phase"] == "Active"

    condition = {"type": "StatusPatch", "status": "True", "reason": "E2E", "message": "Patched by an e2e test"}
    patch = {"metadata": {"annotations": {"e2e-patched-ns-status": ns}}, "status": {"conditions": [condition]}}
    patched = ok(call(kplane, "PATCH", core(status_path), patch, "application/merge-patch+json"), 200)
    assert patched["status"]["conditions"][-1]["reason"] == "E2E"
    assert patched["status"]["conditions"][-1]["message"] == "Patched by an e2e test"

    for _ in range(5):
        to_update = ok(call(kplane, "GET", core(status_path)), 200)
        to_update["status"].setdefault("conditions", []).append(
            {"type": "StatusUpdate", "status": "True", "reason": "E2E", "message": "Updated by an e2e test"}
        )
        reply = call(kplane, "PUT", core(status_path), to_update)
        if reply.status != 409:
            break
    updated = ok(reply, 200)
    assert updated["status"]["conditions"][-1]["type"] == "StatusUpdate"
    assert updated["status"]["conditions"][-1]["message"] == "Updated by an e2e test"
    # checked last so the status assertions above still run: the status subresource of namespaces only resets
    # spec (pkg/registry/core/namespace/strategy.go), so metadata sent along is kept
    assert patched["metadata"].get("annotations", {}).get("e2e-patched-ns-status") == ns, patched["metadata"]


def test_apply_an_update_to_a_namespace(kplane: Kplane, ns: str) -> None:
    for _ in range(5):
        current = ok(call(kplane, "GET", core(f"/namespaces/{ns}")), 200)
        current["metadata"]["labels"][ns] = "updated"
        reply = call(kplane, "PUT", core(f"/namespaces/{ns}"), current)
        if reply.status != 409:
            break
    updated = ok(reply, 200)
    assert updated["metadata"]["labels"][ns] == "updated"


def test_apply_a_finalizer_to_a_namespace(kplane: Kplane) -> None:
    name = f"e2e-ns-{short_id()[:5]}"
    _create_namespace(kplane, name)
    try:
        for _ in range(5):
            current = ok(call(kplane, "GET", core(f"/namespaces/{name}")), 200)
            current["spec"]["finalizers"] = [*current["spec"].get("finalizers", []), FAKE_FINALIZER]
            reply = call(kplane, "PUT", core(f"/namespaces/{name}/finalize"), current)
            if reply.status != 409:
                break
        added = ok(reply, 200)
        assert FAKE_FINALIZER in added["spec"]["finalizers"]

        for _ in range(5):
            current = ok(call(kplane, "GET", core(f"/namespaces/{name}")), 200)
            current["spec"]["finalizers"] = [f for f in current["spec"]["finalizers"] if f != FAKE_FINALIZER]
            reply = call(kplane, "PUT", core(f"/namespaces/{name}/finalize"), current)
            if reply.status != 409:
                break
        removed = ok(reply, 200)
        assert FAKE_FINALIZER not in removed["spec"].get("finalizers", [])
    finally:
        call(kplane, "DELETE", core(f"/namespaces/{name}"))
