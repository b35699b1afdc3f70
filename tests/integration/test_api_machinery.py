"""API machinery behaviours of the foundation issue, checked over real HTTPS, kubectl and the Python client."""

from __future__ import annotations

import json
import os
import subprocess
import time

from kubernetes import client as k8s
from kubernetes import watch

from tests.integration.harness import Kplane, Kubectl, request_json, request_raw

ROOT = "/clusters/root"


def _cm_path(namespace: str, name: str = "") -> str:
    base = f"{ROOT}/api/v1/namespaces/{namespace}/configmaps"
    return f"{base}/{name}" if name else base


def test_future_resource_version_waits_then_504(kplane: Kplane, namespace: str) -> None:
    status, listed = request_json(kplane, "GET", _cm_path(namespace))
    future = int(listed["metadata"]["resourceVersion"]) + 100000
    started = time.monotonic()
    status, body = request_json(kplane, "GET", _cm_path(namespace) + f"?resourceVersion={future}")
    assert status == 504 and body["reason"] == "Timeout"
    assert body["details"]["causes"][0]["reason"] == "ResourceVersionTooLarge"
    assert time.monotonic() - started >= 2.5


def test_list_option_errors(kplane: Kplane, namespace: str) -> None:
    status, body = request_json(kplane, "GET", _cm_path(namespace) + "?resourceVersionMatch=Exact")
    assert status == 422 and body["reason"] == "Invalid"
    status, body = request_json(kplane, "GET", _cm_path(namespace) + "?labelSelector=a%20in")
    assert status == 400 and body["reason"] == "BadRequest"
    status, body = request_json(kplane, "GET", _cm_path(namespace) + "?fieldSelector=data.a%3Db")
    assert status == 400 and '"data.a" is not a known field selector' in body["message"]
    status, body = request_json(kplane, "GET", _cm_path(namespace) + "?watch=true&sendInitialEvents=true")
    assert status == 422


def test_field_validation_warn_answers_with_a_warning_header(kplane: Kplane, namespace: str) -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "warned"}, "foo": "bar"}
    status, headers, _ = request_raw(kplane, "POST", _cm_path(namespace) + "?fieldValidation=Warn", body)
    assert status == 201
    assert headers.get_all("Warning") == ['299 - "unknown field \\"foo\\""']
    status, _, raw = request_raw(
        kplane, "POST", _cm_path(namespace) + "?fieldValidation=Strict", {**body, "metadata": {"name": "strict"}}
    )
    assert status == 400 and b'strict decoding error: unknown field \\"foo\\"' in raw


def test_yaml_bodies_are_accepted(kplane: Kplane, namespace: str) -> None:
    text = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: b\n"
    status, body = request_json(kplane, "POST", _cm_path(namespace), text, content_type="application/yaml")
    assert status == 201 and body["data"] == {"a": "b"}


def test_strategic_merge_patch_on_a_kind_without_strategy_is_415(kplane: Kplane) -> None:
    status, body = request_json(
        kplane,
        "PATCH",
        f"{ROOT}/apis/core.kcp.io/v1alpha1/logicalclusters/cluster",
        {"metadata": {"labels": {"a": "b"}}},
        content_type="application/strategic-merge-patch+json",
    )
    assert status == 415 and body["reason"] == "UnsupportedMediaType"


def test_json_patch_with_too_many_operations_is_413(kplane: Kplane, namespace: str) -> None:
    request_json(kplane, "POST", _cm_path(namespace), {"metadata": {"name": "big"}})
    ops = [{"op": "add", "path": "/metadata/labels", "value": {}}] * 10001
    status, body = request_json(
        kplane, "PATCH", _cm_path(namespace, "big"), ops, content_type="application/json-patch+json"
    )
    assert status == 413 and body["reason"] == "RequestEntityTooLarge"


