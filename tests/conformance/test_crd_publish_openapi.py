"""Publishing CustomResourceDefinition schemas in OpenAPI, after upstream
test/e2e/apimachinery/crd_publish_openapi.go.

A definition's structural schema must appear in `/openapi/v2` under the REST-friendly name
`<reversed group>.<version>.<kind>`; after removing what the server adds (the apiVersion, kind and metadata
properties and `x-kubernetes-group-version-kind`) it must equal the schema as written. A definition without a
real schema, or one preserving unknown fields at the root, is published as a bare `type: object`. Definitions are
followed as they gain, rename, stop serving and lose versions. kubectl must validate custom resources against the
schema (server-side field validation) and `kubectl explain` must describe them. Upstream polls `/openapi/v2` ten
times in a row to ride out lagging HA API servers; one kplane needs one successful read.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conformance.support import ROOT, call, ok, short_id, wait_until
from tests.integration.harness import Kplane, Kubectl

CRDS = f"{ROOT}/apis/apiextensions.k8s.io/v1/customresourcedefinitions"

FOO = yaml.safe_load("""
description: Foo CRD for Testing
type: object
properties:
  spec:
    description: Specification of Foo
    type: object
    properties:
      bars:
        description: List of Bars and their specs.
        type: array
        items:
          type: object
          required: [name]
          properties:
            name: {description: Name of Bar., type: string}
            age: {description: Age of Bar., type: string}
            feeling: {description: Whether Bar is feeling great., type: string, enum: [Great, Down]}
            bazs: {description: List of Bazs., type: array, items: {type: string}}
  status:
    description: Status of Foo
    type: object
    properties:
      bars:
        description: List of Bars and their statuses.
        type: array
        items:
          type: object
          properties:
            name: {description: Name of Bar., type: string}
            available: {description: Whether the Bar is installed., type: boolean}
            quxType: {description: Indicates to external qux type., type: string, pattern: in-tree|out-of-tree}
""")

WALDO_PARTS = """
properties:
  spec:
    description: Specification of Waldo
    type: object
    properties:
      dummy: {description: Dummy property., type: object}
  status:
    description: Status of Waldo
    type: object
    properties:
      bars:
        description: List of Bars and their statuses.
        type: array
        items: {type: object}
"""
WALDO = {"description": "Waldo CRD for Testing", "type": "object", **yaml.safe_load(WALDO_PARTS)}
PRESERVE_ROOT = {
    "description": "preserve-unknown-properties at root for Testing",
    "type": "object",
    "x-kubernetes-preserve-unknown-fields": True,
    **yaml.safe_load(WALDO_PARTS),
}
PRESERVE_NESTED = {
    "description": "preserve-unknown-properties in nested field for Testing",
    "type": "object",
    **yaml.safe_load(WALDO_PARTS),
}
PRESERVE_NESTED["properties"]["spec"]["x-kubernetes-preserve-unknown-fields"] = True
CUSTOM_SERVICE = yaml.safe_load("""
description: CustomService CRD for Testing
type: object
properties:
  spec:
    description: Specification of CustomService
    type: object
    properties:
      dummy: {description: Dummy property., type: string}
""")
ANYTHING = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
BARE_OBJECT = {"type": "object"}


@dataclass
class Crd:
    body: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.body["metadata"]["name"])

    @property
    def group(self) -> str:
        return str(self.body["spec"]["group"])

    @property
    def plural(self) -> str:
        return str(self.body["spec"]["names"]["plural"])

    @property
    def kind(self) -> str:
        return str(self.body["spec"]["names"]["kind"])

    def definition(self, version: str) -> str:
        """The OpenAPI definition name: the group reversed, then version and kind."""
        return ".".join([*reversed(self.group.split(".")), version, self.kind])

    def served_versions(self) -> list[str]:
        return [v["name"] for v in self.body["spec"]["versions"] if v["served"]]

    def cr(self, name: str, **content: Any) -> str:
        """A custom resource of the storage version as a JSON document, for kubectl's stdin."""
        version = self.body["spec"]["versions"][0]["name"]
        return json.dumps(
            {"kind": self.kind, "apiVersion": f"{self.group}/{version}", "metadata": {"name": name}, **content}
        )


