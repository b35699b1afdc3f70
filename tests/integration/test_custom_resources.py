"""CustomResourceDefinitions per logical cluster, driven by real kubectl and HTTPS requests."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.conftest import write
from tests.integration.harness import Kplane, Kubectl, request_json, request_raw

CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [all]}
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
    subresources:
      status: {}
      scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            description: The desired state of the widget.
            x-kubernetes-validations:
            - rule: self.minReplicas <= self.replicas
              message: minReplicas must not exceed replicas
            - rule: self.replicas >= oldSelf.replicas
              message: replicas may not decrease
            properties:
              replicas: {type: integer, maximum: 5, description: How many widgets.}
              minReplicas: {type: integer, default: 0}
              color: {type: string, default: blue}
          status:
            type: object
            properties:
              ready: {type: boolean}
              replicas: {type: integer}
"""

WIDGET = """apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec: {replicas: 2}
"""


def _eventually(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


@pytest.fixture(scope="module")
def widgets(kubectl: Kubectl, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = write(tmp_path_factory.mktemp("crd"), "crd.yaml", CRD)
    kubectl.ok("apply", "-f", str(path))
    kubectl.ok("wait", "--for", "condition=established", "crd/widgets.example.com", "--timeout=30s")
    return path


def test_established_crd_is_served_with_printer_columns(
    widgets: Path, kubectl: Kubectl, namespace: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "w.yaml", WIDGET)
    applied = kubectl.run("-n", namespace, "apply", "-f", str(path), "-v=6")
    assert applied.returncode == 0, applied.stderr
    assert "/openapi/v2" not in applied.stderr
    rows = kubectl.ok("-n", namespace, "get", "widgets").splitlines()
    assert rows[0].split() == ["NAME", "REPLICAS", "COLOR", "AGE"]
    assert rows[1].split()[:3] == ["w", "2", "blue"]
    assert "widget.example.com/w" in kubectl.ok("-n", namespace, "get", "all", "-o", "name")
    explained = kubectl.ok("explain", "widget.spec", "--recursive")
    assert "replicas" in explained and "minReplicas" in explained


def test_schema_validation_pruning_and_defaults(widgets: Path, kplane: Kplane, namespace: str) -> None:
    base = f"/clusters/root/apis/example.com/v1/namespaces/{namespace}/widgets"
    too_many = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "big"}, "spec": {"replicas": 10}}
    status, body = request_json(kplane, "POST", base, too_many)
    assert status == 422
    assert (
        "spec.replicas: Invalid value: 10: spec.replicas in body should be less than or equal to 5" in body["message"]
    )
    pruned = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "p"},
        "spec": {"replicas": 1, "unknown": "x"},
    }
    status, body = request_json(kplane, "POST", base + "?fieldValidation=Ignore", pruned)
    assert status == 201, body
    assert "unknown" not in body["spec"] and body["spec"]["color"] == "blue" and body["spec"]["minReplicas"] == 0
    status, body = request_json(
        kplane, "POST", base + "?fieldValidation=Strict", {**pruned, "metadata": {"name": "strict"}}
    )
    assert status == 400 and 'unknown field "spec.unknown"' in body["message"]


def test_cel_rules_and_transition_rules(widgets: Path, kplane: Kplane, kubectl: Kubectl, namespace: str) -> None:
    base = f"/clusters/root/apis/example.com/v1/namespaces/{namespace}/widgets"
    bad = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "bad"},
        "spec": {"replicas": 1, "minReplicas": 3},
    }
    status, body = request_json(kplane, "POST", base, bad)
    assert status == 422 and "minReplicas must not exceed replicas" in body["message"]
    kubectl.ok("-n", namespace, "apply", "-f", "-", input=WIDGET.replace("replicas: 2", "replicas: 3"))
    lowered = kubectl.run("-n", namespace, "patch", "widget", "w", "--type", "merge", "-p", '{"spec":{"replicas":1}}')
    assert lowered.returncode == 1 and "replicas may not decrease" in lowered.stderr


