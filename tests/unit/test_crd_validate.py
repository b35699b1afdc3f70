"""Validation of whole CRD objects on create and update, with upstream's paths and messages."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from apimachinery.crd.crd_decode import decode_error
from apimachinery.crd.crd_schema import crd_warnings
from apimachinery.crd.validate_crd import (
    apply_crd_defaults,
    crd_name_validator,
    stored_versions_on_write,
    validate_crd,
    validate_crd_update,
)
from apimachinery.validation.field import error_text

SCHEMA = {"type": "object", "properties": {"spec": {"type": "object", "properties": {"replicas": {"type": "integer"}}}}}


def _version(
    name: str = "v1", *, storage: bool = True, schema: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    return {"name": name, "served": True, "storage": storage, "schema": {"openAPIV3Schema": schema or SCHEMA}, **extra}


def _crd(*versions: dict[str, Any], name: str = "widgets.example.com", **spec: Any) -> dict[str, Any]:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": name},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "kind": "Widget"},
            "versions": list(versions) or [_version()],
            **spec,
        },
    }
    crd = apply_crd_defaults(crd)
    crd["status"] = {"storedVersions": stored_versions_on_write(crd, [])}
    return crd


def _texts(crd: dict[str, Any]) -> list[str]:
    return [error_text(c) for c in validate_crd(crd)]


def test_valid_crd_has_no_causes() -> None:
    assert _texts(_crd()) == []


def test_defaults_fill_singular_list_kind_and_conversion() -> None:
    crd = _crd()
    assert crd["spec"]["names"] == {
        "plural": "widgets",
        "kind": "Widget",
        "singular": "widget",
        "listKind": "WidgetList",
    }
    assert crd["spec"]["conversion"] == {"strategy": "None"}
    assert crd["status"]["storedVersions"] == ["v1"]


@pytest.mark.parametrize(
    ("crd", "expected"),
    [
        (
            _crd(name="widget.example.com"),
            ['metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+spec.group'],
        ),
        (
            _crd(name="widgets.example", group="example"),
            ['spec.group: Invalid value: "example": should be a domain with at least one dot'],
        ),
        (_crd(scope="Global"), ['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"']),
        (_crd(scope=""), ["spec.scope: Required value"]),
        (
            _crd(_version(storage=False)),
            [
                'spec.versions: Invalid value: [{"Name":"v1","Served":true,"Storage":false,"Deprecated":false,'
                '"DeprecationWarning":null,"Schema":null,"Subresources":null,"AdditionalPrinterColumns":null,'
                '"SelectableFields":null}]: must have exactly one version marked as storage version',
                "status.storedVersions: Invalid value: null: must have at least one stored version",
            ],
        ),
        (
            _crd(_version("v1"), _version("v1beta1")),
            [
                'spec.versions: Invalid value: [{"Name":"v1","Served":true,"Storage":true,"Deprecated":false,'
                '"DeprecationWarning":null,"Schema":null,"Subresources":null,"AdditionalPrinterColumns":null,'
                '"SelectableFields":null},{"Name":"v1beta1","Served":true,"Storage":true,"Deprecated":false,'
                '"DeprecationWarning":null,"Schema":null,"Subresources":null,"AdditionalPrinterColumns":null,'
                '"SelectableFields":null}]: must have exactly one version marked as storage version',
                'status.storedVersions: Invalid value: ["v1"]: must have the storage version v1beta1',
            ],
        ),
        (
            _crd({"name": "v1", "served": True, "storage": True}),
            ["spec.versions[0].schema.openAPIV3Schema: Required value"],
        ),
        (
            _crd(_version(schema={"type": "object", "properties": {"spec": {"properties": {}}}})),
            [
                "spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be "
                "empty for specified object fields"
            ],
        ),
        (
            _crd(_version("v1"), _version("v2", storage=False, schema={"type": "object", "properties": {"a": {}}})),
            [
                "spec.versions[1].schema.openAPIV3Schema.properties[a].type: Required value: must not "
                "be empty for specified object fields"
            ],
        ),
        (
            _crd(names={"plural": "Widgets", "kind": "widget-x", "shortNames": ["W"]}, name="Widgets.example.com"),
            [
                'metadata.name: Invalid value: "Widgets.example.com": a lowercase RFC 1123 subdomain must consist of '
                "lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
                "(e.g. 'example.com', regex used for validation is "
                "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                'spec.names.plural: Invalid value: "Widgets": a DNS-1035 label must consist of lower case alphanumeric '
                "characters or '-', start with an alphabetic character, and end with an alphanumeric character "
                "(e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
                'spec.names.shortNames[0]: Invalid value: "W": a DNS-1035 label must consist of lower '
                "case alphanumeric "
                "characters or '-', start with an alphabetic character, and end with an alphanumeric character "
                "(e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
            ],
        ),
    ],
)
def test_create_causes(crd: dict[str, Any], expected: list[str]) -> None:
    assert _texts(crd) == expected


def test_missing_names_are_required() -> None:
    crd = _crd()
    crd["spec"]["names"] = {"plural": "widgets"}
    assert _texts(crd) == [
        "spec.names.singular: Required value",
        "spec.names.kind: Required value",
        "spec.names.listKind: Required value",
    ]


def test_printer_columns_and_scale_paths() -> None:
    version = _version(
        additionalPrinterColumns=[{"name": "R", "type": "int", "jsonPath": "spec.replicas"}, {"type": "string"}],
        subresources={"status": {}, "scale": {"specReplicasPath": ".replicas", "statusReplicasPath": ""}},
    )
    assert _texts(_crd(version)) == [
        'spec.subresources.scale.specReplicasPath: Invalid value: ".replicas": should be a json path under .spec',
        "spec.subresources.scale.statusReplicasPath: Required value",
        'spec.additionalPrinterColumns[0].type: Invalid value: "int": must be one of '
        "boolean,date,integer,number,string",
        'spec.additionalPrinterColumns[0].JSONPath: Invalid value: "spec.replicas": must be a '
        "simple json path starting with .",
        "spec.additionalPrinterColumns[1].name: Required value",
        "spec.additionalPrinterColumns[1].JSONPath: Required value",
    ]


def test_status_subresource_restricts_the_root_schema() -> None:
    schema = {"type": "object", "properties": {"spec": {"type": "object"}}, "anyOf": [{"required": ["spec"]}]}
    texts = _texts(_crd(_version(schema=schema, subresources={"status": {}})))
    assert len(texts) == 1
    assert texts[0].startswith('spec.validation.openAPIV3Schema: Invalid value: {"ID":"","Schema":"",')
    assert texts[0].endswith(
        "only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength "
        "Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example "
        "XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status "
        "subresource is enabled"
    )


def test_defaults_must_validate_and_be_pruned() -> None:
    schema = {
        "type": "object",
        "properties": {
            "spec": {
                "type": "object",
                "properties": {
                    "replicas": {"type": "integer", "default": "x"},
                    "config": {"type": "object", "properties": {"a": {"type": "string"}}, "default": {"b": "y"}},
                },
            }
        },
    }
    assert _texts(_crd(_version(schema=schema))) == [
        'spec.validation.openAPIV3Schema.properties[spec].properties[replicas].default: Invalid value: "string": '
        ' in body must be of type integer: "string"',
        'spec.validation.openAPIV3Schema.properties[spec].properties[config].default: Invalid value: {"b":"y"}: '
        "must not have unknown fields",
    ]


def test_webhook_conversion_needs_client_config() -> None:
    crd = _crd(conversion={"strategy": "Webhook"})
    assert _texts(crd) == [
        "spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook",
        "spec.conversion.conversionReviewVersions: Required value",
    ]
    crd = _crd(
        conversion={
            "strategy": "Webhook",
            "webhook": {"clientConfig": {"url": "http://x/?a=b"}, "conversionReviewVersions": ["v1"]},
        }
    )
    assert _texts(crd) == [
        "spec.conversion.webhookClientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; "
        "desired format: https://host[/path]",
        'spec.conversion.webhookClientConfig.url: Invalid value: "a=b": query parameters are not permitted in the URL',
    ]


def test_protected_groups_need_api_approval() -> None:
    crd = _crd(name="widgets.x.k8s.io", group="x.k8s.io")
    assert _texts(crd) == [
        "metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval "
        'annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111'
    ]
    crd["metadata"]["annotations"] = {"api-approved.kubernetes.io": "unapproved, testing"}
    assert _texts(crd) == []


def test_update_keeps_group_plural_and_established_scope() -> None:
    old = _crd()
    old["metadata"] = {"name": "widgets.example.com", "resourceVersion": "5"}
    old["status"]["conditions"] = [{"type": "Established", "status": "True"}]
    new = copy.deepcopy(old)
    new["spec"]["scope"] = "Cluster"
    new["spec"]["names"]["kind"] = "Gadget"
    new["spec"]["names"]["listKind"] = "GadgetList"
    assert [error_text(c) for c in validate_crd_update(new, old)] == [
        'spec.scope: Invalid value: "Cluster": field is immutable',
        'spec.names.kind: Invalid value: "Gadget": field is immutable',
    ]
    new = copy.deepcopy(old)
    new["spec"]["group"] = "other.com"
    texts = [error_text(c) for c in validate_crd_update(new, old, include_metadata=False)]
    assert texts == ['spec.group: Invalid value: "other.com": field is immutable']


def test_stored_versions_must_stay_in_spec() -> None:
    crd = _crd(_version("v2"))
    crd["status"]["storedVersions"] = ["v1", "v2"]
    assert _texts(crd) == [
        'status.storedVersions[0]: Invalid value: "v1": missing from spec.versions; v1 was previously a storage '
        "version, and must remain in spec.versions until a storage migration ensures no data remains persisted "
        "in v1 and removes v1 from status.storedVersions"
    ]


def test_name_validator_checks_plural_dot_group() -> None:
    validate = crd_name_validator(_crd())
    assert validate("widgets.example.com", False) == []
    assert validate("gadgets.example.com", False) == ['must be spec.names.plural+"."+spec.group']


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"group": "a.b"}, ""),
        (
            {"versions": [{"name": "v1", "served": "yes"}]},
            "json: cannot unmarshal string into Go struct field CustomResourceDefinitionVersion.spec.versions.served "
            "of type bool",
        ),
        (
            {"group": 5},
            "json: cannot unmarshal number into Go struct field CustomResourceDefinitionSpec.spec.group of type string",
        ),
        (
            {"names": {"shortNames": [1]}},
            "json: cannot unmarshal number into Go struct field CustomResourceDefinitionNames.spec.names.shortNames "
            "of type string",
        ),
        (
            {"versions": {}},
            "json: cannot unmarshal object into Go struct field CustomResourceDefinitionSpec.spec.versions "
            "of type []v1.CustomResourceDefinitionVersion",
        ),
    ],
)
def test_decode_errors(spec: dict[str, Any], expected: str) -> None:
    assert decode_error({"spec": spec}) == expected


def test_warnings_for_unknown_formats_and_object_sets() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "string", "format": "colour"},
            "b": {"type": "string", "format": "date-time"},
            "c": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "object"}},
        },
    }
    spec = _crd(_version(schema=schema))["spec"]
    assert crd_warnings(spec) == [
        'unrecognized format "colour"',
        'x-kubernetes-list-type: set for items of type "object" is not supported by server-side apply or CEL '
        "validation rules",
    ]
    assert crd_warnings(spec, spec) == []
