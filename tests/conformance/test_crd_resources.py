"""The CustomResourceDefinition objects themselves, after upstream test/e2e/apimachinery/custom_resource_definition.go.

Creating and deleting definitions, listing and collection-deleting them by label, their status subresource, the
apiextensions group in discovery, and defaulting of custom resources both on requests and when old objects are read
back from storage after the schema gained a default. Every definition gets its own random plural in a group owned by
the test, so nothing collides with other tests in the shared kplane.
"""

from __future__ import annotations

from typing import Any

from tests.conformance.support import ROOT, call, ok, query, short_id, wait_until
from tests.integration.harness import Kplane

CRDS = f"{ROOT}/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def _random_definition(group: str, scope: str = "Cluster") -> dict[str, Any]:
    """A definition shaped like upstream's random-name fixture: one version v1beta1 whose schema allows anything."""
    singular = f"foo{short_id()[:5]}a"  # never ends in "s"
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{singular}s.{group}"},
        "spec": {
            "group": group,
            "scope": scope,
            "names": {"plural": f"{singular}s", "singular": singular, "kind": singular, "listKind": f"{singular}List"},
            "versions": [
                {
                    "name": "v1beta1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
                }
            ],
        },
    }


def _discovered(kplane: Kplane, crd: dict[str, Any]) -> list[bool]:
    """For each version of the definition: whether discovery lists its resource, as upstream's fixtures check."""
    found = []
    for version in crd["spec"]["versions"]:
        reply = call(kplane, "GET", f"{ROOT}/apis/{crd['spec']['group']}/{version['name']}")
        listed = ok(reply, 200)["resources"] if reply.status != 404 else []
        found.append(any(r["name"] == crd["spec"]["names"]["plural"] for r in listed))
    return found


def _established(kplane: Kplane, name: str) -> bool:
    current = ok(call(kplane, "GET", f"{CRDS}/{name}"), 200)
    conditions = current.get("status", {}).get("conditions", [])
    return any(c["type"] == "Established" and c["status"] == "True" for c in conditions)


def _create(kplane: Kplane, crd: dict[str, Any]) -> dict[str, Any]:
    """POST the definition, then wait until it is Established and (as upstream waits) served in discovery."""
    created = ok(call(kplane, "POST", CRDS, crd), 201)
    name = created["metadata"]["name"]
    wait_until(lambda: _established(kplane, name), timeout=30, what=f"{name} Established")
    wait_until(lambda: all(_discovered(kplane, crd)), timeout=30, what=f"{name} in discovery")
    return created  # type: ignore[no-any-return]


def _wait_out_of_discovery(kplane: Kplane, crd: dict[str, Any]) -> None:
    name = crd["metadata"]["name"]
    wait_until(lambda: not any(_discovered(kplane, crd)), timeout=30, what=f"{name} to leave discovery")


def _delete(kplane: Kplane, crd: dict[str, Any]) -> None:
    """DELETE the definition and wait until none of its versions is served in discovery any more."""
    ok(call(kplane, "DELETE", f"{CRDS}/{crd['metadata']['name']}"), 200)
    _wait_out_of_discovery(kplane, crd)


def _group() -> str:
    return f"crd-{short_id()}.example.com"


def test_creating_and_deleting_custom_resource_definition_objects_works(kplane: Kplane) -> None:
    crd = _create(kplane, _random_definition(_group()))
    assert crd["spec"]["scope"] == "Cluster"
    _delete(kplane, crd)
    name = crd["metadata"]["name"]
    wait_until(lambda: call(kplane, "GET", f"{CRDS}/{name}").status == 404, timeout=30, what=f"{name} gone")


def test_listing_custom_resource_definition_objects_works(kplane: Kplane) -> None:
    label = short_id()
    group = _group()
    labelled = []
    for _ in range(10):
        crd = _random_definition(group)
        crd["metadata"]["labels"] = {"e2e-list-test-uuid": label}
        labelled.append(_create(kplane, crd))
    unlabelled = _create(kplane, _random_definition(group))

    selector = f"e2e-list-test-uuid={label}"
    listed = ok(call(kplane, "GET", query(CRDS, labelSelector=selector)), 200)
    assert len(listed["items"]) == 10
    by_name = {crd["metadata"]["name"]: crd for crd in labelled}
    for item in listed["items"]:
        assert item["metadata"]["name"] in by_name
        assert item["spec"] == by_name[item["metadata"]["name"]]["spec"]

    ok(call(kplane, "DELETE", query(CRDS, labelSelector=selector)), 200)
    for crd in labelled:
        _wait_out_of_discovery(kplane, crd)
    assert ok(call(kplane, "GET", f"{CRDS}/{unlabelled['metadata']['name']}"), 200)["spec"] == unlabelled["spec"]
    _delete(kplane, unlabelled)