def test_status_and_scale_subresources(widgets: Path, kubectl: Kubectl, namespace: str) -> None:
    kubectl.ok("-n", namespace, "apply", "-f", "-", input=WIDGET)
    kubectl.ok("-n", namespace, "patch", "widget", "w", "--type", "merge", "-p", '{"status":{"ready":true}}')
    obj = json.loads(kubectl.ok("-n", namespace, "get", "widget", "w", "-o", "json"))
    assert "status" not in obj and obj["metadata"]["generation"] == 1
    kubectl.ok(
        "-n",
        namespace,
        "patch",
        "widget",
        "w",
        "--subresource=status",
        "--type",
        "merge",
        "-p",
        '{"status":{"ready":true}}',
    )
    obj = json.loads(kubectl.ok("-n", namespace, "get", "widget", "w", "-o", "json"))
    assert obj["status"] == {"ready": True} and obj["metadata"]["generation"] == 1
    assert kubectl.ok("-n", namespace, "scale", "widget", "w", "--replicas=3").strip() == "widget.example.com/w scaled"
    obj = json.loads(kubectl.ok("-n", namespace, "get", "widget", "w", "-o", "json"))
    assert obj["spec"]["replicas"] == 3 and obj["metadata"]["generation"] == 2
    smp = kubectl.run("-n", namespace, "patch", "widget", "w", "-p", '{"spec":{"color":"red"}}')
    assert smp.returncode == 1
    assert "application/strategic-merge-patch+json is not supported by example.com/v1, Kind=Widget" in smp.stderr


def test_same_crd_name_in_two_clusters_validates_separately(kplane: Kplane, kubectl: Kubectl) -> None:
    for name in ("crd-a", "crd-b"):
        status, body = request_json(
            kplane,
            "POST",
            f"/clusters/{name}/apis/core.kcp.io/v1alpha1/logicalclusters",
            {"apiVersion": "core.kcp.io/v1alpha1", "kind": "LogicalCluster", "metadata": {"name": "cluster"}},
        )
        assert status == 201, body
    a, b = f"{kplane.base_url}/clusters/crd-a", f"{kplane.base_url}/clusters/crd-b"
    kubectl.ok("apply", "-f", "-", input=CRD, server=a)
    kubectl.ok("apply", "-f", "-", input=CRD.replace("maximum: 5", "maximum: 50"), server=b)
    for server in (a, b):
        kubectl.ok("wait", "--for", "condition=established", "crd/widgets.example.com", "--timeout=30s", server=server)
    big = WIDGET.replace("replicas: 2", "replicas: 20")
    assert kubectl.run("-n", "default", "apply", "-f", "-", input=big, server=a).returncode == 1
    assert kubectl.run("-n", "default", "apply", "-f", "-", input=big, server=b).returncode == 0