def _swagger(kplane: Kplane) -> dict[str, Any]:
    return ok(call(kplane, "GET", f"{ROOT}/openapi/v2", accept="application/json"), 200)  # type: ignore[no-any-return]


def _without_defaults(definition: dict[str, Any]) -> dict[str, Any]:
    """The published definition without what the server adds to every custom resource schema."""
    stripped = copy.deepcopy(definition)
    properties = stripped.get("properties", {})
    for added in ("metadata", "apiVersion", "kind"):
        properties.pop(added, None)
    if "properties" in stripped and not properties:
        del stripped["properties"]
    stripped.pop("x-kubernetes-group-version-kind", None)
    return stripped


def _wait_for_definition(kplane: Kplane, name: str, expect: dict[str, Any] | None) -> None:
    """Until /openapi/v2 has `name`; then (if `expect` is given) until it equals `expect` once the server's additions
    are removed. The content gets a short grace period only: a wrong schema fails fast with both versions shown."""
    definitions: dict[str, Any] = {}

    def present() -> bool:
        definitions.clear()
        definitions.update(_swagger(kplane).get("definitions", {}))
        return name in definitions

    wait_until(present, timeout=15, interval=0.1, what=f"definition {name} in /openapi/v2")
    if expect is None:
        return
    try:
        wait_until(lambda: present() and _without_defaults(definitions[name]) == expect, timeout=2, interval=0.1)
    except AssertionError:
        published = _without_defaults(definitions[name])
        raise AssertionError(f"definition {name}\nexpected: {expect}\npublished: {published}") from None


def _wait_for_definition_cleanup(kplane: Kplane, name: str) -> None:
    wait_until(
        lambda: name not in _swagger(kplane).get("definitions", {}),
        timeout=15,
        interval=0.1,
        what=f"definition {name} to be removed from /openapi/v2",
    )


def _served(kplane: Kplane, crd: Crd) -> bool:
    current = ok(call(kplane, "GET", f"{CRDS}/{crd.name}"), 200)
    conditions = current.get("status", {}).get("conditions", [])
    if not any(c["type"] == "Established" and c["status"] == "True" for c in conditions):
        return False
    for version in crd.served_versions():
        discovery = call(kplane, "GET", f"{ROOT}/apis/{crd.group}/{version}")
        if discovery.status != 200 or crd.plural not in [r["name"] for r in discovery.body["resources"]]:
            return False
    return True


def _setup(
    kplane: Kplane,
    schema: dict[str, Any] | None,
    group_suffix: str,
    versions: list[str],
    expect: Any = "schema",
    names: dict[str, Any] | None = None,
    group: str = "",
) -> Crd:
    """Create a namespaced definition in a group of this test, serving `versions` (the first one is stored) with
    `schema` (None: anything goes), wait until it is served, then until every version is published with `expect`
    (by default the schema itself, or a bare object when there is no schema; None: only present). Upstream's group
    is `crd-publish-openapi-test-<suffix>.example.com`; a random part keeps tests apart unless `group` is given."""
    group = group or f"crd-publish-openapi-test-{group_suffix}-{short_id()[:6]}.example.com"
    singular = f"e2e-test-crd-publish-openapi-{short_id()[:4]}-crd"
    spec_names = names or {
        "plural": f"{singular}s",
        "singular": singular,
        "kind": singular,
        "listKind": f"{singular}List",
    }
    body = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{spec_names['plural']}.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": spec_names,
            "versions": [
                {"name": v, "served": True, "storage": i == 0, "schema": {"openAPIV3Schema": schema or ANYTHING}}
                for i, v in enumerate(versions)
            ],
        },
    }
    crd = Crd(ok(call(kplane, "POST", CRDS, body), 201))
    wait_until(lambda: _served(kplane, crd), timeout=30, what=f"{crd.name} to be served")
    if expect == "schema":
        expect = schema if schema is not None else BARE_OBJECT
    for version in versions:
        _wait_for_definition(kplane, crd.definition(version), expect)
    return crd


