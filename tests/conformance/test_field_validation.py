"""Server-side field validation of a typed object (a ConfigMap): unknown and duplicate fields under
fieldValidation=Strict, Warn, Ignore and unset, for create, update, patch and apply.

Scenarios: upstream test/e2e/apimachinery/field_validation.go ("should detect unknown and duplicate fields of a
typed object", "... unknown metadata fields of a typed object"); the per-verb cases and the exact texts of the
errors and warnings follow upstream test/integration/apiserver/field_validation_test.go, with the Deployment
replaced by a ConfigMap. Errors are compared as suffixes of the Status message, warnings as the exact ordered list.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conformance.support import Reply, call, core, ok, query
from tests.integration.harness import Kplane, Kubectl

INVALID_JSON = """{
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {
        "name": "NAME",
        "name": "NAME",
        "unknownMeta": "metaVal",
        "labels": {"app": "fieldvalidation"}
    },
    "unknown1": "val1",
    "unknownDupe": "valDupe",
    "unknownDupe": "valDupe2",
    "immutable": false,
    "immutable": false,
    "data": {
        "key": "value1",
        "key": "value2"
    }
}"""

INVALID_YAML = """apiVersion: v1
kind: ConfigMap
metadata:
  name: NAME
  name: NAME
  unknownMeta: metaVal
  labels:
    app: fieldvalidation
unknown1: val1
unknownDupe: valDupe
unknownDupe: valDupe2
immutable: false
immutable: false
data:
  key: value1
  key: value2