def test_deleting_the_crd_deletes_every_instance(kplane: Kplane, kubectl: Kubectl) -> None:
    status, _ = request_json(
        kplane,
        "POST",
        "/clusters/crd-gone/apis/core.kcp.io/v1alpha1/logicalclusters",
        {"apiVersion": "core.kcp.io/v1alpha1", "kind": "LogicalCluster", "metadata": {"name": "cluster"}},
    )
    assert status == 201
    server = f"{kplane.base_url}/clusters/crd-gone"
    kubectl.ok("apply", "-f", "-", input=CRD, server=server)
    kubectl.ok("wait", "--for", "condition=established", "crd/widgets.example.com", "--timeout=30s", server=server)
    for name in ("one", "two"):
        kubectl.ok("-n", "default", "apply", "-f", "-", input=WIDGET.replace("name: w", f"name: {name}"), server=server)
    kubectl.ok("delete", "crd", "widgets.example.com", "--timeout=60s", server=server)
    status, _ = request_json(kplane, "GET", "/clusters/crd-gone/apis/example.com/v1/namespaces/default/widgets")
    assert status == 404
    assert _eventually(lambda: "widgets" not in kubectl.ok("api-resources", server=server))
    listed = request_json(kplane, "GET", "/clusters/crd-gone/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
    assert listed[1]["items"] == []
    kubectl.ok("apply", "-f", "-", input=CRD, server=server)
    kubectl.ok("wait", "--for", "condition=established", "crd/widgets.example.com", "--timeout=30s", server=server)
    assert kubectl.ok("-n", "default", "get", "widgets", "-o", "name", server=server).strip() == ""


def test_crd_with_a_rule_that_does_not_compile_is_rejected(kubectl: Kubectl) -> None:
    bad = (
        CRD.replace("name: widgets.example.com", "name: gadgets.example.com")
        .replace(
            "plural: widgets, singular: widget, kind: Widget, shortNames: [wd]",
            "plural: gadgets, singular: gadget, kind: Gadget",
        )
        .replace("rule: self.minReplicas <= self.replicas", "rule: self.nope <= self.replicas")
    )
    result = kubectl.run("apply", "-f", "-", input=bad)
    assert result.returncode == 1
    assert 'The CustomResourceDefinition "gadgets.example.com" is invalid' in result.stderr
    assert "compilation failed" in result.stderr and "undefined field 'nope'" in result.stderr


def test_crd_without_a_structural_schema_is_rejected(kplane: Kplane) -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "things.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "things", "kind": "Thing"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"properties": {}}}}},
                }
            ],
        },
    }
    status, body = request_json(
        kplane, "POST", "/clusters/root/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd
    )
    assert status == 422 and body["reason"] == "Invalid"
    assert any("properties[spec].type" in cause.get("field", "") for cause in body["details"]["causes"])
    wrong_name = {**crd, "metadata": {"name": "stuff.example.com"}}
    status, body = request_json(
        kplane, "POST", "/clusters/root/apis/apiextensions.k8s.io/v1/customresourcedefinitions", wrong_name
    )
    assert status == 422 and any(c.get("field") == "metadata.name" for c in body["details"]["causes"])


MULTI = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gizmos.versions.example.com
spec:
  group: versions.example.com
  scope: Namespaced
  names: {plural: gizmos, kind: Gizmo}
  versions:
  - name: v1beta1
    served: true
    storage: false
    deprecated: true
    deprecationWarning: versions.example.com/v1beta1 Gizmo is going away
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
"""


def test_versions_share_storage_and_deprecated_ones_warn(kplane: Kplane, kubectl: Kubectl, namespace: str) -> None:
    kubectl.ok("apply", "-f", "-", input=MULTI)
    kubectl.ok("wait", "--for", "condition=established", "crd/gizmos.versions.example.com", "--timeout=30s")
    old = f"/clusters/root/apis/versions.example.com/v1beta1/namespaces/{namespace}/gizmos"
    status, headers, raw = request_raw(
        kplane,
        "POST",
        old,
        {"apiVersion": "versions.example.com/v1beta1", "kind": "Gizmo", "metadata": {"name": "g"}, "size": 3},
    )
    assert status == 201
    assert headers.get_all("Warning") == ['299 - "versions.example.com/v1beta1 Gizmo is going away"']
    status, body = request_json(kplane, "GET", old.replace("/v1beta1/", "/v1/") + "/g")
    assert status == 200 and body["apiVersion"] == "versions.example.com/v1" and body["size"] == 3
    crd = json.loads(kubectl.ok("get", "crd", "gizmos.versions.example.com", "-o", "json"))
    assert crd["status"]["storedVersions"] == ["v1"]


def test_conversion_webhooks_are_refused_clearly(kubectl: Kubectl) -> None:
    webhook = MULTI.replace("gizmos.versions", "doohickeys.versions").replace(
        "plural: gizmos, kind: Gizmo", "plural: doohickeys, kind: Doohickey"
    )
    webhook += """  conversion:
    strategy: Webhook
    webhook:
      conversionReviewVersions: [v1]
      clientConfig: {url: "https://example.com/convert"}