def _cleanup(kplane: Kplane, crd: Crd) -> None:
    """Delete the definition, then wait until none of its versions is published any more."""
    ok(call(kplane, "DELETE", f"{CRDS}/{crd.name}"), 200)
    current = call(kplane, "GET", f"{CRDS}/{crd.name}")
    versions = [v["name"] for v in (current.body if current.status == 200 else crd.body)["spec"]["versions"]]
    for version in versions:
        _wait_for_definition_cleanup(kplane, crd.definition(version))


def _explains(kubectl: Kubectl, ns: str, what: str, pattern: str, *flags: str) -> None:
    result = kubectl.run(*flags, "-n", ns, "explain", what)
    assert result.returncode == 0, f"kubectl explain {what} failed: {result.stderr}"
    assert re.search(pattern, result.stdout, re.S), (
        f"kubectl explain {what}:\n{result.stdout}\ndoes not match {pattern}"
    )


def _create_apply_delete(kubectl: Kubectl, ns: str, crd: Crd, document: str, name: str) -> None:
    """kubectl create, delete, apply and delete again must all accept the custom resource."""
    for verb in ("create", "apply"):
        made = kubectl.run("-n", ns, verb, "-f", "-", input=document)
        assert made.returncode == 0, f"kubectl {verb} {document} failed: {made.stderr}"
        deleted = kubectl.run("-n", ns, "delete", crd.plural, name)
        assert deleted.returncode == 0, f"kubectl delete {crd.plural} {name} failed: {deleted.stderr}"


def _rejected(kubectl: Kubectl, ns: str, verb: str, document: str, *fragments: str) -> None:
    """kubectl `verb` fails and its error names one of `fragments`."""
    result = kubectl.run("-n", ns, verb, "-f", "-", input=document)
    assert result.returncode != 0, f"kubectl {verb} accepted {document}"
    assert any(f in result.stderr for f in fragments), f"kubectl {verb}: {result.stderr!r} names none of {fragments}"


# --- works for CRD with validation schema -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def foo(kplane: Kplane) -> Iterator[Crd]:
    crd = _setup(kplane, FOO, "foo", ["v1"], expect=None)
    yield crd
    _cleanup(kplane, crd)


def test_crd_with_validation_schema_is_published_as_written(kplane: Kplane, foo: Crd) -> None:
    _wait_for_definition(kplane, foo.definition("v1"), FOO)
    definition = _swagger(kplane)["definitions"][foo.definition("v1")]
    assert definition["x-kubernetes-group-version-kind"] == [{"group": foo.group, "version": "v1", "kind": foo.kind}]


def test_crd_with_validation_schema_kubectl_accepts_known_and_required_properties(
    any_kubectl: Kubectl, ns: str, foo: Crd
) -> None:
    valid = foo.cr("test-foo", spec={"bars": [{"name": "test-bar"}]})
    _create_apply_delete(any_kubectl, ns, foo, valid, "test-foo")


def test_crd_with_validation_schema_kubectl_rejects_a_value_outside_the_enum(
    any_kubectl: Kubectl, ns: str, foo: Crd
) -> None:
    bad_enum = foo.cr("test-foo", spec={"bars": [{"name": "test-bar", "feeling": "NonExistentValue"}]})
    _rejected(any_kubectl, ns, "create", bad_enum, 'Unsupported value: "NonExistentValue"')


def test_crd_with_validation_schema_kubectl_rejects_unknown_properties(any_kubectl: Kubectl, ns: str, foo: Crd) -> None:
    unknown = foo.cr("test-foo", spec={"foo": True})
    for verb in ("create", "apply"):
        _rejected(any_kubectl, ns, verb, unknown, 'unknown field "foo"', 'unknown field "spec.foo"')


def test_crd_with_validation_schema_kubectl_rejects_missing_required_properties(
    any_kubectl: Kubectl, ns: str, foo: Crd
) -> None:
    no_name = foo.cr("test-foo", spec={"bars": [{"age": "10"}]})
    for verb in ("create", "apply"):
        _rejected(any_kubectl, ns, verb, no_name, 'missing required field "name"', "spec.bars[0].name: Required value")