def test_getting_updating_patching_custom_resource_definition_status_subresource_works(kplane: Kplane) -> None:
    crd = _create(kplane, _random_definition(_group()))
    status_path = f"{CRDS}/{crd['metadata']['name']}/status"

    for _ in range(5):  # read-modify-write, retried on conflict like upstream's RetryOnConflict
        current = ok(call(kplane, "GET", status_path), 200)
        assert current["spec"] == crd["spec"]
        current["status"]["conditions"] = current["status"].get("conditions", []) + [{"message": "updated"}]
        reply = call(kplane, "PUT", status_path, current)
        if reply.status != 409:
            break
    updated = ok(reply, 200)
    assert {"message": "updated"} in updated["status"]["conditions"]

    patch = [{"op": "add", "path": "/status/conditions", "value": [{"message": "patched"}]}]
    patched = ok(call(kplane, "PATCH", status_path, patch, content_type="application/json-patch+json"), 200)
    assert {"message": "patched"} in patched["status"]["conditions"]
    _delete(kplane, crd)


def test_include_custom_resource_definition_resources_in_discovery_documents(kplane: Kplane) -> None:
    groups = ok(call(kplane, "GET", f"{ROOT}/apis"), 200)
    assert groups["kind"] == "APIGroupList"
    found = [g for g in groups["groups"] if g["name"] == "apiextensions.k8s.io"]
    assert found, "apiextensions.k8s.io API group not found in /apis"
    assert "v1" in [v["version"] for v in found[0]["versions"]]

    group = ok(call(kplane, "GET", f"{ROOT}/apis/apiextensions.k8s.io"), 200)
    assert group["name"] == "apiextensions.k8s.io"
    assert "v1" in [v["version"] for v in group["versions"]]

    resources = ok(call(kplane, "GET", f"{ROOT}/apis/apiextensions.k8s.io/v1"), 200)
    assert resources["groupVersion"] == "apiextensions.k8s.io/v1"
    assert "customresourcedefinitions" in [r["name"] for r in resources["resources"]]


def test_custom_resource_defaulting_for_requests_and_from_storage_works(kplane: Kplane) -> None:
    definition = _random_definition(_group())
    schema = definition["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    schema["properties"] = {"a": {"type": "string"}, "b": {"type": "string"}}
    crd = _create(kplane, definition)
    name = crd["metadata"]["name"]
    resources = f"{ROOT}/apis/{crd['spec']['group']}/v1beta1/{crd['spec']['names']['plural']}"
    kind = crd["spec"]["names"]["kind"]

    def new(cr_name: str) -> dict[str, Any]:
        body = {"apiVersion": f"{crd['spec']['group']}/v1beta1", "kind": kind, "metadata": {"name": cr_name}}
        return ok(call(kplane, "POST", resources, body), 201)  # type: ignore[no-any-return]

    first = new(f"cr-1{short_id()[:5]}")["metadata"]["name"]  # stored without any default
    set_a = [{"op": "add", "path": "/spec/versions/0/schema/openAPIV3Schema/properties/a/default", "value": "A"}]
    ok(call(kplane, "PATCH", f"{CRDS}/{name}", set_a, content_type="application/json-patch+json"), 200)

    def read_a() -> bool:
        got = ok(call(kplane, "GET", f"{resources}/{first}"), 200)
        assert got.get("a", "A") == "A", got
        return "a" in got

    wait_until(read_a, timeout=10, interval=0.1, what="the stored object to be defaulted on read")

    second = new(f"cr-2{short_id()[:5]}")
    assert second.get("a") == "A", second  # defaulted on the request
    second_name = second["metadata"]["name"]

    swap = [
        {"op": "remove", "path": "/spec/versions/0/schema/openAPIV3Schema/properties/a/default"},
        {"op": "add", "path": "/spec/versions/0/schema/openAPIV3Schema/properties/b/default", "value": "B"},
    ]
    ok(call(kplane, "PATCH", f"{CRDS}/{name}", swap, content_type="application/json-patch+json"), 200)

    def read_b() -> bool:
        got = ok(call(kplane, "GET", f"{resources}/{second_name}"), 200)
        assert got.get("b", "B") == "B", got
        assert got.get("a") == "A", f"the persisted default of a must stay: {got}"
        return "b" in got

    wait_until(read_b, timeout=10, interval=0.1, what="b to be defaulted on read while a stays")
    _delete(kplane, crd)
