"""CEL `x-kubernetes-validations` rules of CustomResourceDefinitions, after upstream
test/e2e/apimachinery/crd_validation_rules.go.

Rules are compiled and cost-estimated when the definition is written (an unknown field, a syntax error or a rule
that could cost too much make the create fail), evaluated on every custom resource write (a false rule or one that
runs past the per-call cost limit fail the write), and transition rules compare with the previous object on update.
Upstream asserts that the error text contains a given fragment; here the status and reason are checked as well.
"""

from __future__ import annotations

from typing import Any

from tests.conformance.support import ROOT, Reply, call, ok, short_id, wait_until
from tests.integration.harness import Kplane

CRDS = f"{ROOT}/apis/apiextensions.k8s.io/v1/customresourcedefinitions"

# The shared schema: a plain rule, list functions, a quadratic rule over a bounded list, and a rule on status.
RULES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "x-kubernetes-validations": [
                {"rule": "self.x + self.y > 0"},
                {
                    "rule": "self.firstArray.isSorted() && self.secondArray.isSorted() && "
                    "((self.firstArray.sum() + self.secondArray.sum()) % 2 == 0)"
                },
                {"rule": "self.largeArray.all(x, self.largeArray.all(y, y == x))"},
            ],
            "properties": {
                "x": {"type": "integer"},
                "y": {"type": "integer"},
                "firstArray": {"type": "array", "maxItems": 1000, "items": {"type": "integer"}},
                "secondArray": {"type": "array", "maxItems": 1000, "items": {"type": "integer"}},
                "largeArray": {"type": "array", "maxItems": 725, "items": {"type": "integer"}},
            },
        },
        "status": {
            "type": "object",
            "x-kubernetes-validations": [{"rule": "self.health == 'ok' || self.health == 'unhealthy'"}],
            "properties": {"health": {"type": "string"}},
        },
    },
}


def _definition(schema: dict[str, Any]) -> dict[str, Any]:
    """A namespaced definition with a random name, one version v1beta1 carrying `schema`."""
    singular = f"foo{short_id()[:5]}a"
    group = f"crd-rules-{short_id()}.example.com"
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{singular}s.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": f"{singular}s", "singular": singular, "kind": singular, "listKind": f"{singular}List"},
            "versions": [{"name": "v1beta1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}],
        },
    }


def _served(kplane: Kplane, crd: dict[str, Any]) -> bool:
    current = ok(call(kplane, "GET", f"{CRDS}/{crd['metadata']['name']}"), 200)
    conditions = current.get("status", {}).get("conditions", [])
    if not any(c["type"] == "Established" and c["status"] == "True" for c in conditions):
        return False
    discovery = call(kplane, "GET", f"{ROOT}/apis/{crd['spec']['group']}/v1beta1")
    return discovery.status == 200 and crd["spec"]["names"]["plural"] in [
        r["name"] for r in discovery.body["resources"]
    ]


def _create_definition(kplane: Kplane, schema: dict[str, Any]) -> dict[str, Any]:
    crd = ok(call(kplane, "POST", CRDS, _definition(schema)), 201)
    wait_until(lambda: _served(kplane, crd), timeout=30, what="the definition to be served")
    return crd  # type: ignore[no-any-return]


def _resources(crd: dict[str, Any], ns: str) -> str:
    return f"{ROOT}/apis/{crd['spec']['group']}/v1beta1/namespaces/{ns}/{crd['spec']['names']['plural']}"


def _custom_resource(crd: dict[str, Any], ns: str, spec: dict[str, Any], **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": f"{crd['spec']['group']}/v1beta1",
        "kind": crd["spec"]["names"]["kind"],
        "metadata": {"name": f"cr-1{short_id()[:5]}", "namespace": ns, **meta},
        "spec": spec,
    }


def _assert_invalid(reply: Reply, fragment: str) -> None:
    assert reply.status == 422, reply
    assert reply.body["reason"] == "Invalid", reply
    assert fragment in reply.message, reply


