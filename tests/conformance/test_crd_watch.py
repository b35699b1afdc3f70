"""Watching custom resources, after upstream test/e2e/apimachinery/crd_watch.go.

Two watches on a cluster-scoped custom resource, each narrowed to one object by a `metadata.name` field selector,
must see exactly the ADDED, MODIFIED and DELETED notifications of their own object and nothing of the other one.
The definition is upstream's "noxu" fixture (any content allowed, short names, the `all` category) in a group of
its own.
"""

from __future__ import annotations

from typing import Any

from tests.conformance.support import ROOT, Watch, call, ok, query, short_id, summary, wait_until
from tests.integration.harness import Kplane

CRDS = f"{ROOT}/apis/apiextensions.k8s.io/v1/customresourcedefinitions"


def _noxu_definition(group: str) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"noxus.{group}"},
        "spec": {
            "group": group,
            "scope": "Cluster",
            "names": {
                "plural": "noxus",
                "singular": "nonenglishnoxu",
                "kind": "WishIHadChosenNoxu",
                "listKind": "NoxuItemList",
                "shortNames": ["foo", "bar", "abc", "def"],
                "categories": ["all"],
            },
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


def _noxu(group: str, name: str) -> dict[str, Any]:
    return {
        "apiVersion": f"{group}/v1beta1",
        "kind": "WishIHadChosenNoxu",
        "metadata": {"name": name},
        "content": {"key": "value"},
        "num": {"num1": 9223372036854775807, "num2": 1000000},
    }


def _served(kplane: Kplane, group: str) -> bool:
    crd = ok(call(kplane, "GET", f"{CRDS}/noxus.{group}"), 200)
    established = any(
        c["type"] == "Established" and c["status"] == "True" for c in crd.get("status", {}).get("conditions", [])
    )
    discovery = call(kplane, "GET", f"{ROOT}/apis/{group}/v1beta1")
    return established and discovery.status == 200 and "noxus" in [r["name"] for r in discovery.body["resources"]]


def test_watch_on_custom_resource_definition_objects(kplane: Kplane) -> None:
    group = f"crd-watch-{short_id()}.example.com"
    ok(call(kplane, "POST", CRDS, _noxu_definition(group)), 201)
    wait_until(lambda: _served(kplane, group), timeout=30, what="the noxu definition to be served")
    noxus = f"{ROOT}/apis/{group}/v1beta1/noxus"

    watch_a = Watch(kplane, query(noxus, watch="true", fieldSelector="metadata.name=name1", timeoutSeconds=600))
    watch_b = Watch(kplane, query(noxus, watch="true", fieldSelector="metadata.name=name2", timeoutSeconds=600))
    try:
        created_a = ok(call(kplane, "POST", noxus, _noxu(group, "name1")), 201)
        assert created_a["metadata"]["uid"]
        assert (created_a["apiVersion"], created_a["kind"]) == (f"{group}/v1beta1", "WishIHadChosenNoxu")
        assert created_a["num"]["num1"] == 9223372036854775807
        watch_a.expect("ADDED", created_a)
        watch_b.expect_nothing()

        created_b = ok(call(kplane, "POST", noxus, _noxu(group, "name2")), 201)
        watch_b.expect("ADDED", created_b)
        watch_a.expect_nothing()

        dummy = [{"op": "add", "path": "/dummy", "value": "test"}]
        for name, own, other in (("name1", watch_a, watch_b), ("name2", watch_b, watch_a)):
            patched = ok(call(kplane, "PATCH", f"{noxus}/{name}", dummy, "application/json-patch+json"), 200)
            assert patched["dummy"] == "test"
            assert own.expect("MODIFIED")["object"]["dummy"] == "test"
            other.expect_nothing()

        for name, own, other in (("name1", watch_a, watch_b), ("name2", watch_b, watch_a)):
            ok(call(kplane, "DELETE", f"{noxus}/{name}"), 200)
            assert own.expect("DELETED")["object"]["metadata"]["name"] == name
            other.expect_nothing()

        assert summary(watch_a.received) == [("ADDED", "name1"), ("MODIFIED", "name1"), ("DELETED", "name1")]
        assert summary(watch_b.received) == [("ADDED", "name2"), ("MODIFIED", "name2"), ("DELETED", "name2")]
    finally:
        watch_a.close()
        watch_b.close()
    ok(call(kplane, "DELETE", f"{CRDS}/noxus.{group}"), 200)
