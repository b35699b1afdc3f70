"""core.kcp.io/v1alpha1 LogicalCluster (the singleton `cluster` whose existence makes a logical cluster exist)
and Shard (one per API server, kept in `root`; scheduling reads them)."""

from __future__ import annotations

from typing import Any

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
                "terminators": array(string(), "Terminators that must finish before the cluster is deleted."),
                "createdBy": {
                    "type": "object",
                    "description": "Who created this logical cluster.",
                    "x-kubernetes-preserve-unknown-fields": True,
                },
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
                "terminators": array(string(), "Terminators still to run."),
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

SHARDS = ResourceDefinition(
    group=GROUP,
    version="v1alpha1",
    kind="Shard",
    plural="shards",
    singular="shard",
    namespaced=False,
    schema_name=f"{API}.Shard",
    subresources=(Subresource("status"),),
    schemas={
        **meta_schemas(),
        f"{API}.ShardSpec": obj(
            {
                "baseURL": string("The address other components reach this shard at directly."),
                "externalURL": string("The address users reach this shard at (usually the front-proxy)."),
                "virtualWorkspaceURL": string("The address of this shard's virtual workspaces."),
            },
            "ShardSpec describes where a shard is served.",
        ),
        f"{API}.ShardStatus": obj(
            {
                "capacity": {"type": "object", "additionalProperties": {"x-kubernetes-int-or-string": True}},
                "conditions": array(
                    {"type": "object", "x-kubernetes-preserve-unknown-fields": True}, "Conditions of the shard."
                ),
            },
            "ShardStatus is the observed state of a shard.",
        ),
        f"{API}.Shard": obj(
            {**kind_header(""), "spec": ref(f"{API}.ShardSpec"), "status": ref(f"{API}.ShardStatus")},
            "Shard describes one API server of logical clusters; workspaces are scheduled onto shards.",
            gvk=(GROUP, "v1alpha1", "Shard"),
        ),
    },
    columns=(
        name_column(),
        PrinterColumn("Region", "string", "The region of the shard", lambda o: _labels(o).get("region", "")),
        PrinterColumn("URL", "string", "The base URL of the shard", lambda o: (o.get("spec") or {}).get("baseURL", "")),
        PrinterColumn(
            "External URL",
            "string",
            "The external URL of the shard",
            lambda o: (o.get("spec") or {}).get("externalURL", ""),
        ),
        age_column(),
    ),
)


def _labels(o: dict[str, Any]) -> dict[str, str]:
    return (o.get("metadata") or {}).get("labels") or {}


RESOURCES = (LOGICALCLUSTERS, SHARDS)