def _delete(kplane: Kplane, crd: dict[str, Any]) -> None:
    ok(call(kplane, "DELETE", f"{CRDS}/{crd['metadata']['name']}"), 200)


def test_not_fail_validation_for_create_of_a_custom_resource_that_satisfies_the_rules(kplane: Kplane, ns: str) -> None:
    crd = _create_definition(kplane, RULES_SCHEMA)
    spec = {"x": 1, "y": 0, "firstArray": [3, 4], "secondArray": [5, 10], "largeArray": [2, 2]}
    created = ok(call(kplane, "POST", _resources(crd, ns), _custom_resource(crd, ns, spec)), 201)
    assert created["spec"] == spec
    _delete(kplane, crd)


def test_fail_validation_for_create_of_a_custom_resource_that_does_not_satisfy_the_rules(
    kplane: Kplane, ns: str
) -> None:
    crd = _create_definition(kplane, RULES_SCHEMA)
    reply = call(kplane, "POST", _resources(crd, ns), _custom_resource(crd, ns, {"x": 0, "y": 0}))
    _assert_invalid(reply, "failed rule")
    _delete(kplane, crd)


def test_fail_create_of_a_definition_with_a_rule_that_refers_to_a_property_that_does_not_exist(kplane: Kplane) -> None:
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "x-kubernetes-validations": [{"rule": "self.z == 100"}],
                "properties": {"x": {"type": "integer"}},
            }
        },
    }
    _assert_invalid(call(kplane, "POST", CRDS, _definition(schema)), "undefined field 'z'")


def test_fail_create_of_a_definition_with_a_rule_that_contains_a_syntax_error(kplane: Kplane) -> None:
    schema = {
        "type": "object",
        "properties": {"spec": {"type": "object", "x-kubernetes-validations": [{"rule": "self = 42"}]}},
    }
    _assert_invalid(call(kplane, "POST", CRDS, _definition(schema)), "Syntax error")


def test_fail_create_of_a_definition_with_a_rule_that_exceeds_the_estimated_cost_limit(kplane: Kplane) -> None:
    # unbounded lists of unbounded strings: the estimate for the inner rule is far beyond the per-rule budget
    inner = {
        "type": "array",
        "items": {"type": "string"},
        "x-kubernetes-validations": [{"rule": "self.all(s, s == 'string constant')"}],
    }
    schema = {
        "type": "object",
        "properties": {"spec": {"type": "object", "properties": {"x": {"type": "array", "items": inner}}}},
    }
    _assert_invalid(call(kplane, "POST", CRDS, _definition(schema)), "exceeds budget")


def test_fail_create_of_a_custom_resource_that_exceeds_the_runtime_cost_limit(kplane: Kplane, ns: str) -> None:
    crd = _create_definition(kplane, RULES_SCHEMA)  # accepted: the estimate of the quadratic rule fits the budget
    body = _custom_resource(crd, ns, {"largeArray": [20] * 725})
    _assert_invalid(call(kplane, "POST", _resources(crd, ns), body), "call cost exceeds limit")
    _delete(kplane, crd)


def test_fail_update_of_a_custom_resource_that_does_not_satisfy_a_transition_rule(kplane: Kplane, ns: str) -> None:
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {"num": {"type": "integer", "x-kubernetes-validations": [{"rule": "self > oldSelf"}]}},
            }
        },
    }
    crd = _create_definition(kplane, schema)
    created = ok(call(kplane, "POST", _resources(crd, ns), _custom_resource(crd, ns, {"num": 10})), 201)
    name = created["metadata"]["name"]
    update = _custom_resource(crd, ns, {"num": 9}, resourceVersion=created["metadata"]["resourceVersion"])
    update["metadata"]["name"] = name
    _assert_invalid(call(kplane, "PUT", f"{_resources(crd, ns)}/{name}", update), "failed rule")
    _delete(kplane, crd)
