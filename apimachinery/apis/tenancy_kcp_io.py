"""tenancy.kcp.io/v1alpha1 Workspace and WorkspaceType: the tree of logical clusters and its rules.

Field names, phases and printer columns follow kcp, so kcp manifests and `kubectl get workspaces` output
work unchanged. Annotation and label names shared by the registry and the controllers live here too.
"""

from __future__ import annotations

from apimachinery.apis.columns import age_column, metadata, name_column
from apimachinery.apis.schema import array, boolean, kind_header, meta_schemas, obj, ref, string
from apimachinery.apis.types import Object, PrinterColumn, ResourceDefinition, Subresource

GROUP = "tenancy.kcp.io"
API = "io.kcp.tenancy.v1alpha1"
PRESERVE = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}

PHASES = ("Scheduling", "Initializing", "Ready", "Unavailable", "Terminating", "Deleting")
PATH_ANNOTATION = "kcp.io/path"
SHARD_ANNOTATION = "core.kcp.io/shard"
CLUSTER_CHOICE_ANNOTATION = "internal.tenancy.kcp.io/cluster"
UNREACHABLE_ANNOTATION = "internal.tenancy.kcp.io/unreachable-shards"
# set by the server only (scheduling); a client's values are dropped on create
SCHEDULING_ANNOTATIONS = (SHARD_ANNOTATION, CLUSTER_CHOICE_ANNOTATION, UNREACHABLE_ANNOTATION)
TYPE_ANNOTATION = "internal.tenancy.kcp.io/type"
UNSCHEDULABLE_ANNOTATION = "experimental.core.kcp.io/unschedulable"
PHASE_LABEL = "tenancy.kcp.io/phase"
LOGICALCLUSTER_FINALIZER = "core.kcp.io/logicalcluster"


def _type_reference(description: str) -> Object:
    return obj({"name": string("The name of the WorkspaceType."), "path": string("Its workspace path.")}, description)


def _status_of(o: Object) -> dict[str, str]:
    return o.get("status") or {}


WORKSPACES = ResourceDefinition(
    group=GROUP,
    version="v1alpha1",
    kind="Workspace",
    plural="workspaces",
    singular="workspace",
    short_names=("ws",),
    categories=("kcp",),
    namespaced=False,
    schema_name=f"{API}.Workspace",
    subresources=(Subresource("status"),),
    schemas={
        **meta_schemas(),
        f"{API}.WorkspaceSpec": obj(
            {
                "type": _type_reference("The type of the workspace; immutable, defaulted from the parent type."),
                "cluster": string("The name of the logical cluster of this workspace (set by the system)."),
                "URL": string("The address of this workspace (set by the system)."),
                "location": obj(
                    {"selector": {**PRESERVE, "description": "A label selector of the shards to schedule on."}},
                    "Where the workspace may be scheduled.",
                ),
                "mount": {**PRESERVE, "description": "A mounted workspace (not supported)."},
            },
            "WorkspaceSpec holds the desired state of a workspace.",
        ),
        f"{API}.WorkspaceStatus": obj(
            {
                "phase": string("Scheduling, Initializing, Ready, Unavailable, Terminating or Deleting."),
                "conditions": array(PRESERVE, "Conditions of the workspace."),
                "initializers": array(string(), "Initializers still to run on the logical cluster."),
                "terminators": array(string(), "Terminators still to run on the logical cluster."),
            },
            "WorkspaceStatus is the observed state of a workspace.",
        ),
        f"{API}.Workspace": obj(
            {**kind_header(""), "spec": ref(f"{API}.WorkspaceSpec"), "status": ref(f"{API}.WorkspaceStatus")},
            "Workspace is a logical cluster in the tree of workspaces, reachable at its parent's path + name.",
            gvk=(GROUP, "v1alpha1", "Workspace"),
        ),
    },
    columns=(
        name_column(),
        PrinterColumn(
            "Type", "string", "Type of the workspace", lambda o: (o.get("spec") or {}).get("type", {}).get("name", "")
        ),
        PrinterColumn(
            "Region",
            "string",
            "The region this workspace is in",
            lambda o: (metadata(o).get("labels") or {}).get("region", ""),
        ),
        PrinterColumn(
            "Phase",
            "string",
            "The current phase (e.g. Scheduling, Initializing, Ready)",
            lambda o: _status_of(o).get("phase", ""),
        ),
        PrinterColumn("URL", "string", "URL to access the workspace", lambda o: (o.get("spec") or {}).get("URL", "")),
        age_column(),
    ),
)

WORKSPACETYPES = ResourceDefinition(
    group=GROUP,
    version="v1alpha1",
    kind="WorkspaceType",
    plural="workspacetypes",
    singular="workspacetype",
    categories=("kcp",),
    namespaced=False,
    schema_name=f"{API}.WorkspaceType",
    subresources=(Subresource("status"),),
    schemas={
        **meta_schemas(),
        f"{API}.WorkspaceTypeSelector": obj(
            {
                "none": boolean("No type is allowed."),
                "types": array(_type_reference("An allowed type."), "The allowed types; empty means all."),
            },
            "WorkspaceTypeSelector selects workspace types.",
        ),
        f"{API}.WorkspaceTypeSpec": obj(
            {
                "initializer": boolean("Workspaces of this type wait for this type's initializer."),
                "terminator": boolean("Workspaces of this type wait for this type's terminator."),
                "extend": obj({"with": array(_type_reference("An extended type."), "Types this one extends.")}),
                "additionalWorkspaceLabels": {"type": "object", "additionalProperties": string()},
                "defaultChildWorkspaceType": _type_reference("The type of children created without a type."),
                "limitAllowedChildren": ref(f"{API}.WorkspaceTypeSelector", "Which types children may have."),
                "limitAllowedParents": ref(f"{API}.WorkspaceTypeSelector", "Which types parents may have."),
                "defaultAPIBindings": array(PRESERVE, "APIBindings created in new workspaces."),
                "defaultAPIBindingLifecycle": string("InitializeOnly or Maintain."),
                "authenticationConfigurations": array(PRESERVE, "Per-workspace authentication."),
                "initializerPermissions": array(PRESERVE, "What the initializer may do."),
                "terminatorPermissions": array(PRESERVE, "What the terminator may do."),
            },
            "WorkspaceTypeSpec describes how workspaces of this type behave.",
        ),
        f"{API}.WorkspaceType": obj(
            {
                **kind_header(""),
                "spec": ref(f"{API}.WorkspaceTypeSpec"),
                "status": {**PRESERVE, "description": "Status of the type (virtual workspace URLs, conditions)."},
            },
            "WorkspaceType describes a kind of workspace: its initializers and where it may be created.",
            gvk=(GROUP, "v1alpha1", "WorkspaceType"),
        ),
    },
    columns=(name_column(), age_column()),
)

RESOURCES = (WORKSPACES, WORKSPACETYPES)
