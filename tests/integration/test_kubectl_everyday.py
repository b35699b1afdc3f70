"""The everyday kubectl commands of the foundation issue, against a real kplane, with real kubectl."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import yaml

from tests.integration.conftest import write
from tests.integration.harness import Kubectl

CM = """apiVersion: v1
kind: ConfigMap
metadata:
  name: demo
  labels: {app: demo}
data:
  a: "1"
"""


def test_get_namespaces_lists_the_initial_three(kubectl: Kubectl) -> None:
    out = kubectl.ok("get", "ns")
    assert out.splitlines()[0].split() == ["NAME", "STATUS", "AGE"]
    names = {line.split()[0] for line in out.splitlines()[1:]}
    assert {"default", "kube-system", "kube-public"} <= names


def test_create_namespace_configmap_secret_and_sa_with_protobuf_bodies(kubectl: Kubectl) -> None:
    assert kubectl.ok("create", "namespace", "t1").strip() == "namespace/t1 created"
    assert kubectl.ok("-n", "t1", "create", "configmap", "c", "--from-literal=a=b").strip() == "configmap/c created"
    assert (
        kubectl.ok("-n", "t1", "create", "secret", "generic", "s", "--from-literal=k=v").strip() == "secret/s created"
    )
    assert kubectl.ok("-n", "t1", "create", "sa", "robot").strip() == "serviceaccount/robot created"
    secret = json.loads(kubectl.ok("-n", "t1", "get", "secret", "s", "-o", "json"))
    assert secret["type"] == "Opaque" and secret["data"] == {"k": "dg=="}
    assert kubectl.ok("-n", "t1", "get", "cm", "c", "-o", "jsonpath={.data.a}") == "b"
    out = kubectl.ok("-n", "t1", "get", "secrets")
    assert out.splitlines()[0].split() == ["NAME", "TYPE", "DATA", "AGE"]


def test_new_namespace_gets_default_sa_and_root_ca(kubectl: Kubectl, namespace: str) -> None:
    kubectl.ok("-n", namespace, "get", "sa", "default")
    ca = kubectl.ok("-n", namespace, "get", "cm", "kube-root-ca.crt", "-o", "jsonpath={.data.ca\\.crt}")
    assert "BEGIN CERTIFICATE" in ca


def test_apply_twice_creates_then_updates(kubectl: Kubectl, namespace: str, tmp_path: Path) -> None:
    path = write(tmp_path, "cm.yaml", CM)
    assert kubectl.ok("-n", namespace, "apply", "-f", str(path)).strip() == "configmap/demo created"
    path.write_text(CM.replace('a: "1"', 'a: "2"\n  b: "3"'))
    assert kubectl.ok("-n", namespace, "apply", "-f", str(path)).strip() == "configmap/demo configured"
    data = json.loads(kubectl.ok("-n", namespace, "get", "cm", "demo", "-o", "json"))["data"]
    assert data == {"a": "2", "b": "3"}
    assert kubectl.ok("-n", namespace, "apply", "-f", str(path)).strip() == "configmap/demo unchanged"


def test_diff_and_replace(kubectl: Kubectl, namespace: str, tmp_path: Path) -> None:
    path = write(tmp_path, "cm.yaml", CM)
    kubectl.ok("-n", namespace, "apply", "-f", str(path))
    assert kubectl.run("-n", namespace, "diff", "-f", str(path)).returncode == 0
    path.write_text(CM.replace('a: "1"', 'a: "9"'))
    diff = kubectl.run("-n", namespace, "diff", "-f", str(path))
    assert diff.returncode == 1, diff.stderr
    assert '+  a: "9"' in diff.stdout and '-  a: "1"' in diff.stdout
    assert kubectl.ok("-n", namespace, "get", "cm", "demo", "-o", "jsonpath={.data.a}") == "1"
    assert kubectl.ok("-n", namespace, "replace", "-f", str(path)).strip() == "configmap/demo replaced"
    assert kubectl.ok("-n", namespace, "get", "cm", "demo", "-o", "jsonpath={.data.a}") == "9"


def test_patch_json_merge_and_strategic(kubectl: Kubectl, namespace: str) -> None:
    kubectl.ok("-n", namespace, "create", "cm", "p", "--from-literal=a=1", "--from-literal=b=2")
    kubectl.ok(
        "-n", namespace, "patch", "cm", "p", "--type", "json", "-p", '[{"op":"replace","path":"/data/a","value":"x"}]'
    )
    kubectl.ok("-n", namespace, "patch", "cm", "p", "--type", "merge", "-p", '{"data":{"b":null,"c":"3"}}')
    kubectl.ok("-n", namespace, "patch", "cm", "p", "-p", '{"metadata":{"finalizers":["example.com/a"]}}')
    kubectl.ok("-n", namespace, "patch", "cm", "p", "-p", '{"metadata":{"finalizers":["example.com/b"]}}')
    obj = json.loads(kubectl.ok("-n", namespace, "get", "cm", "p", "-o", "json"))
    assert obj["data"] == {"a": "x", "c": "3"}
    # upstream strategic merge puts patch items before server-only items (normalizeElementOrder)
    assert obj["metadata"]["finalizers"] == ["example.com/b", "example.com/a"]
    failed = kubectl.run(
        "-n", namespace, "patch", "cm", "p", "--type", "json", "-p", '[{"op":"test","path":"/data/a","value":"zz"}]'
    )
    assert failed.returncode == 1
    kubectl.ok("-n", namespace, "patch", "cm", "p", "--type", "merge", "-p", '{"metadata":{"finalizers":null}}')


def test_label_and_annotate(kubectl: Kubectl, namespace: str) -> None:
    kubectl.ok("-n", namespace, "create", "cm", "l")
    assert kubectl.ok("-n", namespace, "label", "cm", "l", "a=x").strip() == "configmap/l labeled"
    assert kubectl.ok("-n", namespace, "annotate", "cm", "l", "note=hi").strip() == "configmap/l annotated"
    meta = json.loads(kubectl.ok("-n", namespace, "get", "cm", "l", "-o", "json"))["metadata"]
    assert meta["labels"] == {"a": "x"} and meta["annotations"]["note"] == "hi"


def test_get_output_forms_and_selectors(kubectl: Kubectl, namespace: str) -> None:
    for name, label in (("c", "x"), ("d", "y"), ("e", "z")):
        kubectl.ok("-n", namespace, "create", "cm", name, "--from-literal=k=v")
        kubectl.ok("-n", namespace, "label", "cm", name, f"a={label}")
    as_yaml = yaml.safe_load(kubectl.ok("-n", namespace, "get", "cm", "c", "-o", "yaml"))
    assert as_yaml["kind"] == "ConfigMap" and as_yaml["data"] == {"k": "v"}
    wide = kubectl.ok("-n", namespace, "get", "cm", "-o", "wide").splitlines()
    assert wide[0].split() == ["NAME", "DATA", "AGE"]
    selected = kubectl.ok("-n", namespace, "get", "cm", "-l", "a in (x,y)", "-o", "name").split()
    assert sorted(selected) == ["configmap/c", "configmap/d"]
    by_field = kubectl.ok("-n", namespace, "get", "cm", "--field-selector", "metadata.name=c", "-o", "name").split()
    assert by_field == ["configmap/c"]
    chunked = kubectl.ok("-n", namespace, "get", "cm", "--chunk-size=2", "-o", "name").split()
    assert sorted(chunked) == ["configmap/c", "configmap/d", "configmap/e", "configmap/kube-root-ca.crt"]
    bad = kubectl.run("-n", namespace, "get", "cm", "-l", "a in")
    assert bad.returncode == 1


def test_get_watch_prints_a_row_per_change(kubectl: Kubectl, namespace: str) -> None:
    kubectl.ok("-n", namespace, "create", "cm", "w", "--from-literal=a=1")
    command = [kubectl.binary, "--kubeconfig", str(kubectl.kubeconfig), "-n", namespace, "get", "cm", "w", "-w"]
    watcher = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(2)
        kubectl.ok("-n", namespace, "patch", "cm", "w", "--type", "merge", "-p", '{"data":{"b":"2"}}')
        time.sleep(2)
    finally:
        watcher.terminate()
        out, _ = watcher.communicate(timeout=10)
    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["NAME", "DATA", "AGE"]
    assert [row[:2] for row in rows[1:]] == [["w", "1"], ["w", "2"]]


def test_delete_configmap_and_namespace_waits_for_content(kubectl: Kubectl) -> None:
    kubectl.ok("create", "namespace", "gone")
    kubectl.ok("-n", "gone", "create", "cm", "c")
    assert kubectl.ok("-n", "gone", "delete", "cm", "c").startswith('configmap "c" deleted')
    kubectl.ok("-n", "gone", "create", "cm", "d")
    assert kubectl.ok("delete", "ns", "gone", "--timeout=60s").strip() == 'namespace "gone" deleted'
    missing = kubectl.run("get", "ns", "gone")
    assert missing.returncode == 1 and 'namespaces "gone" not found' in missing.stderr
    create = kubectl.run("-n", "gone", "create", "-f", "-", input=CM)
    assert 'Error from server (NotFound): error when creating "STDIN": namespaces "gone" not found' in create.stderr


def test_protected_namespace_cannot_be_deleted(kubectl: Kubectl) -> None:
    result = kubectl.run("delete", "ns", "default")
    assert result.returncode == 1
    assert (
        'Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted'
        in result.stderr
    )


def test_api_resources_explain_and_version(kubectl: Kubectl) -> None:
    resources = kubectl.ok("api-resources")
    rows = {line.split()[0]: line.split() for line in resources.splitlines()[1:]}
    assert rows["configmaps"][1:] == ["cm", "v1", "true", "ConfigMap"]
    assert rows["namespaces"][1:] == ["ns", "v1", "false", "Namespace"]
    assert rows["leases"][1:] == ["coordination.k8s.io/v1", "true", "Lease"]
    explained = kubectl.ok("explain", "configmap.data")
    assert "KIND:" in explained and "ConfigMap" in explained and "Data contains the configuration data" in explained
    version = kubectl.ok("version")
    assert "Server Version: v1.33.0+kplane" in version


def test_errors_read_like_kubernetes(kubectl: Kubectl, namespace: str) -> None:
    missing = kubectl.run("-n", namespace, "get", "cm", "nope")
    assert missing.returncode == 1
    assert missing.stderr.strip() == 'Error from server (NotFound): configmaps "nope" not found'
    kubectl.ok("-n", namespace, "create", "cm", "twice")
    again = kubectl.run("-n", namespace, "create", "-f", "-", input=CM.replace("demo", "twice"))
    assert (
        'Error from server (AlreadyExists): error when creating "STDIN": configmaps "twice" already exists'
        in again.stderr
    )
    invalid = kubectl.run("-n", namespace, "create", "cm", "UPPER")
    assert (
        'ConfigMap "UPPER" is invalid: metadata.name: Invalid value: "UPPER": a lowercase RFC 1123 subdomain'
        in invalid.stderr
    )


def test_strict_field_validation_rejects_unknown_fields(kubectl: Kubectl, namespace: str, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", CM + "foo: bar\n")
    result = kubectl.run("-n", namespace, "apply", "-f", str(path))
    assert result.returncode == 1 and 'unknown field "foo"' in result.stderr


def test_server_dry_run_persists_nothing(kubectl: Kubectl, namespace: str, tmp_path: Path) -> None:
    path = write(tmp_path, "cm.yaml", CM)
    out = kubectl.ok("-n", namespace, "create", "-f", str(path), "--dry-run=server")
    assert out.strip() == "configmap/demo created (server dry run)"
    assert kubectl.run("-n", namespace, "get", "cm", "demo").returncode == 1