"""

VALID_JSON = """{
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "NAME", "labels": {"app": "fieldvalidation"}},
    "data": {"key": "value"}
}"""

# a typed JSON body reports every problem in document order; unknown fields that are also duplicated count once
JSON_PROBLEMS = [
    'duplicate field "metadata.name"',
    'unknown field "metadata.unknownMeta"',
    'unknown field "unknown1"',
    'unknown field "unknownDupe"',
    'duplicate field "immutable"',
    'duplicate field "data.key"',
]
# YAML: the duplicate keys found by the YAML parser first (with their lines), then the unknown fields
YAML_DUPLICATES = [
    'line 5: key "name" already set in map',
    'line 11: key "unknownDupe" already set in map',
    'line 13: key "immutable" already set in map',
    'line 16: key "key" already set in map',
]
YAML_UNKNOWN = ['unknown field "metadata.unknownMeta"', 'unknown field "unknown1"', 'unknown field "unknownDupe"']
YAML_STRICT = (
    "strict decoding error: yaml: unmarshal errors:\n  " + "\n  ".join(YAML_DUPLICATES) + ", " + ", ".join(YAML_UNKNOWN)
)


def _strict(problems: list[str]) -> str:
    return "strict decoding error: " + ", ".join(problems)


def _cms(ns: str, name: str = "") -> str:
    return core(f"/namespaces/{ns}/configmaps" + (f"/{name}" if name else ""))


def _check(reply: Reply, strict_error: str | None, warnings: list[str], *, patch: bool = False) -> None:
    if strict_error:
        # a body that cannot be decoded is a 400; a patch whose result cannot be decoded is reported by the
        # patcher as a 422 on the field "patch" (upstream apiserver_test.go TestFieldValidation: Unprocessable
        # Entity for the three patch types)
        assert reply.status == (422 if patch else 400), reply
        assert reply.body["reason"] == ("Invalid" if patch else "BadRequest"), reply
        assert reply.message.endswith(strict_error), f"expected error ending with {strict_error!r}, got {reply}"
    else:
        assert reply.status in (200, 201), reply
        # a typed object has nowhere to keep unknown fields: they are dropped whatever the directive
        assert not {"unknown1", "unknown3", "unknownDupe"} & set(reply.body), reply
        assert "unknownMeta" not in reply.body["metadata"], reply
    assert reply.warnings == warnings, reply


def test_detect_unknown_and_duplicate_fields_of_a_typed_object(kplane: Kplane, ns: str) -> None:
    """The conformance test itself: one unknown field, then a repeated one, rejected under Strict."""
    body = """{
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "my-cm", "labels": {"app": "nginx"}},
        "unknownField": "foo",
        "immutable": false,
        "immutable": false,
        "data": {"key": "value"}
    }"""
    reply = call(kplane, "POST", query(_cms(ns), fieldManager="field_validation_mgr", fieldValidation="Strict"), body)
    assert reply.status == 400, reply
    assert 'strict decoding error: unknown field "unknownField", duplicate field "immutable"' in reply.message, reply


def test_detect_unknown_metadata_fields_of_a_typed_object(kplane: Kplane, ns: str) -> None:
    body = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "my-cm", "unknownMeta": "foo", "labels": {"app": "nginx"}},
        "data": {"key": "value"},
    }
    reply = call(kplane, "POST", query(_cms(ns), fieldManager="field_validation_mgr", fieldValidation="Strict"), body)
    assert reply.status == 400, reply
    assert 'strict decoding error: unknown field "metadata.unknownMeta"' in reply.message, reply


# (validation directive or None, strict error expected?, warnings expected?)
DIRECTIVES = [("Strict", True, False), ("Warn", False, True), ("Ignore", False, False), (None, False, True)]
DIRECTIVE_IDS = ["strict", "warn", "ignore", "unset"]


@pytest.mark.parametrize(("directive", "fails", "warns"), DIRECTIVES, ids=DIRECTIVE_IDS)
@pytest.mark.parametrize("encoding", ["json", "yaml"])
def test_create_detects_unknown_and_duplicate_fields(
    kplane: Kplane, ns: str, encoding: str, directive: str | None, fails: bool, warns: bool
) -> None:
    name = f"post-{encoding}-{(directive or 'unset').lower()}"
    if encoding == "json":
        body, content_type, problems, strict = INVALID_JSON, "application/json", JSON_PROBLEMS, _strict(JSON_PROBLEMS)
    else:
        body, content_type = INVALID_YAML, "application/yaml"
        problems, strict = YAML_DUPLICATES + YAML_UNKNOWN, YAML_STRICT
    reply = call(kplane, "POST", query(_cms(ns), fieldValidation=directive), body.replace("NAME", name), content_type)
    _check(reply, strict if fails else None, problems if warns else [])


@pytest.mark.parametrize(("directive", "fails", "warns"), DIRECTIVES, ids=DIRECTIVE_IDS)
@pytest.mark.parametrize("encoding", ["json", "yaml"])
def test_update_detects_unknown_and_duplicate_fields(
    kplane: Kplane, ns: str, encoding: str, directive: str | None, fails: bool, warns: bool
) -> None:
    name = "put-target"
    ok(call(kplane, "POST", _cms(ns), VALID_JSON.replace("NAME", name)), 201)
    if encoding == "json":
        body, content_type, problems, strict = INVALID_JSON, "application/json", JSON_PROBLEMS, _strict(JSON_PROBLEMS)
    else:
        body, content_type = INVALID_YAML, "application/yaml"
        problems, strict = YAML_DUPLICATES + YAML_UNKNOWN, YAML_STRICT
    reply = call(
        kplane, "PUT", query(_cms(ns, name), fieldValidation=directive), body.replace("NAME", name), content_type
    )
    _check(reply, strict if fails else None, problems if warns else [])


MERGE_PATCH = """{
    "metadata": {"unknownMeta": "metaVal"},
    "unknown1": "val1",
    "unknownDupe": "valDupe",
    "unknownDupe": "valDupe2",
    "immutable": false,
    "immutable": false,
    "data": {"key": "value1", "key": "value2"}
}"""
# patches: the duplicates of the patch body first, then the unknown fields of the patched object
MERGE_PATCH_PROBLEMS = [
    'duplicate field "unknownDupe"',
    'duplicate field "immutable"',
    'duplicate field "data.key"',
    'unknown field "metadata.unknownMeta"',
    'unknown field "unknown1"',
    'unknown field "unknownDupe"',
]
NONCONFLICTING_PATCH = """{
    "immutable": false,
    "immutable": false,
    "data": {"key": "value1", "key": "value2"}
}"""
NONCONFLICTING_PROBLEMS = ['duplicate field "immutable"', 'duplicate field "data.key"']
JSON_PATCH = """[
    {"op": "add", "path": "/unknown1", "value": "val1", "foo": "bar"},
    {"op": "add", "path": "/unknown2", "path": "/unknown3", "value": "val1"},
    {"op": "add", "path": "/unknownDupe", "value": "valDupe"},
    {"op": "add", "path": "/unknownDupe", "value": "valDupe2"},
    {"op": "add", "path": "/immutable", "value": false},
    {"op": "add", "path": "/immutable", "value": false},
    {"op": "add", "path": "/metadata/unknownMeta", "value": "metaVal"}
]"""
# duplicates inside one JSON patch operation are reported, repeated operations are not
JSON_PATCH_PROBLEMS = [
    'json patch unknown field "[0].foo"',
    'json patch duplicate field "[1].path"',
    'unknown field "metadata.unknownMeta"',
    'unknown field "unknown1"',
    'unknown field "unknown3"',
    'unknown field "unknownDupe"',
]

PATCHES = {
    "merge": ("application/merge-patch+json", MERGE_PATCH, MERGE_PATCH_PROBLEMS),
    "merge-nonconflicting": ("application/merge-patch+json", NONCONFLICTING_PATCH, NONCONFLICTING_PROBLEMS),
    "json": ("application/json-patch+json", JSON_PATCH, JSON_PATCH_PROBLEMS),
    "strategic": ("application/strategic-merge-patch+json", MERGE_PATCH, MERGE_PATCH_PROBLEMS),
    "strategic-nonconflicting": (
        "application/strategic-merge-patch+json",
        NONCONFLICTING_PATCH,
        NONCONFLICTING_PROBLEMS,
    ),
}


@pytest.mark.parametrize(("directive", "fails", "warns"), DIRECTIVES, ids=DIRECTIVE_IDS)
@pytest.mark.parametrize("patch", list(PATCHES))
def test_patch_detects_unknown_and_duplicate_fields(
    kplane: Kplane, ns: str, patch: str, directive: str | None, fails: bool, warns: bool
) -> None:
    name = "patch-target"
    ok(call(kplane, "POST", _cms(ns), VALID_JSON.replace("NAME", name)), 201)
    content_type, body, problems = PATCHES[patch]
    reply = call(kplane, "PATCH", query(_cms(ns, name), fieldValidation=directive), body, content_type)
    _check(reply, _strict(problems) if fails else None, problems if warns else [], patch=True)


APPLY_INVALID = """{
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {
        "name": "NAME",
        "labels": {"app": "fieldvalidation"}
    },
    "immutable": false,
    "immutable": false,
    "data": {
        "key": "value1",
        "key": "value2"
    }
}"""
APPLY_DUPLICATES = ['line 9: key "immutable" already set in map', 'line 12: key "key" already set in map']
APPLY_STRICT = "error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  " + "\n  ".join(
    APPLY_DUPLICATES
)


@pytest.mark.parametrize(("directive", "fails", "warns"), DIRECTIVES, ids=DIRECTIVE_IDS)
@pytest.mark.parametrize("existing", [False, True], ids=["apply-create", "apply-update"])
def test_apply_detects_duplicate_fields(
    kplane: Kplane, ns: str, existing: bool, directive: str | None, fails: bool, warns: bool
) -> None:
    name = "apply-target"
    path = query(_cms(ns, name), fieldManager="mgr", fieldValidation=directive)
    if existing:
        ok(call(kplane, "PATCH", path, VALID_JSON.replace("NAME", name), "application/apply-patch+yaml"), 201)
    reply = call(kplane, "PATCH", path, APPLY_INVALID.replace("NAME", name), "application/apply-patch+yaml")
    _check(reply, APPLY_STRICT if fails else None, APPLY_DUPLICATES if warns else [])


UNKNOWN_FIELD_MANIFEST = """apiVersion: v1
kind: ConfigMap
metadata:
  name: NAME
