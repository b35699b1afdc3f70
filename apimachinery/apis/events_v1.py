"""events.k8s.io/v1 Event: the same stored objects as core/v1 events, converted field by field."""

from __future__ import annotations

from apimachinery.apis.core_v1 import EVENTS as CORE_EVENTS
from apimachinery.apis.core_v1 import object_reference_schemas
from apimachinery.apis.schema import META, integer, kind_header, meta_schemas, obj, ref, string
from apimachinery.apis.types import Object, ResourceDefinition

GROUP = "events.k8s.io"
API = "io.k8s.api.events.v1"
CORE = "io.k8s.api.core.v1"

# events.k8s.io/v1 field ↔ core/v1 field, for the fields whose names differ.
RENAMED = {
    "regarding": "involvedObject",
    "note": "message",
    "reportingController": "reportingComponent",
    "deprecatedSource": "source",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedCount": "count",
}


def to_core(event: Object) -> Object:
    out = {RENAMED.get(k, k): v for k, v in event.items()}
    out["apiVersion"] = "v1"
    return out


def from_core(event: Object) -> Object:
    back = {v: k for k, v in RENAMED.items()}
    out = {back.get(k, k): v for k, v in event.items()}
    out["apiVersion"] = f"{GROUP}/v1"
    return out


EVENTS = ResourceDefinition(
    group=GROUP,
    version="v1",
    kind="Event",
    plural="events",
    singular="event",
    namespaced=True,
    schema_name=f"{API}.Event",
    short_names=("ev",),
    schemas={
        **meta_schemas(),
        **object_reference_schemas(),
        f"{API}.EventSeries": obj(
            {"count": integer("Occurrences in this series."), "lastObservedTime": ref(f"{META}.MicroTime")},
            "EventSeries describes a series of events.",
        ),
        f"{API}.Event": obj(
            {
                **kind_header(""),
                "action": string("What action was taken or failed regarding the regarding object."),
                "deprecatedCount": integer("Deprecated field kept for core/v1 compatibility."),
                "deprecatedFirstTimestamp": ref(f"{META}.Time"),
                "deprecatedLastTimestamp": ref(f"{META}.Time"),
                "deprecatedSource": ref(f"{CORE}.EventSource"),
                "eventTime": ref(f"{META}.MicroTime", "When this Event was first observed."),
                "note": string("A human-readable description of the status of this operation."),
                "reason": string("Why the action was taken."),
                "regarding": ref(f"{CORE}.ObjectReference", "The object this Event is about."),
                "related": ref(f"{CORE}.ObjectReference", "An optional secondary object."),
                "reportingController": string("The controller that emitted this Event."),
                "reportingInstance": string("The ID of the controller instance."),
                "series": ref(f"{API}.EventSeries", "Data about the Event series this event represents."),
                "type": string("Normal or Warning."),
            },
            "Event is a report of an event somewhere in the cluster.",
            required=["eventTime"],
            gvk=(GROUP, "v1", "Event"),
        ),
    },
    columns=CORE_EVENTS.columns,
    # selectors run on the stored (core/v1) form, so each name reads the core field it maps to
    field_selectors={
        **{
            f"regarding.{key}": CORE_EVENTS.field_selectors[f"involvedObject.{key}"]
            for key in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")
        },
        "reason": CORE_EVENTS.field_selectors["reason"],
        "type": CORE_EVENTS.field_selectors["type"],
        "reportingController": CORE_EVENTS.field_selectors["reportingComponent"],
    },
    stored_as=("core", "events"),
    to_storage=to_core,
    from_storage=from_core,
)

RESOURCES = (EVENTS,)