def test_crd_with_validation_schema_kubectl_explain(any_kubectl: Kubectl, ns: str, foo: Crd) -> None:
    plural = foo.plural
    checks = [
        (
            plural,
            r"DESCRIPTION:.*Foo CRD for Testing.*FIELDS:.*apiVersion.*<string>.*APIVersion defines.*spec.*<Object>"
            r".*Specification of Foo",
        ),
        (
            f"{plural}.metadata",
            r"DESCRIPTION:.*Standard object's metadata.*FIELDS:.*creationTimestamp.*<string>"
            r".*CreationTimestamp is a timestamp",
        ),
        (
            f"{plural}.spec",
            r"DESCRIPTION:.*Specification of Foo.*FIELDS:.*bars.*<\[\]Object>.*List of Bars and their specs",
        ),
        (
            f"{plural}.spec.bars",
            r"(FIELD|RESOURCE):.*bars.*<\[\]Object>.*DESCRIPTION:.*List of Bars and their specs"
            r".*FIELDS:.*bazs.*<\[\]string>.*List of Bazs.*name.*<string>.*Name of Bar",
        ),
    ]
    failures = []
    for what, pattern in checks:
        try:
            _explains(any_kubectl, ns, what, pattern)
        except AssertionError as error:
            failures.append(str(error))
    missing = any_kubectl.run("-n", ns, "explain", f"{plural}.spec.bars2")
    if missing.returncode == 0 or 'field "bars2" does not exist' not in missing.stderr:
        failures.append(f"explain of a missing property: rc={missing.returncode} {missing.stderr!r}")
    assert not failures, "\n\n".join(failures)


# --- schemas that let unknown fields through --------------------------------------------------------------------


def test_crd_without_validation_schema(any_kubectl: Kubectl, kplane: Kplane, ns: str) -> None:
    crd = _setup(kplane, None, "empty", ["v1"])  # published as a bare object
    _create_apply_delete(any_kubectl, ns, crd, crd.cr("test-cr", a={"b": [{"c": "d"}]}), "test-cr")
    _explains(any_kubectl, ns, crd.plural, r"DESCRIPTION:.*<empty>")
    _cleanup(kplane, crd)


def test_crd_preserving_unknown_fields_at_the_schema_root(any_kubectl: Kubectl, kplane: Kplane, ns: str) -> None:
    crd = _setup(kplane, PRESERVE_ROOT, "unknown-at-root", ["v1"], expect=None)
    _create_apply_delete(any_kubectl, ns, crd, crd.cr("test-cr", a={"b": [{"c": "d"}]}), "test-cr")
    _explains(any_kubectl, ns, crd.plural, rf"KIND:.*{re.escape(crd.kind)}")
    # upstream only checks that the definition exists; what it holds comes from the apiextensions OpenAPI builder
    # (buildKubeNative): in v2, a root that preserves unknown fields is published as a bare object
    published = _without_defaults(_swagger(kplane)["definitions"][crd.definition("v1")])
    _cleanup(kplane, crd)
    assert published == BARE_OBJECT, published


def test_crd_preserving_unknown_fields_in_an_embedded_object(any_kubectl: Kubectl, kplane: Kplane, ns: str) -> None:
    crd = _setup(kplane, PRESERVE_NESTED, "unknown-in-nested", ["v1"], expect=None)
    _create_apply_delete(any_kubectl, ns, crd, crd.cr("test-cr", spec={"a": None, "b": [{"c": "d"}]}), "test-cr")
    _explains(any_kubectl, ns, crd.plural, r"DESCRIPTION:.*preserve-unknown-properties in nested field for Testing")
    _cleanup(kplane, crd)


# --- several definitions, groups, versions and kinds ------------------------------------------------------------


def test_multiple_crds_of_different_groups(kplane: Kplane) -> None:
    foo = _setup(kplane, FOO, "foo", ["v1"])
    waldo = _setup(kplane, WALDO, "waldo", ["v1beta1"])
    assert foo.group != waldo.group
    _wait_for_definition(kplane, waldo.definition("v1beta1"), WALDO)
    _wait_for_definition(kplane, foo.definition("v1"), FOO)
    _cleanup(kplane, foo)
    _cleanup(kplane, waldo)


