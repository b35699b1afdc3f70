"""core.kcp.io/v1alpha1 LogicalCluster: the singleton `cluster` whose existence makes a logical cluster exist."""

from __future__ import annotations

from apimachinery.apis.columns import age_column, name_column
from apimachinery.apis.schema import array, kind_header, meta_schemas, obj, ref, string
from apimachinery.apis.types import PrinterColumn, ResourceDefinition, Subresource

GROUP = "core.kcp.io"
API = "io.kcp.core.v1alpha1"

LOGICALCLUSTERS = ResourceDefinition(
    group=GROUP,
    version="v1alpha1",
    kind="LogicalCluster",
    plural="logicalclusters",
    singular="logicalcluster",
    namespaced=False,
    schema_name=f"{API}.LogicalCluster",
    subresources=(Subresource("status"),),
    schemas={
        **meta_schemas(),
        f"{API}.LogicalClusterSpec": obj(
            {
                "directlyDeletable": {"type": "boolean", "description": "Whether the cluster may be deleted directly."},
                "initializers": array(string(), "Initializers that must finish before the cluster is Ready."),
                "owner": {
                    "type": "object",
                    "description": "The object that owns this logical cluster.",
                    "x-kubernetes-preserve-unknown-fields": True,
                },
            },
            "LogicalClusterSpec is the specification of a logical cluster.",
        ),
        f"{API}.LogicalClusterStatus": obj(
            {
                "URL": string("The URL of the logical cluster."),
                "conditions": array(
                    {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                    "Conditions of the logical cluster.",
                ),
                "initializers": array(string(), "Initializers still to run."),
                "phase": string("Scheduling, Initializing, Ready or Unavailable."),
            },
            "LogicalClusterStatus is the observed state of a logical cluster.",
        ),
        f"{API}.LogicalCluster": obj(
            {**kind_header(""), "spec": ref(f"{API}.LogicalClusterSpec"), "status": ref(f"{API}.LogicalClusterStatus")},
            "LogicalCluster describes the logical cluster it lives in; it is always named `cluster`.",
            gvk=(GROUP, "v1alpha1", "LogicalCluster"),
        ),
    },
    columns=(
        name_column(),
        PrinterColumn(
            "Phase", "string", "The phase of the logical cluster", lambda o: (o.get("status") or {}).get("phase", "")
        ),
        PrinterColumn(
            "URL", "string", "The URL of the logical cluster", lambda o: (o.get("status") or {}).get("URL", "")
        ),
        age_column(),
    ),
)

RESOURCES = (LOGICALCLUSTERS,)