"""
    result = kubectl.run("apply", "-f", "-", input=webhook)
    assert result.returncode == 1 and "conversion webhooks are not supported" in result.stderr


def test_names_already_in_use_are_not_accepted(kplane: Kplane, kubectl: Kubectl) -> None:
    first = (
        CRD.replace("widgets.example.com", "sprockets.names.example.com")
        .replace("group: example.com", "group: names.example.com")
        .replace(
            "plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [all]",
            "plural: sprockets, kind: Sprocket",
        )
    )
    second = first.replace("name: sprockets.names", "name: cogs.names").replace("plural: sprockets", "plural: cogs")
    kubectl.ok("apply", "-f", "-", input=first)
    kubectl.ok("wait", "--for", "condition=established", "crd/sprockets.names.example.com", "--timeout=30s")
    kubectl.ok("apply", "-f", "-", input=second)

    def kind_conflict_reported() -> bool:
        crd = json.loads(kubectl.ok("get", "crd", "cogs.names.example.com", "-o", "json"))
        conditions = {c["type"]: c for c in crd.get("status", {}).get("conditions", [])}
        accepted = conditions.get("NamesAccepted", {})
        return accepted.get("status") == "False" and '"Sprocket" is already in use' in accepted.get("message", "")

    assert _eventually(kind_conflict_reported)
    status, _ = request_json(kplane, "GET", "/clusters/root/apis/names.example.com/v1/namespaces/default/cogs")
    assert status == 404


def test_cluster_scoped_custom_resources_and_json_patch(kplane: Kplane, kubectl: Kubectl) -> None:
    crd = MULTI.replace("gizmos.versions", "regions.scoped").replace(
        "group: versions.example.com", "group: scoped.example.com"
    )
    crd = crd.replace("scope: Namespaced", "scope: Cluster").replace(
        "plural: gizmos, kind: Gizmo", "plural: regions, kind: Region"
    )
    kubectl.ok("apply", "-f", "-", input=crd)
    kubectl.ok("wait", "--for", "condition=established", "crd/regions.scoped.example.com", "--timeout=30s")
    kubectl.ok(
        "apply", "-f", "-", input="apiVersion: scoped.example.com/v1\nkind: Region\nmetadata: {name: eu}\nzones: 3\n"
    )
    kubectl.ok("patch", "region", "eu", "--type", "json", "-p", '[{"op":"replace","path":"/zones","value":4}]')
    region = json.loads(kubectl.ok("get", "region", "eu", "-o", "json"))
    assert region["zones"] == 4 and "namespace" not in region["metadata"]
    status, _ = request_json(kplane, "GET", "/clusters/root/apis/scoped.example.com/v1/namespaces/default/regions/eu")
    assert status == 404


def test_garbage_collection_of_configmaps_owned_by_a_custom_resource(
    widgets: Path, kplane: Kplane, kubectl: Kubectl, namespace: str
) -> None:
    kubectl.ok("-n", namespace, "apply", "-f", "-", input=WIDGET.replace("name: w", "name: owner"))
    uid = kubectl.ok("-n", namespace, "get", "widget", "owner", "-o", "jsonpath={.metadata.uid}")
    reference = {"apiVersion": "example.com/v1", "kind": "Widget", "name": "owner", "uid": uid}
    status, _ = request_json(
        kplane,
        "POST",
        f"/clusters/root/api/v1/namespaces/{namespace}/configmaps",
        {"metadata": {"name": "owned", "ownerReferences": [reference]}},
    )
    assert status == 201
    time.sleep(1)
    assert kubectl.run("-n", namespace, "get", "cm", "owned").returncode == 0
    kubectl.ok("-n", namespace, "delete", "widget", "owner")
    assert _eventually(lambda: kubectl.run("-n", namespace, "get", "cm", "owned").returncode == 1)