unknownField: foo
data:
  key: value
"""


def test_kubectl_create_validates_on_the_server(any_kubectl: Kubectl, ns: str, tmp_path: Path) -> None:
    """kubectl's --validate modes map onto fieldValidation: strict (the default) fails, warn warns, ignore is quiet."""
    manifests = {}
    for mode in ("default", "strict", "warn", "ignore"):
        manifests[mode] = tmp_path / f"{mode}.yaml"
        manifests[mode].write_text(UNKNOWN_FIELD_MANIFEST.replace("NAME", f"validate-{mode}"))

    for mode in ("default", "strict"):
        extra = [] if mode == "default" else ["--validate=strict"]
        failed = any_kubectl.run("-n", ns, "create", "-f", str(manifests[mode]), *extra)
        assert failed.returncode == 1, failed
        assert 'strict decoding error: unknown field "unknownField"' in failed.stderr, failed.stderr

    warned = any_kubectl.run("-n", ns, "create", "-f", str(manifests["warn"]), "--validate=warn")
    assert warned.returncode == 0, warned.stderr
    assert 'Warning: unknown field "unknownField"' in warned.stderr

    quiet = any_kubectl.run("-n", ns, "create", "-f", str(manifests["ignore"]), "--validate=ignore")
    assert quiet.returncode == 0, quiet.stderr
    assert "unknown field" not in quiet.stderr
