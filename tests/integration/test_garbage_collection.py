"""Garbage collection through ownerReferences: background, orphan and foreground propagation."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from tests.integration.harness import Kplane, Kubectl, request_json

ROOT = "/clusters/root"


def _eventually(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def _owned(kplane: Kplane, namespace: str, name: str, owner: dict[str, str], *, block: bool = False) -> None:
    reference = {"apiVersion": "v1", "kind": "ConfigMap", "name": owner["name"], "uid": owner["uid"]}
    if block:
        reference["blockOwnerDeletion"] = True
    status, body = request_json(
        kplane,
        "POST",
        f"{ROOT}/api/v1/namespaces/{namespace}/configmaps",
        {"metadata": {"name": name, "ownerReferences": [reference]}},
    )
    assert status == 201, body


def _owner(kubectl: Kubectl, namespace: str, name: str) -> dict[str, str]:
    kubectl.ok("-n", namespace, "create", "cm", name)
    return {"name": name, "uid": kubectl.ok("-n", namespace, "get", "cm", name, "-o", "jsonpath={.metadata.uid}")}


def _exists(kubectl: Kubectl, namespace: str, name: str) -> bool:
    return kubectl.run("-n", namespace, "get", "cm", name).returncode == 0


def test_background_deletion_removes_dependents(kplane: Kplane, kubectl: Kubectl, namespace: str) -> None:
    owner = _owner(kubectl, namespace, "owner")
    _owned(kplane, namespace, "child", owner)
    kubectl.ok("-n", namespace, "delete", "cm", "owner")
    assert _eventually(lambda: not _exists(kubectl, namespace, "child"))


def test_dependent_of_a_missing_owner_is_collected(kplane: Kplane, kubectl: Kubectl, namespace: str) -> None:
    _owned(kplane, namespace, "stray", {"name": "ghost", "uid": "00000000-0000-0000-0000-000000000000"})
    assert _eventually(lambda: not _exists(kubectl, namespace, "stray"))


def test_dependent_with_another_live_owner_stays(kplane: Kplane, kubectl: Kubectl, namespace: str) -> None:
    first, second = _owner(kubectl, namespace, "first"), _owner(kubectl, namespace, "second")
    refs = [{"apiVersion": "v1", "kind": "ConfigMap", "name": o["name"], "uid": o["uid"]} for o in (first, second)]
    request_json(
        kplane,
        "POST",
        f"{ROOT}/api/v1/namespaces/{namespace}/configmaps",
        {"metadata": {"name": "shared", "ownerReferences": refs}},
    )
    kubectl.ok("-n", namespace, "delete", "cm", "first")

    def only_second_left() -> bool:
        out = kubectl.run("-n", namespace, "get", "cm", "shared", "-o", "json")
        return out.returncode == 0 and [r["name"] for r in json.loads(out.stdout)["metadata"]["ownerReferences"]] == [
            "second"
        ]

    assert _eventually(only_second_left)


def test_orphan_deletion_keeps_dependents_and_drops_the_reference(
    kplane: Kplane, kubectl: Kubectl, namespace: str
) -> None:
    owner = _owner(kubectl, namespace, "parent")
    _owned(kplane, namespace, "kept", owner)
    kubectl.ok("-n", namespace, "delete", "cm", "parent", "--cascade=orphan")
    assert _eventually(lambda: not _exists(kubectl, namespace, "parent"))
    kept = json.loads(kubectl.ok("-n", namespace, "get", "cm", "kept", "-o", "json"))
    assert "ownerReferences" not in kept["metadata"]


def test_foreground_deletion_waits_for_blocking_dependents(kplane: Kplane, kubectl: Kubectl, namespace: str) -> None:
    owner = _owner(kubectl, namespace, "boss")
    _owned(kplane, namespace, "worker", owner, block=True)
    kubectl.ok(
        "-n",
        namespace,
        "patch",
        "cm",
        "worker",
        "--type",
        "merge",
        "-p",
        '{"metadata":{"finalizers":["example.com/slow"]}}',
    )
    kubectl.ok("-n", namespace, "delete", "cm", "boss", "--cascade=foreground", "--wait=false")
    boss = json.loads(kubectl.ok("-n", namespace, "get", "cm", "boss", "-o", "json"))
    assert "foregroundDeletion" in boss["metadata"]["finalizers"] and boss["metadata"]["deletionTimestamp"]
    assert _eventually(lambda: "deletionTimestamp" in kubectl.ok("-n", namespace, "get", "cm", "worker", "-o", "json"))
    time.sleep(1.5)
    assert _exists(kubectl, namespace, "boss")
    kubectl.ok("-n", namespace, "patch", "cm", "worker", "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')
    assert _eventually(lambda: not _exists(kubectl, namespace, "boss"))


def test_delete_collection_with_selectors(kplane: Kplane, kubectl: Kubectl, namespace: str) -> None:
    for name, label in (("a", "x"), ("b", "x"), ("c", "y")):
        kubectl.ok("-n", namespace, "create", "cm", name)
        kubectl.ok("-n", namespace, "label", "cm", name, f"group={label}")
    status, body = request_json(
        kplane, "DELETE", f"{ROOT}/api/v1/namespaces/{namespace}/configmaps?labelSelector=group%3Dx"
    )
    assert status == 200 and body["status"] == "Success"
    names = kubectl.ok("-n", namespace, "get", "cm", "-l", "group", "-o", "name").split()
    assert names == ["configmap/c"]
