"""The portable end-to-end tests of the `kubernetes` Python client (kubernetes/e2e_test/test_client.py,
test_watch.py, test_utils.py and kubernetes/base/dynamic/test_client.py), against kplane.

Like upstream they work in the `default` namespace, which must exist; objects get unique names and labels so
that nothing else living there (such as `kube-root-ca.crt`) interferes.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from kubernetes import client as k8s
from kubernetes import utils, watch
from kubernetes.client.rest import ApiException
from kubernetes.dynamic import DynamicClient


def _short_uuid() -> str:
    return str(uuid.uuid4())[-12:]


def test_configmap_apis(api_client: k8s.ApiClient) -> None:
    api = k8s.CoreV1Api(api_client)
    name = "test-configmap-" + _short_uuid()
    label = f"e2e-tests-{_short_uuid()}"
    body = {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"name": name, "labels": {label: "true"}},
        "data": {
            "config.json": '{"command":"/usr/bin/mysqld_safe"}',
            "frontend.cnf": "[mysqld]\nbind-address = 10.0.0.3\nport = 3306\n",
        },
    }
    assert api.create_namespaced_config_map(body=body, namespace="default").metadata.name == name
    assert api.read_namespaced_config_map(name=name, namespace="default").metadata.name == name

    # a list body is sent as a JSON patch
    replaced = api.patch_namespaced_config_map(
        name=name,
        namespace="default",
        body=[{"op": "replace", "path": "/data", "value": {"new_value": "json_patch_name"}}],
    )
    assert replaced.data == {"new_value": "json_patch_name"}
    # a dict body as a strategic merge patch
    merged = api.patch_namespaced_config_map(
        name=name, namespace="default", body={"data": {"new_value": "merge_patch_name"}}
    )
    assert merged.data == {"new_value": "merge_patch_name"}

    api.delete_namespaced_config_map(name=name, body={}, namespace="default")
    assert api.list_namespaced_config_map("default", label_selector=f"{label}=true").items == []


def test_watch_configmaps(api_client: k8s.ApiClient) -> None:
    api = k8s.CoreV1Api(api_client)
    label = f"e2e-watch-{_short_uuid()}"

    def config_map(name: str, value: str) -> dict[str, object]:
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "labels": {label: "true"}},
            "data": {"key": value, "config": "dummy"},
        }

    name_a, name_b = "configmap-a-" + _short_uuid(), "configmap-b-" + _short_uuid()
    api.create_namespaced_config_map(body=config_map(name_a, "a"), namespace="default")
    resource_version = api.list_namespaced_config_map(
        "default", label_selector=f"{label}=true"
    ).metadata.resource_version

    body_b = config_map(name_b, "b")
    api.create_namespaced_config_map(body=body_b, namespace="default")
    body_b["data"]["config"] = "{}"  # type: ignore[index]
    api.patch_namespaced_config_map(name=name_b, namespace="default", body=body_b)
    api.delete_collection_namespaced_config_map(namespace="default", label_selector=f"{label}=true")

    seen = [
        (event["type"], event["object"].metadata.name)
        for event in watch.Watch().stream(
            api.list_namespaced_config_map,
            namespace="default",
            label_selector=f"{label}=true",
            resource_version=resource_version,
            timeout_seconds=3,
        )
    ]
    assert [kind for kind, _ in seen] == ["ADDED", "MODIFIED", "DELETED", "DELETED"]
    assert [name for _, name in seen[:2]] == [name_b, name_b]
    # the order of the two deletions is not guaranteed
    assert {name for _, name in seen[2:]} == {name_a, name_b}


def test_list_namespaces(api_client: k8s.ApiClient) -> None:
    names = {item.metadata.name for item in k8s.CoreV1Api(api_client).list_namespace().items}
    assert {"default", "kube-system", "kube-public"} <= names


def test_create_namespace_from_yaml(api_client: k8s.ApiClient, tmp_path: Path) -> None:
    name = f"development-{_short_uuid()}"
    manifest = tmp_path / "core-namespace.yaml"
    manifest.write_text(f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n")
    utils.create_from_yaml(api_client, str(manifest))
    core = k8s.CoreV1Api(api_client)
    assert core.read_namespace(name=name).metadata.name == name
    core.delete_namespace(name=name, body={})


def test_create_namespace_list_from_yaml(api_client: k8s.ApiClient, tmp_path: Path) -> None:
    suffix = _short_uuid()
    manifest = tmp_path / "namespace-list.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: NamespaceList\nitems:\n"
        + "".join(
            f"- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: mock-{n}-{suffix}\n"
            f"    labels:\n      name: mock-{n}-{suffix}\n"
            for n in (1, 2)
        )
    )
    utils.create_from_yaml(api_client, str(manifest))
    core = k8s.CoreV1Api(api_client)
    for n in (1, 2):
        namespace = core.read_namespace(name=f"mock-{n}-{suffix}")
        assert namespace.metadata.name == f"mock-{n}-{suffix}"
        assert namespace.metadata.labels["name"] == f"mock-{n}-{suffix}"
    listed = {
        item.metadata.name
        for item in core.list_namespace(label_selector=f"name in (mock-1-{suffix},mock-2-{suffix})").items
    }
    assert listed == {f"mock-1-{suffix}", f"mock-2-{suffix}"}
    for n in (1, 2):
        core.delete_namespace(name=f"mock-{n}-{suffix}", body={})


@pytest.mark.parametrize("verbose", [False, True], ids=["quiet", "verbose"])
def test_create_rbac_role_from_yaml(api_client: k8s.ApiClient, tmp_path: Path, verbose: bool) -> None:
    name = f"pod-reader-{_short_uuid()}"
    manifest = tmp_path / "rbac-role.yaml"
    manifest.write_text(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n"
        f"  namespace: default\n  name: {name}\nrules:\n"
        '- apiGroups: [""]\n  resources: ["pods"]\n  verbs: ["get", "watch", "list"]\n'
    )
    utils.create_from_yaml(api_client, str(manifest), verbose=verbose)
    rbac = k8s.RbacAuthorizationV1Api(api_client)
    role = rbac.read_namespaced_role(name=name, namespace="default")
    assert role.metadata.name == name
    assert role.rules[0].resources[0] == "pods"
    rbac.delete_namespaced_role(name=name, namespace="default", body={})


def test_dynamic_client_configmap_apis(api_client: k8s.ApiClient) -> None:
    api = DynamicClient(api_client).resources.get(api_version="v1", kind="ConfigMap")
    name = "test-configmap-" + _short_uuid()
    label = f"e2e-test-{_short_uuid()}"
    body = {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"name": name, "labels": {label: "true"}},
        "data": {
            "config.json": '{"command":"/usr/bin/mysqld_safe"}',
            "frontend.cnf": "[mysqld]\nbind-address = 10.0.0.3\n",
        },
    }
    assert api.create(body=body, namespace="default").metadata.name == name
    assert api.get(name=name, namespace="default", label_selector=f"{label}=true").metadata.name == name
    body["data"]["config.json"] = "{}"  # type: ignore[index]
    assert api.patch(name=name, namespace="default", body=body).data["config.json"] == "{}"
    api.delete(name=name, body={}, namespace="default")
    assert api.get(namespace="default", pretty=True, label_selector=f"{label}=true").items == []


def test_dynamic_client_partial_object_metadata(api_client: k8s.ApiClient, namespace: str) -> None:
    """Upstream lists Nodes; ConfigMaps here. The Accept header name is matched case-insensitively."""
    api = DynamicClient(api_client).resources.get(api_version="v1", kind="ConfigMap")
    for header in ("Accept", "aCcePt"):
        reply = api.get(
            namespace=namespace,
            header_params={header: "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"},
        )
        assert reply.kind == "PartialObjectMetadataList"
        assert reply.apiVersion == "meta.k8s.io/v1"
        assert [item.metadata.name for item in reply.items] == ["kube-root-ca.crt"]
        assert reply.items[0].kind == "PartialObjectMetadata"


def test_dynamic_client_server_side_apply(api_client: k8s.ApiClient) -> None:
    """Upstream applies a Pod with dryRun=All; a ConfigMap here."""
    api = DynamicClient(api_client).resources.get(api_version="v1", kind="ConfigMap")
    name = "cm-" + _short_uuid()
    manifest = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"labels": {"name": name}, "name": name},
        "data": {"a": "1"},
    }
    reply = api.server_side_apply(
        name=name,
        namespace="default",
        body=json.dumps(manifest).encode(),
        field_manager="kubernetes-unittests",
        dry_run="All",
    )
    assert reply.metadata.managedFields[0].manager == "kubernetes-unittests"
    with pytest.raises(ApiException) as missing:
        k8s.CoreV1Api(api_client).read_namespaced_config_map(name, "default")
    assert missing.value.status == 404