def test_multiple_crds_of_same_group_but_different_versions(kplane: Kplane) -> None:
    multi = _setup(kplane, FOO, "multi-ver", ["v2", "v3"])
    _wait_for_definition(kplane, multi.definition("v3"), FOO)
    _wait_for_definition(kplane, multi.definition("v2"), FOO)
    _cleanup(kplane, multi)

    foo = _setup(kplane, FOO, "common-group", ["v4"])
    waldo = _setup(kplane, WALDO, "common-group", ["v5"], group=foo.group)
    assert foo.group == waldo.group
    _wait_for_definition(kplane, waldo.definition("v5"), WALDO)
    _wait_for_definition(kplane, foo.definition("v4"), FOO)
    _cleanup(kplane, foo)
    _cleanup(kplane, waldo)


def test_multiple_crds_of_same_group_and_version_but_different_kinds(kplane: Kplane) -> None:
    foo = _setup(kplane, FOO, "common-group", ["v6"])
    waldo = _setup(kplane, WALDO, "common-group", ["v6"], group=foo.group)
    assert foo.group == waldo.group and foo.kind != waldo.kind
    _wait_for_definition(kplane, waldo.definition("v6"), WALDO)
    _wait_for_definition(kplane, foo.definition("v6"), FOO)
    _cleanup(kplane, foo)
    _cleanup(kplane, waldo)


def test_updates_the_published_spec_when_one_version_gets_renamed(kplane: Kplane) -> None:
    multi = _setup(kplane, FOO, "multi-ver", ["v2", "v3"])
    rename = [
        {"op": "test", "path": "/spec/versions/1/name", "value": "v3"},
        {"op": "replace", "path": "/spec/versions/1/name", "value": "v4"},
    ]
    patched = call(kplane, "PATCH", f"{CRDS}/{multi.name}", rename, content_type="application/json-patch+json")
    multi = Crd(ok(patched, 200))
    assert [v["name"] for v in multi.body["spec"]["versions"]] == ["v2", "v4"]
    _wait_for_definition(kplane, multi.definition("v4"), FOO)
    _wait_for_definition_cleanup(kplane, multi.definition("v3"))
    _wait_for_definition(kplane, multi.definition("v2"), FOO)
    _cleanup(kplane, multi)


def test_removes_definition_from_spec_when_one_version_gets_changed_to_not_be_served(kplane: Kplane) -> None:
    crd = _setup(kplane, FOO, "multi-to-single-ver", ["v5", "v6alpha1"])
    current = ok(call(kplane, "GET", f"{CRDS}/{crd.name}"), 200)
    current["spec"]["versions"][1]["served"] = False
    crd = Crd(ok(call(kplane, "PUT", f"{CRDS}/{crd.name}", current), 200))
    _wait_for_definition_cleanup(kplane, crd.definition("v6alpha1"))
    _wait_for_definition(kplane, crd.definition("v5"), FOO)
    _cleanup(kplane, crd)


def test_kubectl_explain_works_for_cr_with_the_same_resource_name_as_built_in_object(
    any_kubectl: Kubectl, kplane: Kplane, ns: str, tmp_path: Path
) -> None:
    """Upstream marks this one [Flaky]. kubectl explain resolves a short name through RESTMapper.ResourcesFor, which,
    unlike ResourceFor, does not refresh a stale discovery cache; a fresh --cache-dir keeps that out of the test."""
    short_name = f"ksvc-{int(time.time())}-{short_id()[:4]}"
    names = {
        "plural": "services",
        "singular": "service",
        "kind": "Service",
        "listKind": "ServiceList",
        "shortNames": [short_name],
    }
    crd = _setup(kplane, CUSTOM_SERVICE, "service", ["v1"], names=names)
    try:
        _explains(
            any_kubectl,
            ns,
            f"{short_name}.spec",
            r"DESCRIPTION:.*Specification of CustomService.*FIELDS:.*dummy.*<string>.*Dummy property",
            "--cache-dir",
            str(tmp_path / "kubectl-cache"),
        )
    finally:
        _cleanup(kplane, crd)
