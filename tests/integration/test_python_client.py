"""The `kubernetes` Python client against a real kplane: CRUD, paging, watch from a list's resourceVersion."""

from __future__ import annotations

import threading
import time

import pytest
from kubernetes import client as k8s
from kubernetes import watch
from kubernetes.client.rest import ApiException

from tests.integration.harness import COMPACTION_INTERVAL_SECONDS, WATCH_CACHE_SIZE, Kplane, request_json


def _cm(name: str, **data: str) -> k8s.V1ConfigMap:
    return k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(name=name, labels={"suite": "py"}), data=data or None)


def test_crud(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    created = core.create_namespaced_config_map(namespace, _cm("crud", a="1"))
    assert created.metadata.uid and created.metadata.resource_version and created.metadata.creation_timestamp
    read = core.read_namespaced_config_map("crud", namespace)
    assert read.data == {"a": "1"}
    read.data["b"] = "2"
    replaced = core.replace_namespaced_config_map("crud", namespace, read)
    assert int(replaced.metadata.resource_version) > int(created.metadata.resource_version)
    with pytest.raises(ApiException) as stale:
        core.replace_namespaced_config_map("crud", namespace, read)
    assert stale.value.status == 409 and "the object has been modified" in stale.value.body
    patched = core.patch_namespaced_config_map("crud", namespace, {"data": {"c": "3"}})
    assert patched.data == {"a": "1", "b": "2", "c": "3"}
    status = core.delete_namespaced_config_map("crud", namespace)
    # kubernetes 37.0.2 hands this Status back as a plain dict
    assert (status["status"] if isinstance(status, dict) else status.status) == "Success"
    with pytest.raises(ApiException) as missing:
        core.read_namespaced_config_map("crud", namespace)
    assert missing.value.status == 404


def test_generate_name(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    created = core.create_namespaced_config_map(
        namespace, k8s.V1ConfigMap(metadata=k8s.V1ObjectMeta(generate_name="cm-"))
    )
    name = created.metadata.name
    assert name.startswith("cm-") and len(name) == 8
    assert set(name[3:]) <= set("bcdfghjklmnpqrstvwxz2456789")


def test_list_with_limit_and_continue(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    for index in range(5):
        core.create_namespaced_config_map(namespace, _cm(f"page-{index}"))
    first = core.list_namespaced_config_map(namespace, label_selector="suite=py", limit=2)
    assert len(first.items) == 2 and first.metadata._continue
    assert first.metadata.remaining_item_count in (None, 3)
    core.create_namespaced_config_map(namespace, _cm("page-late"))
    names = [item.metadata.name for item in first.items]
    token = first.metadata._continue
    while token:
        page = core.list_namespaced_config_map(namespace, label_selector="suite=py", limit=2, _continue=token)
        names += [item.metadata.name for item in page.items]
        token = page.metadata._continue
    assert names == [f"page-{index}" for index in range(5)]


def test_watch_from_list_resource_version_sees_exactly_what_happened(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    core.create_namespaced_config_map(namespace, _cm("a"))
    listed = core.list_namespaced_config_map(namespace, label_selector="suite=py")
    core.create_namespaced_config_map(namespace, _cm("b"))
    core.patch_namespaced_config_map("b", namespace, {"data": {"x": "1"}})
    core.delete_namespaced_config_map("a", namespace)
    core.delete_namespaced_config_map("b", namespace)
    seen = []
    stream = watch.Watch().stream(
        core.list_namespaced_config_map,
        namespace,
        label_selector="suite=py",
        resource_version=listed.metadata.resource_version,
        timeout_seconds=3,
    )
    for event in stream:
        seen.append((event["type"], event["object"].metadata.name))
    assert seen == [("ADDED", "b"), ("MODIFIED", "b"), ("DELETED", "a"), ("DELETED", "b")]


def test_watch_delivers_promptly_and_times_out(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    received: list[float] = []

    def writer() -> None:
        time.sleep(1)
        received.append(time.monotonic())
        core.create_namespaced_config_map(namespace, _cm("late"))

    thread = threading.Thread(target=writer)
    started = time.monotonic()
    thread.start()
    events = []
    for event in watch.Watch().stream(
        core.list_namespaced_config_map, namespace, label_selector="suite=py", timeout_seconds=3
    ):
        events.append((event["type"], event["object"].metadata.name, time.monotonic()))
    thread.join()
    assert [(kind, name) for kind, name, _ in events] == [("ADDED", "late")]
    assert events[0][2] - received[0] < 1.0
    assert 2.5 < time.monotonic() - started < 6


def test_watch_older_than_the_watch_cache_window_is_410(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    first = core.create_namespaced_config_map(namespace, _cm("first"))
    for index in range(WATCH_CACHE_SIZE + 20):
        core.patch_namespaced_config_map("first", namespace, {"data": {"n": str(index)}})
    with pytest.raises(ApiException) as expired:
        for _ in watch.Watch().stream(
            core.list_namespaced_config_map,
            namespace,
            resource_version=first.metadata.resource_version,
            timeout_seconds=2,
        ):
            pass
    assert expired.value.status == 410


def test_exact_list_at_a_compacted_revision_is_410(api_client: k8s.ApiClient, namespace: str) -> None:
    core = k8s.CoreV1Api(api_client)
    core.create_namespaced_config_map(namespace, _cm("old", v="1"))
    listed = core.list_namespaced_config_map(namespace, label_selector="suite=py")
    core.patch_namespaced_config_map("old", namespace, {"data": {"v": "2"}})
    exact = core.list_namespaced_config_map(
        namespace,
        label_selector="suite=py",
        resource_version=listed.metadata.resource_version,
        resource_version_match="Exact",
    )
    assert exact.items[0].data == {"v": "1"}
    time.sleep(COMPACTION_INTERVAL_SECONDS * 2 + 1)
    with pytest.raises(ApiException) as expired:
        core.list_namespaced_config_map(
            namespace, resource_version=listed.metadata.resource_version, resource_version_match="Exact"
        )
    assert expired.value.status == 410


def test_version_with_trailing_slash(api_client: k8s.ApiClient) -> None:
    assert k8s.VersionApi(api_client).get_code().git_version == "v1.33.0+kplane"


def test_lease_microtime_round_trip(api_client: k8s.ApiClient, kplane: Kplane, namespace: str) -> None:
    coordination = k8s.CoordinationV1Api(api_client)
    body = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "leader"},
        "spec": {"holderIdentity": "me", "renewTime": "2026-11-24T10:11:12.123456Z", "leaseDurationSeconds": 15},
    }
    coordination.create_namespaced_lease(namespace, body)
    status, raw = request_json(
        kplane, "GET", f"/clusters/root/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/leader"
    )
    assert status == 200 and raw["spec"]["renewTime"] == "2026-11-24T10:11:12.123456Z"
