"""apiextensions.k8s.io/v1 CustomResourceDefinition: the kind that adds kinds to one logical cluster."""

from __future__ import annotations

from apimachinery.apis.columns import created_at_column, name_column
from apimachinery.apis.schema import array, boolean, integer, kind_header, meta_schemas, obj, ref, string
from apimachinery.apis.types import ResourceDefinition, Schema, Subresource

GROUP = "apiextensions.k8s.io"
API = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1"
CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"

# openAPIV3Schema is itself a schema: any JSON, validated by the CRD rules, not by this schema
_ANY: Schema = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def _names() -> Schema:
    return obj(
        {
            "categories": array(string(), "Grouped resources this resource belongs to (e.g. 'all')."),
            "kind": string("The serialized kind of the resource, CamelCase and singular."),
            "listKind": string("The serialized kind of the list for this resource."),
            "plural": string("The plural name of the resource, lowercase; used in the URL."),
            "shortNames": array(string(), "Short names for the resource, exposed in discovery."),
            "singular": string("The singular name of the resource, lowercase."),
        },
        "Names used to serve the custom resource.",
        required=["plural", "kind"],
    )


def _version() -> Schema:
    return obj(
        {
            "additionalPrinterColumns": array(
                obj(
                    {
                        "description": string(),
                        "format": string(),
                        "jsonPath": string(),
                        "name": string(),
                        "priority": integer(),
                        "type": string(),
                    },
                    "A column of Table output.",
                ),
                "Columns shown by kubectl get.",
            ),
            "deprecated": boolean("Whether this version is deprecated."),
            "deprecationWarning": string("The warning returned to clients of a deprecated version."),
            "name": string("The version name, e.g. v1."),
            "schema": obj({"openAPIV3Schema": _ANY}, "The schema of this version."),
            "selectableFields": array(obj({"jsonPath": string()}, "A selectable field."), "Fields for selectors."),
            "served": boolean("Whether this version is served."),
            "storage": boolean("Whether this version is the storage version."),
            "subresources": obj(
                {
                    "scale": obj(
                        {
                            "labelSelectorPath": string(),
                            "specReplicasPath": string(),
                            "statusReplicasPath": string(),
                        },
                        "The scale subresource.",
                    ),
                    "status": {"type": "object", "description": "Enables the status subresource."},
                },
                "Subresources of this version.",
            ),
        },
        "A version of the custom resource.",
        required=["name", "served", "storage"],
    )


def _schemas() -> dict[str, Schema]:
    condition = obj(
        {
            "lastTransitionTime": ref("io.k8s.apimachinery.pkg.apis.meta.v1.Time"),
            "message": string(),
            "reason": string(),
            "status": string(),
            "type": string(),
        },
        "A condition of the CRD.",
    )
    return {
        **meta_schemas(),
        f"{API}.CustomResourceDefinitionSpec": obj(
            {
                "conversion": _ANY,
                "group": string("The API group of the custom resources."),
                "names": _names(),
                "preserveUnknownFields": boolean("Deprecated; must be false."),
                "scope": string("Cluster or Namespaced."),
                "versions": array(_version(), "The served versions."),
            },
            "The desired state of a CRD.",
            required=["group", "names", "scope", "versions"],
        ),
        f"{API}.CustomResourceDefinitionStatus": obj(
            {
                "acceptedNames": _names(),
                "conditions": array(condition, "Conditions of the CRD.", list_type="map", keys=["type"]),
                "storedVersions": array(string(), "Versions that objects were ever stored in."),
            },
            "The observed state of a CRD.",
        ),
        f"{API}.CustomResourceDefinition": obj(
            {
                **kind_header(""),
                "spec": ref(f"{API}.CustomResourceDefinitionSpec", "The desired state."),
                "status": ref(f"{API}.CustomResourceDefinitionStatus", "The observed state."),
            },
            "CustomResourceDefinition describes a custom resource served in this logical cluster.",
            required=["spec"],
            gvk=(GROUP, "v1", "CustomResourceDefinition"),
        ),
    }


CUSTOMRESOURCEDEFINITIONS = ResourceDefinition(
    group=GROUP,
    version="v1",
    kind="CustomResourceDefinition",
    plural="customresourcedefinitions",
    singular="customresourcedefinition",
    namespaced=False,
    schema_name=f"{API}.CustomResourceDefinition",
    schemas=_schemas(),
    short_names=("crd", "crds"),
    categories=("api-extensions",),
    subresources=(Subresource("status"),),
    columns=(name_column(), created_at_column()),
)

RESOURCES = (CUSTOMRESOURCEDEFINITIONS,)
