"""ConfigMap and Secret API conformance, after upstream test/e2e/common/node/configmap.go and secrets.go (the
API-only scenarios), and the immutability scenarios of test/e2e/common/storage/configmap_volume.go and
secrets_volume.go. Driven with the `kubernetes` Python client, as upstream drives them with client-go, and the
lifecycle once more with every kubectl."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from kubernetes import client as k8s
from kubernetes.client.rest import ApiException

from tests.integration.harness import Kubectl


def _data() -> dict[str, str]:
    return {"data-1": "value-1", "data-2": "value-2", "data-3": "value-3"}


def test_fail_to_create_configmap_with_empty_key(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    body = k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name=f"configmap-test-emptykey-{uuid.uuid4().hex[:8]}"))
    body.data = {"": "value-1"}
    with pytest.raises(ApiException) as failed:
        core.create_namespaced_config_map(namespace, body)
    assert failed.value.status == 422


def test_update_configmap_successfully(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    name = f"configmap-test-{uuid.uuid4().hex[:8]}"
    config_map = k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name=name, namespace=namespace), data=_data())
    core.create_namespaced_config_map(namespace, config_map)
    # the unchanged local copy, without resourceVersion: an unconditional update
    config_map.data = {"data": "value"}
    core.replace_namespaced_config_map(name, namespace, config_map)
    assert core.read_namespaced_config_map(name, namespace).data == {"data": "value"}


def test_patch_configmap_successfully(api_client: k8s.ApiClient, namespace: str) -> None:
    """Not an upstream test name: the update scenario above, done with a strategic merge patch."""
    core = k8s.CoreV1Api(api_client)
    name = f"configmap-test-{uuid.uuid4().hex[:8]}"
    created = core.create_namespaced_config_map(
        namespace, k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name=name), data=_data())
    )
    patched = core.patch_namespaced_config_map(name, namespace, {"data": {"data-2": "patched", "data-4": "value-4"}})
    assert int(patched.metadata.resource_version) > int(created.metadata.resource_version)
    expected = {"data-1": "value-1", "data-2": "patched", "data-3": "value-3", "data-4": "value-4"}
    assert core.read_namespaced_config_map(name, namespace).data == expected


def test_run_through_a_configmap_lifecycle(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    name = f"test-configmap{uuid.uuid4()}"
    core.create_namespaced_config_map(
        namespace,
        k8s.V1ConfigMap(
            metadata=k8s.V1ObjectMeta(name=name, labels={"test-configmap-static": "true"}),
            data={"valueName": "value"},
        ),
    )
    fetched = core.read_namespaced_config_map(name, namespace)
    assert fetched.data["valueName"] == "value"
    assert fetched.metadata.labels["test-configmap-static"] == "true"

    core.patch_namespaced_config_map(
        name, namespace, {"metadata": {"labels": {"test-configmap": "patched"}}, "data": {"valueName": "value1"}}
    )

    everywhere = core.list_config_map_for_all_namespaces(label_selector="test-configmap=patched")
    assert any(
        cm.metadata.name == name
        and cm.metadata.namespace == namespace
        and cm.metadata.labels.get("test-configmap-static") == "true"
        and cm.metadata.labels.get("test-configmap") == "patched"
        and cm.data.get("valueName") == "value1"
        for cm in everywhere.items
    ), [cm.metadata.name for cm in everywhere.items]

    core.delete_collection_namespaced_config_map(namespace, label_selector="test-configmap-static=true")
    assert core.list_namespaced_config_map(namespace, label_selector="test-configmap-static=true").items == []


def test_kubectl_run_through_a_configmap_lifecycle(any_kubectl: Kubectl, ns: str) -> None:
    name = f"test-configmap-{uuid.uuid4().hex[:8]}"
    manifest = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "labels": {"test-configmap-static": "true"}},
        "data": {"valueName": "value"},
    }
    assert (
        any_kubectl.ok("-n", ns, "create", "-f", "-", input=json.dumps(manifest)).strip() == f"configmap/{name} created"
    )
    fetched = json.loads(any_kubectl.ok("-n", ns, "get", "configmap", name, "-o", "json"))
    assert fetched["data"]["valueName"] == "value"
    assert fetched["metadata"]["labels"]["test-configmap-static"] == "true"

    patch = json.dumps({"metadata": {"labels": {"test-configmap": "patched"}}, "data": {"valueName": "value1"}})
    assert any_kubectl.ok("-n", ns, "patch", "configmap", name, "-p", patch).strip() == f"configmap/{name} patched"

    listed = json.loads(any_kubectl.ok("get", "configmaps", "-A", "-l", "test-configmap=patched", "-o", "json"))
    found = [
        item for item in listed["items"] if (item["metadata"]["namespace"], item["metadata"]["name"]) == (ns, name)
    ]
    assert len(found) == 1 and found[0]["data"]["valueName"] == "value1"
    assert found[0]["metadata"]["labels"]["test-configmap-static"] == "true"

    deleted = any_kubectl.ok("-n", ns, "delete", "configmaps", "-l", "test-configmap-static=true")
    assert f'configmap "{name}" deleted' in deleted
    after = any_kubectl.run("-n", ns, "get", "configmaps", "-l", "test-configmap-static=true")
    assert after.returncode == 0 and after.stdout == "" and "No resources found" in after.stderr


def test_fail_to_create_secret_due_to_empty_secret_key(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    body = k8s.V1Secret(
        metadata=k8s.V1ObjectMeta(name=f"secret-emptykey-test-{uuid.uuid4().hex[:8]}"),
        data={"": base64.b64encode(b"value-1\n").decode()},
    )
    with pytest.raises(ApiException) as failed:
        core.create_namespaced_secret(namespace, body)
    assert failed.value.status == 422


def test_patch_a_secret(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    name = f"test-secret-{uuid.uuid4()}"
    core.create_namespaced_secret(
        namespace,
        k8s.V1Secret(
            metadata=k8s.V1ObjectMeta(name=name, labels={"testsecret-constant": "true"}),
            data={"key": base64.b64encode(b"value").decode()},
            type="Opaque",
        ),
    )
    everywhere = core.list_secret_for_all_namespaces(label_selector="testsecret-constant=true")
    assert any(s.metadata.name == name and s.metadata.namespace == namespace for s in everywhere.items)

    # upstream marshals the base64 text as []byte, so the stored bytes are themselves base64 of "value1"
    stored = base64.b64encode(b"value1")
    core.patch_namespaced_secret(
        name,
        namespace,
        {"metadata": {"labels": {"testsecret": "true"}}, "data": {"key": base64.b64encode(stored).decode()}},
    )
    secret = core.read_namespaced_secret(name, namespace)
    assert base64.b64decode(base64.b64decode(secret.data["key"])) == b"value1"

    core.delete_collection_namespaced_secret(namespace, label_selector="testsecret=true")
    everywhere = core.list_secret_for_all_namespaces(label_selector="testsecret-constant=true")
    assert not any(s.metadata.name == name and s.metadata.namespace == namespace for s in everywhere.items)


def test_configmap_is_immutable_if_immutable_field_is_set(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    current = core.create_namespaced_config_map(
        namespace, k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name="immutable"), data=_data())
    )
    current.data["data-4"] = "value-4"
    current = core.replace_namespaced_config_map("immutable", namespace, current)
    current.immutable = True
    current = core.replace_namespaced_config_map("immutable", namespace, current)

    changed = k8s.V1ConfigMap(metadata=current.metadata, data={**current.data, "data-5": "value-5"}, immutable=True)
    with pytest.raises(ApiException) as failed:
        core.replace_namespaced_config_map("immutable", namespace, changed)
    assert failed.value.status == 422
    with pytest.raises(ApiException) as failed:
        core.patch_namespaced_config_map("immutable", namespace, {"immutable": False})
    assert failed.value.status == 422

    relabelled = core.patch_namespaced_config_map(
        "immutable", namespace, {"metadata": {"labels": {"label1": "value1"}}}
    )
    assert relabelled.metadata.labels == {"label1": "value1"}
    core.delete_namespaced_config_map("immutable", namespace)


def test_secret_is_immutable_if_immutable_field_is_set(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    encoded = {key: base64.b64encode(f"{value}\n".encode()).decode() for key, value in _data().items()}
    current = core.create_namespaced_secret(
        namespace, k8s.V1Secret(metadata=k8s.V1ObjectMeta(name="immutable"), data=encoded)
    )
    current.data["data-4"] = base64.b64encode(b"value-4\n").decode()
    current = core.replace_namespaced_secret("immutable", namespace, current)
    current.immutable = True
    current = core.replace_namespaced_secret("immutable", namespace, current)

    current.data["data-5"] = base64.b64encode(b"value-5\n").decode()
    with pytest.raises(ApiException) as failed:
        core.replace_namespaced_secret("immutable", namespace, current)
    assert failed.value.status == 422
    with pytest.raises(ApiException) as failed:
        core.patch_namespaced_secret("immutable", namespace, {"immutable": False})
    assert failed.value.status == 422

    relabelled = core.patch_namespaced_secret("immutable", namespace, {"metadata": {"labels": {"label1": "value1"}}})
    assert relabelled.metadata.labels == {"label1": "value1"}
    core.delete_namespaced_secret("immutable", namespace)
