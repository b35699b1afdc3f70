"""autoscaling/v1 Scale: what the `scale` subresource of a custom resource reads and writes."""

from __future__ import annotations

from apimachinery.apis.schema import integer, kind_header, meta_schemas, obj, ref, string
from apimachinery.apis.types import ResourceDefinition

API = "io.k8s.api.autoscaling.v1"

SCALE = ResourceDefinition(
    group="autoscaling",
    version="v1",
    kind="Scale",
    plural="scale",
    singular="scale",
    namespaced=True,
    schema_name=f"{API}.Scale",
    schemas={
        **meta_schemas(),
        f"{API}.ScaleSpec": obj({"replicas": integer("The desired number of instances.")}, "Desired scale."),
        f"{API}.ScaleStatus": obj(
            {"replicas": integer("The actual number of instances."), "selector": string("The label query.")},
            "Observed scale.",
        ),
        f"{API}.Scale": obj(
            {**kind_header(""), "spec": ref(f"{API}.ScaleSpec"), "status": ref(f"{API}.ScaleStatus")},
            "Scale represents a scaling request for a resource.",
            gvk=("autoscaling", "v1", "Scale"),
        ),
    },
    verbs=("get", "patch", "update"),
)