def test_finalizers_keep_a_deleted_object_until_removed(kubectl: Kubectl, namespace: str) -> None:
    kubectl.ok("-n", namespace, "create", "cm", "held")
    kubectl.ok(
        "-n",
        namespace,
        "patch",
        "cm",
        "held",
        "--type",
        "merge",
        "-p",
        '{"metadata":{"finalizers":["example.com/hold"]}}',
    )
    kubectl.ok("-n", namespace, "delete", "cm", "held", "--wait=false")
    meta = json.loads(kubectl.ok("-n", namespace, "get", "cm", "held", "-o", "json"))["metadata"]
    assert meta["deletionTimestamp"] and meta["deletionGracePeriodSeconds"] == 0
    added = kubectl.run(
        "-n",
        namespace,
        "patch",
        "cm",
        "held",
        "--type",
        "merge",
        "-p",
        '{"metadata":{"finalizers":["example.com/hold","example.com/new"]}}',
    )
    assert added.returncode == 1 and "no new finalizers can be added if the object is being deleted" in added.stderr
    kubectl.ok("-n", namespace, "patch", "cm", "held", "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')
    assert kubectl.run("-n", namespace, "get", "cm", "held").returncode == 1


def test_delete_preconditions_and_dry_run(kplane: Kplane, namespace: str) -> None:
    request_json(kplane, "POST", _cm_path(namespace), {"metadata": {"name": "pre"}})
    status, body = request_json(kplane, "DELETE", _cm_path(namespace, "pre"), {"preconditions": {"uid": "nope"}})
    assert status == 409 and body["reason"] == "Conflict"
    status, body = request_json(kplane, "DELETE", _cm_path(namespace, "pre"), {"dryRun": ["All"]})
    assert status == 200
    status, _ = request_json(kplane, "GET", _cm_path(namespace, "pre"))
    assert status == 200


def test_namespace_status_and_finalize_subresources(kplane: Kplane, kubectl: Kubectl, namespace: str) -> None:
    condition = {"type": "Example", "status": "True", "reason": "Testing", "message": "set by a test"}
    kubectl.ok(
        "patch",
        "ns",
        namespace,
        "--subresource=status",
        "--type",
        "merge",
        "-p",
        json.dumps({"status": {"conditions": [condition]}}),
    )
    ns = json.loads(kubectl.ok("get", "ns", namespace, "-o", "json"))
    assert ns["status"]["conditions"][0]["type"] == "Example" and ns["status"]["phase"] == "Active"
    ns["spec"]["finalizers"] = ["kubernetes", "example.com/extra"]
    status, body = request_json(kplane, "PUT", f"{ROOT}/api/v1/namespaces/{namespace}/finalize", ns)
    assert status == 200 and body["spec"]["finalizers"] == ["kubernetes", "example.com/extra"]


def test_secret_string_data_is_folded_into_data(kplane: Kplane, namespace: str) -> None:
    status, body = request_json(
        kplane,
        "POST",
        f"{ROOT}/api/v1/namespaces/{namespace}/secrets",
        {"metadata": {"name": "s"}, "stringData": {"user": "admin"}},
    )
    assert status == 201 and body["data"] == {"user": "YWRtaW4="} and "stringData" not in body
    assert body["type"] == "Opaque"
    status, body = request_json(
        kplane,
        "POST",
        f"{ROOT}/api/v1/namespaces/{namespace}/secrets",
        {"metadata": {"name": "tls"}, "type": "kubernetes.io/tls", "data": {}},
    )
    assert status == 422 and {c["field"] for c in body["details"]["causes"]} == {"data[tls.crt]", "data[tls.key]"}


def test_watch_list_with_kubectl_wait(kubectl: Kubectl, namespace: str) -> None:
    kubectl.ok("-n", namespace, "create", "cm", "x", "--from-literal=a=0")

    def set_later() -> None:
        time.sleep(1.5)
        kubectl.ok("-n", namespace, "patch", "cm", "x", "--type", "merge", "-p", '{"data":{"a":"1"}}')

    env = {**os.environ, "KUBE_FEATURE_WatchListClient": "true"}
    command = [
        kubectl.binary,
        "--kubeconfig",
        str(kubectl.kubeconfig),
        "-n",
        namespace,
        "wait",
        "--for=jsonpath={.data.a}=1",
        "cm/x",
        "--timeout=30s",
        "-v=6",
    ]
    waiter = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    set_later()
    out, err = waiter.communicate(timeout=60)
    assert waiter.returncode == 0, err
    assert "sendInitialEvents=true" in err
    assert out.strip() == "configmap/x condition met"


def test_watch_sends_bookmarks_only_when_asked(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    kinds = [
        e["type"]
        for e in watch.Watch().stream(
            core.list_namespaced_config_map, namespace, allow_watch_bookmarks=True, timeout_seconds=3
        )
    ]
    assert "BOOKMARK" in kinds
    without = [e["type"] for e in watch.Watch().stream(core.list_namespaced_config_map, namespace, timeout_seconds=2)]
    assert "BOOKMARK" not in without


def test_health_and_metrics(kplane: Kplane, namespace: str) -> None:
    for path in ("/healthz", "/livez", "/readyz", f"{ROOT}/readyz"):
        status, _, raw = request_raw(kplane, "GET", path, token="")
        assert (status, raw) == (200, b"ok")
    status, _, raw = request_raw(kplane, "GET", "/metrics")
    text = raw.decode()
    assert status == 200
    assert 'apiserver_request_total{code="200",resource="configmaps",verb="GET"}' in text
    assert "apiserver_request_duration_seconds_bucket" in text
    assert namespace not in text and "root" not in text
    status, _, _ = request_raw(kplane, "GET", "/metrics", token="")
    assert status == 401


def test_strict_validation_reports_duplicate_fields(kplane: Kplane, namespace: str) -> None:
    raw = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","name":"dup"},"data":{"a":"1","a":"2"}}'
    status, _, body = request_raw(kplane, "POST", _cm_path(namespace) + "?fieldValidation=Strict", raw)
    assert status == 400
    assert b'strict decoding error: duplicate field \\"metadata.name\\", duplicate field \\"data.a\\"' in body
    status, headers, _ = request_raw(kplane, "POST", _cm_path(namespace) + "?fieldValidation=Warn", raw)
    assert status == 201 and 'duplicate field \\"data.a\\"' in " ".join(headers.get_all("Warning"))


PARTIAL = "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io"
PARTIAL_LIST = "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"


def test_metadata_only_get_list_and_watch(kplane: Kplane, namespace: str) -> None:
    request_json(
        kplane,
        "POST",
        _cm_path(namespace),
        {"metadata": {"name": "meta", "labels": {"a": "b"}}, "data": {"secret": "x"}},
    )
    status, headers, raw = request_raw(kplane, "GET", _cm_path(namespace, "meta"), accept=PARTIAL)
    body = json.loads(raw)
    assert status == 200 and headers["Content-Type"] == PARTIAL
    assert body["kind"] == "PartialObjectMetadata" and body["metadata"]["labels"] == {"a": "b"} and "data" not in body
    status, headers, raw = request_raw(kplane, "GET", _cm_path(namespace), accept=PARTIAL_LIST)
    body = json.loads(raw)
    assert body["kind"] == "PartialObjectMetadataList" and body["metadata"]["resourceVersion"]
    assert {item["metadata"]["name"] for item in body["items"]} >= {"meta"}
    assert all("data" not in item for item in body["items"])
    status, _, raw = request_raw(kplane, "GET", _cm_path(namespace) + "?watch=true&timeoutSeconds=1", accept=PARTIAL)
    events = [json.loads(line) for line in raw.splitlines() if line]
    assert events and all(e["object"]["kind"] == "PartialObjectMetadata" for e in events)
    status, _, raw = request_raw(
        kplane, "GET", _cm_path(namespace, "meta"), accept="application/vnd.kubernetes.protobuf"
    )
    assert status == 406 and json.loads(raw)["reason"] == "NotAcceptable"
    status, _, _ = request_raw(kplane, "GET", _cm_path(namespace), accept=PARTIAL)
    assert status == 406
