"""A LogicalCluster create writes it and its content (3 namespaces, their ServiceAccount and ConfigMap, the
owner's workspace-admin binding) in one transaction, objects identical to the sequential path's; an existing
LogicalCluster is a 409 with nothing written; left-behind content falls back to the sequential path; and
Store.prepared is what Store.create would write."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import orjson
import pytest

from apimachinery import errors
from apimachinery.apis.catalog import builtin_catalog
from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS
from apimachinery.apis.core_v1 import CONFIGMAPS, NAMESPACES, SERVICEACCOUNTS
from shard.registry import keys
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.owners import OWNER_ANNOTATION
from shard.registry.registry import Registry
from shard.registry.store import Store
from tests.unit.memory_storage import MemoryStorage

Object = dict[str, Any]
CONTROLLER = UserInfo("system:kcp:workspace-controller", ("system:masters",))
CLUSTER = "c0ffee"
CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
OWNER = {"username": "jane", "groups": ["system:authenticated"]}
NAMESPACED = ("serviceaccounts", "configmaps")
CONTENT_KEYS = {
    *(f"/registry/core/namespaces/{CLUSTER}/{ns}" for ns in ("default", "kube-system", "kube-public")),
    *(f"/registry/core/serviceaccounts/{CLUSTER}/{ns}/default" for ns in ("default", "kube-system", "kube-public")),
    *(f"/registry/core/configmaps/{CLUSTER}/{ns}/kube-root-ca.crt" for ns in ("default", "kube-system", "kube-public")),
}
LOGICAL_CLUSTER_KEY = keys.logical_cluster_key(CLUSTER)
BINDING_KEY = f"/registry/rbac.authorization.k8s.io/clusterrolebindings/{CLUSTER}/workspace-admin"


def logical_cluster(*, owned: bool) -> Object:
    annotations = {"kcp.io/path": "root:team"}
    if owned:
        annotations[OWNER_ANNOTATION] = orjson.dumps(OWNER).decode()
    return {
        "apiVersion": "core.kcp.io/v1alpha1",
        "kind": "LogicalCluster",
        "metadata": {"name": "cluster", "annotations": annotations},
    }


def ctx(namespace: str = "") -> RequestContext:
    return RequestContext(CLUSTER, CONTROLLER, namespace, "kplane/v0.1")


def registry() -> tuple[Registry, MemoryStorage]:
    storage = MemoryStorage()
    return Registry(builtin_catalog(), storage, root_ca_pem=CA), storage


def sequential_store(registry: Registry) -> Store:
    """The LogicalCluster Store as it was before the single transaction: a plain write, then one create per
    piece of content."""
    store = registry.store_of(LOGICALCLUSTERS)
    return dataclasses.replace(store, writer=None, after_create=(registry.provisioning.provision_logical_cluster,))


def comparable(obj: Object) -> Object:
    """Leave out what differs between any two creates: uid, timestamps, resourceVersion."""
    obj = copy.deepcopy(obj)
    meta = obj["metadata"]
    for varying in ("uid", "creationTimestamp", "resourceVersion"):
        meta.pop(varying, None)
    for entry in meta.get("managedFields") or []:
        entry.pop("time")
    return obj


def revisions(storage: MemoryStorage) -> set[str]:
    return {obj["metadata"]["resourceVersion"] for obj in storage.objects.values()}


@pytest.mark.parametrize("owned", [True, False])
async def test_the_logical_cluster_and_its_content_are_written_at_one_revision(owned: bool) -> None:
    reg, storage = registry()
    created = await reg.store_of(LOGICALCLUSTERS).create(ctx(), logical_cluster(owned=owned), WriteOptions())
    expected = {LOGICAL_CLUSTER_KEY, *CONTENT_KEYS, *([BINDING_KEY] if owned else [])}
    assert set(storage.objects) == expected
    assert len(expected) == (11 if owned else 10)
    assert revisions(storage) == {created["metadata"]["resourceVersion"]} == {str(storage.revision)}
    assert storage.revision == 2  # one write after the initial revision 1
    assert created["kind"] == "LogicalCluster" and created["status"]["phase"] == "Ready"


@pytest.mark.parametrize("owned", [True, False])
async def test_the_objects_are_those_of_the_sequential_path(owned: bool) -> None:
    bundled, bundled_storage = registry()
    await bundled.store_of(LOGICALCLUSTERS).create(ctx(), logical_cluster(owned=owned), WriteOptions())
    sequential, sequential_storage = registry()
    await sequential_store(sequential).create(ctx(), logical_cluster(owned=owned), WriteOptions())
    assert len(revisions(sequential_storage)) == len(sequential_storage.objects)  # one write per object
    assert list(bundled_storage.objects) == list(sequential_storage.objects)  # same keys, written in the same order
    for key, obj in sequential_storage.objects.items():
        assert comparable(bundled_storage.objects[key]) == comparable(obj), key
    uids = {obj["metadata"]["uid"] for obj in bundled_storage.objects.values()}
    assert len(uids) == len(bundled_storage.objects)


async def test_content_looks_as_upstream_writes_it() -> None:
    reg, storage = registry()
    await reg.store_of(LOGICALCLUSTERS).create(ctx(), logical_cluster(owned=True), WriteOptions())
    namespace = storage.objects[f"/registry/core/namespaces/{CLUSTER}/kube-system"]
    assert namespace["metadata"]["labels"] == {"kubernetes.io/metadata.name": "kube-system"}
    assert namespace["metadata"]["annotations"] == {"kcp.io/cluster": CLUSTER}
    assert namespace["spec"] == {"finalizers": ["kubernetes"]} and namespace["status"] == {"phase": "Active"}
    config_map = storage.objects[f"/registry/core/configmaps/{CLUSTER}/kube-public/kube-root-ca.crt"]
    assert config_map["metadata"]["namespace"] == "kube-public" and config_map["data"] == {"ca.crt": CA}
    binding = storage.objects[BINDING_KEY]
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "jane"}]
    managers = {
        key: [entry["manager"] for entry in obj["metadata"].get("managedFields") or []]
        for key, obj in storage.objects.items()
    }
    assert managers[BINDING_KEY] == managers[f"/registry/core/configmaps/{CLUSTER}/default/kube-root-ca.crt"]
    assert managers[BINDING_KEY] == ["kube-controller-manager"]
    # a name alone is no field: upstream records no entry for the namespaces and service accounts
    assert {tuple(managers[key]) for key in storage.objects if key != LOGICAL_CLUSTER_KEY} <= {
        ("kube-controller-manager",),
        (),
    }


async def test_an_existing_logical_cluster_is_409_and_nothing_is_written() -> None:
    reg, storage = registry()
    store = reg.store_of(LOGICALCLUSTERS)
    await store.create(ctx(), logical_cluster(owned=False), WriteOptions())
    del storage.objects[f"/registry/core/namespaces/{CLUSTER}/default"]  # content missing: still not rewritten
    before, revision = copy.deepcopy(storage.objects), storage.revision
    with pytest.raises(errors.StatusError) as raised:
        await store.create(ctx(), logical_cluster(owned=True), WriteOptions())
    assert (raised.value.code, raised.value.reason) == (409, "AlreadyExists")
    assert raised.value.message == 'logicalclusters.core.kcp.io "cluster" already exists'
    assert storage.objects == before and storage.revision == revision


async def test_left_behind_content_falls_back_to_one_write_per_piece() -> None:
    reg, storage = registry()
    await reg.store_of(LOGICALCLUSTERS).create(ctx(), logical_cluster(owned=True), WriteOptions())
    left_behind = {key: obj for key, obj in storage.objects.items() if "/kube-system" in key or "/kube-public" in key}
    storage.objects = dict(left_behind)
    revision = storage.revision

    created = await reg.store_of(LOGICALCLUSTERS).create(ctx(), logical_cluster(owned=True), WriteOptions())

    assert set(storage.objects) == {LOGICAL_CLUSTER_KEY, *CONTENT_KEYS, BINDING_KEY}
    assert all(storage.objects[key] == obj for key, obj in left_behind.items())  # kept, not replaced
    assert created["metadata"]["resourceVersion"] == str(revision + 1)  # the LogicalCluster first
    written = sorted(int(obj["metadata"]["resourceVersion"]) for obj in storage.objects.values())
    # then namespace default, its ServiceAccount and ConfigMap, and the binding: one write each
    assert [r for r in written if r > revision] == [revision + step for step in range(1, 6)]


async def test_a_left_behind_namespace_is_kept_as_it_is_as_before() -> None:
    """The sequential path skips an existing namespace, so its missing ServiceAccount stays missing."""
    reg, storage = registry()
    await reg.store_of(LOGICALCLUSTERS).create(ctx(), logical_cluster(owned=False), WriteOptions())
    account_key = f"/registry/core/serviceaccounts/{CLUSTER}/kube-system/default"
    del storage.objects[LOGICAL_CLUSTER_KEY], storage.objects[account_key]
    await reg.store_of(LOGICALCLUSTERS).create(ctx(), logical_cluster(owned=False), WriteOptions())
    assert set(storage.objects) == {LOGICAL_CLUSTER_KEY, *CONTENT_KEYS} - {account_key}


async def test_namespaces_created_through_the_api_still_get_their_content() -> None:
    reg, storage = registry()
    await reg.store_of(LOGICALCLUSTERS).create(ctx(), logical_cluster(owned=False), WriteOptions())
    await reg.store_of(NAMESPACES).create(ctx(), {"metadata": {"name": "team"}}, WriteOptions())
    account = storage.objects[f"/registry/core/serviceaccounts/{CLUSTER}/team/default"]
    config_map = storage.objects[f"/registry/core/configmaps/{CLUSTER}/team/kube-root-ca.crt"]
    assert account["metadata"]["namespace"] == config_map["metadata"]["namespace"] == "team"
    assert config_map["data"] == {"ca.crt": CA}


async def test_prepared_is_what_create_writes_and_writes_nothing() -> None:
    reg, storage = registry()
    await reg.store_of(NAMESPACES).create(ctx(), {"metadata": {"name": "apps"}}, WriteOptions())
    store = reg.store_of(CONFIGMAPS)
    options = WriteOptions(field_manager="tester")
    revision = storage.revision
    key, prepared = await store.prepared(ctx("apps"), {"metadata": {"name": "one"}, "data": {"a": "b"}}, options)
    assert storage.revision == revision and key not in storage.objects
    created = await store.create(ctx("apps"), {"metadata": {"name": "one"}, "data": {"a": "b"}}, options)
    assert key == f"/registry/core/configmaps/{CLUSTER}/apps/one"
    assert comparable(storage.objects[key]) == comparable(prepared)
    assert created["metadata"]["uid"] != prepared["metadata"]["uid"]


async def test_prepared_without_admission_skips_the_namespace_check() -> None:
    reg, _ = registry()
    store = reg.store_of(SERVICEACCOUNTS)
    with pytest.raises(errors.StatusError) as raised:
        await store.prepared(ctx("absent"), {"metadata": {"name": "default"}}, WriteOptions())
    assert raised.value.code == 404
    key, prepared = await store.prepared(
        ctx("absent"), {"metadata": {"name": "default"}}, WriteOptions(), admission=False
    )
    assert key.endswith("/absent/default") and prepared["metadata"]["namespace"] == "absent"


async def test_prepared_still_validates() -> None:
    reg, _ = registry()
    with pytest.raises(errors.StatusError) as raised:
        await reg.store_of(NAMESPACES).prepared(ctx(), {"metadata": {"name": "Not_A_Label"}}, WriteOptions())
    assert raised.value.code == 422
