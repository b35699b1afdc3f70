"""Built-in kinds beyond ConfigMaps: events in both API groups, RBAC objects, service accounts."""

from __future__ import annotations

import json

from tests.integration.harness import Kplane, Kubectl, request_json

ROOT = "/clusters/root"


def test_events_are_shared_between_core_and_events_k8s_io(kplane: Kplane, namespace: str) -> None:
    event = {
        "apiVersion": "events.k8s.io/v1",
        "kind": "Event",
        "metadata": {"name": "e1"},
        "eventTime": "2026-11-24T10:00:00.000000Z",
        "reason": "Started",
        "note": "it began",
        "type": "Normal",
        "action": "Start",
        "reportingController": "example.com/ctl",
        "reportingInstance": "ctl-1",
        "regarding": {"kind": "ConfigMap", "name": "c", "namespace": namespace, "apiVersion": "v1"},
    }
    status, created = request_json(kplane, "POST", f"{ROOT}/apis/events.k8s.io/v1/namespaces/{namespace}/events", event)
    assert status == 201, created
    assert created["note"] == "it began" and created["regarding"]["name"] == "c"
    status, core = request_json(kplane, "GET", f"{ROOT}/api/v1/namespaces/{namespace}/events/e1")
    assert status == 200 and core["apiVersion"] == "v1"
    assert core["message"] == "it began" and core["involvedObject"]["name"] == "c"
    assert core["reportingComponent"] == "example.com/ctl"
    status, listed = request_json(
        kplane,
        "GET",
        f"{ROOT}/api/v1/namespaces/{namespace}/events?fieldSelector=involvedObject.name%3Dc,reason%3DStarted",
    )
    assert [item["metadata"]["name"] for item in listed["items"]] == ["e1"]
    status, listed = request_json(
        kplane, "GET", f"{ROOT}/apis/events.k8s.io/v1/namespaces/{namespace}/events?fieldSelector=regarding.name%3Dc"
    )
    assert status == 200 and [item["note"] for item in listed["items"]] == ["it began"]
    status, listed = request_json(
        kplane,
        "GET",
        f"{ROOT}/apis/events.k8s.io/v1/namespaces/{namespace}/events?fieldSelector=regarding.name%3Dother",
    )
    assert status == 200 and listed["items"] == []


def test_rbac_objects_are_stored_and_validated(kplane: Kplane, kubectl: Kubectl, namespace: str) -> None:
    assert (
        kubectl.ok("-n", namespace, "create", "role", "reader", "--verb=get,list", "--resource=configmaps").strip()
        == "role.rbac.authorization.k8s.io/reader created"
    )
    assert (
        kubectl.ok("-n", namespace, "create", "rolebinding", "readers", "--role=reader", "--user=jane").strip()
        == "rolebinding.rbac.authorization.k8s.io/readers created"
    )
    kubectl.ok("create", "clusterrole", "t-viewer", "--verb=get", "--resource=secrets")
    kubectl.ok("create", "clusterrolebinding", "t-viewers", "--clusterrole=t-viewer", "--group=devs")
    role = json.loads(kubectl.ok("-n", namespace, "get", "role", "reader", "-o", "json"))
    assert role["rules"] == [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]
    wide = kubectl.ok("-n", namespace, "get", "rolebinding", "readers", "-o", "wide").splitlines()
    assert wide[0].split() == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    assert wide[1].split()[:2] == ["readers", "Role/reader"] and "jane" in wide[1].split()
    binding = {
        "metadata": {"name": "bad"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "x"},
    }
    status, body = request_json(
        kplane, "POST", f"{ROOT}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", binding
    )
    assert status == 422 and body["details"]["causes"][0]["field"] == "roleRef.kind"
    changed = kubectl.run(
        "-n", namespace, "patch", "rolebinding", "readers", "--type", "merge", "-p", '{"roleRef":{"name":"other"}}'
    )
    assert changed.returncode == 1 and "cannot change roleRef" in changed.stderr
    rule_without_verbs = {"metadata": {"name": "noverbs"}, "rules": [{"apiGroups": [""], "resources": ["pods"]}]}
    status, body = request_json(
        kplane, "POST", f"{ROOT}/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles", rule_without_verbs
    )
    assert status == 422 and body["details"]["causes"][0]["field"] == "rules[0].verbs"


def test_service_accounts(kubectl: Kubectl, namespace: str) -> None:
    kubectl.ok("-n", namespace, "create", "sa", "robot")
    kubectl.ok("-n", namespace, "patch", "sa", "robot", "-p", '{"secrets":[{"name":"a"}]}')
    kubectl.ok("-n", namespace, "patch", "sa", "robot", "-p", '{"secrets":[{"name":"b"}]}')
    out = kubectl.ok("-n", namespace, "get", "sa", "robot").splitlines()
    assert out[0].split() == ["NAME", "SECRETS", "AGE"] and out[1].split()[:2] == ["robot", "2"]


def test_describe_and_kubectl_events_show_an_objects_events(kubectl: Kubectl, namespace: str) -> None:
    kubectl.ok("-n", namespace, "create", "cm", "demo", "--from-literal=a=b")
    uid = kubectl.ok("-n", namespace, "get", "cm", "demo", "-o", "jsonpath={.metadata.uid}")
    event = f"""apiVersion: v1
kind: Event
metadata: {{name: demo.1}}
involvedObject: {{kind: ConfigMap, name: demo, namespace: {namespace}, uid: "{uid}", apiVersion: v1}}
reason: Tested
message: something happened
type: Warning
source: {{component: tester}}
firstTimestamp: "2026-11-24T19:00:00Z"
lastTimestamp: "2026-11-24T19:00:00Z"
count: 1
"""
    kubectl.ok("-n", namespace, "create", "-f", "-", input=event)
    described = kubectl.ok("-n", namespace, "describe", "cm", "demo")
    events_part = described.split("Events:", 1)[1].splitlines()
    assert events_part[1].split() == ["Type", "Reason", "Age", "From", "Message"]
    assert events_part[3].split()[:3] == ["Warning", "Tested", events_part[3].split()[2]]
    assert "something happened" in events_part[3]
    listed = kubectl.ok("-n", namespace, "events").splitlines()
    assert listed[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert "ConfigMap/demo" in listed[1] and "something happened" in listed[1]
