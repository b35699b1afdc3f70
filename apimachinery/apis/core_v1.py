"""core/v1 kinds we serve: Namespace, ConfigMap, Secret, ServiceAccount, Event."""

from __future__ import annotations

from collections.abc import Callable

from apimachinery.apis.columns import age_column, age_of, metadata, name_column
from apimachinery.apis.schema import (
    META,
    array,
    boolean,
    integer,
    kind_header,
    meta_schemas,
    obj,
    ref,
    string,
    string_map,
)
from apimachinery.apis.types import Object, PrinterColumn, ResourceDefinition, Schema, Subresource

API = "io.k8s.api.core.v1"


def object_reference_schemas() -> dict[str, Schema]:
    """core/v1 ObjectReference and EventSource, used by ServiceAccounts and by both Event versions."""
    fields = ("apiVersion", "fieldPath", "kind", "name", "namespace", "resourceVersion", "uid")
    return {
        f"{API}.ObjectReference": obj(
            {name: string() for name in fields},
            "ObjectReference contains enough information to inspect or modify the referred object.",
        ),
        f"{API}.EventSource": obj(
            {
                "component": string("Component from which the event is generated."),
                "host": string("Node name on which the event is generated."),
            },
            "EventSource contains information for an event.",
        ),
    }


def _with_meta(own: dict[str, Schema]) -> dict[str, Schema]:
    return {**meta_schemas(), **own}


def _namespace_schemas() -> dict[str, Schema]:
    return _with_meta(
        {
            f"{API}.NamespaceSpec": obj(
                {"finalizers": array(string(), "Must be empty before the namespace is removed from storage.")},
                "NamespaceSpec describes the attributes of a Namespace.",
            ),
            f"{API}.NamespaceCondition": obj(
                {
                    "lastTransitionTime": ref(f"{META}.Time"),
                    "message": string(),
                    "reason": string(),
                    "status": string("Status of the condition: True, False or Unknown."),
                    "type": string("Type of namespace controller condition."),
                },
                "NamespaceCondition describes the state of a namespace at a point in time.",
                required=["type", "status"],
            ),
            f"{API}.NamespaceStatus": obj(
                {
                    "conditions": array(
                        ref(f"{API}.NamespaceCondition"),
                        "The latest observations of the namespace.",
                        list_type="map",
                        keys=["type"],
                        merge_key="type",
                        strategy="merge",
                    ),
                    "phase": string(
                        "Phase is the current lifecycle phase of the namespace.", enum=["Active", "Terminating"]
                    ),
                },
                "NamespaceStatus is information about the current status of a Namespace.",
            ),
            f"{API}.Namespace": obj(
                {
                    **kind_header(""),
                    "spec": ref(f"{API}.NamespaceSpec", "Spec defines the behavior of the Namespace."),
                    "status": ref(f"{API}.NamespaceStatus", "Status describes the current status of a Namespace."),
                },
                "Namespace provides a scope for Names. Use of multiple namespaces is optional.",
                gvk=("", "v1", "Namespace"),
            ),
        }
    )


NAMESPACES = ResourceDefinition(
    group="",
    version="v1",
    kind="Namespace",
    plural="namespaces",
    singular="namespace",
    namespaced=False,
    schema_name=f"{API}.Namespace",
    schemas=_namespace_schemas(),
    short_names=("ns",),
    verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
    subresources=(Subresource("status"), Subresource("finalize", verbs=("update",))),
    columns=(
        name_column(),
        PrinterColumn(
            "Status", "string", "The status of the namespace", lambda o: (o.get("status") or {}).get("phase", "")
        ),
        age_column(),
    ),
    field_selectors={"status.phase": lambda o: (o.get("status") or {}).get("phase", "")},
)


def _data_count(o: Object) -> int:
    return len(o.get("data") or {}) + len(o.get("binaryData") or {})


CONFIGMAPS = ResourceDefinition(
    group="",
    version="v1",
    kind="ConfigMap",
    plural="configmaps",
    singular="configmap",
    namespaced=True,
    schema_name=f"{API}.ConfigMap",
    short_names=("cm",),
    schemas=_with_meta(
        {
            f"{API}.ConfigMap": obj(
                {
                    **kind_header(""),
                    "binaryData": string_map("BinaryData contains the binary data; values are base64.", fmt="byte"),
                    "data": string_map(
                        "Data contains the configuration data. Each key must consist of alphanumeric "
                        "characters, '-', '_' or '.'."
                    ),
                    "immutable": boolean(
                        "Immutable, if set to true, ensures that data stored in the ConfigMap cannot "
                        "be updated (only object metadata can be modified)."
                    ),
                },
                "ConfigMap holds configuration data for pods to consume.",
                gvk=("", "v1", "ConfigMap"),
            ),
        }
    ),
    columns=(name_column(), PrinterColumn("Data", "string", "Number of data items", _data_count), age_column()),
)


SECRETS = ResourceDefinition(
    group="",
    version="v1",
    kind="Secret",
    plural="secrets",
    singular="secret",
    namespaced=True,
    schema_name=f"{API}.Secret",
    schemas=_with_meta(
        {
            f"{API}.Secret": obj(
                {
                    **kind_header(""),
                    "data": string_map("Data contains the secret data; values are base64 encoded.", fmt="byte"),
                    "immutable": boolean(
                        "Immutable, if set to true, ensures that data stored in the Secret cannot be "
                        "updated (only object metadata can be modified)."
                    ),
                    "stringData": string_map(
                        "stringData allows specifying non-binary secret data in string form. It is "
                        "merged into data on write and never output when reading."
                    ),
                    "type": string("Used to facilitate programmatic handling of secret data."),
                },
                "Secret holds secret data of a certain type.",
                gvk=("", "v1", "Secret"),
            ),
        }
    ),
    columns=(
        name_column(),
        PrinterColumn("Type", "string", "The type of the secret", lambda o: o.get("type", "")),
        PrinterColumn("Data", "string", "Number of data items", lambda o: len(o.get("data") or {})),
        age_column(),
    ),
    field_selectors={"type": lambda o: o.get("type", "")},
)


SERVICEACCOUNTS = ResourceDefinition(
    group="",
    version="v1",
    kind="ServiceAccount",
    plural="serviceaccounts",
    singular="serviceaccount",
    namespaced=True,
    schema_name=f"{API}.ServiceAccount",
    short_names=("sa",),
    subresources=(
        Subresource("token", verbs=("create",), kind="TokenRequest", group_version="authentication.k8s.io/v1"),
    ),
    schemas=_with_meta(
        {
            **object_reference_schemas(),
            f"{API}.LocalObjectReference": obj(
                {"name": string("Name of the referent.")}, "A reference to an object in the same namespace."
            ),
            f"{API}.ServiceAccount": obj(
                {
                    **kind_header(""),
                    "automountServiceAccountToken": boolean("Whether pods should mount a token of this account."),
                    "imagePullSecrets": array(
                        ref(f"{API}.LocalObjectReference"),
                        "Secrets for pulling images.",
                        merge_key="name",
                        strategy="merge",
                    ),
                    "secrets": array(
                        ref(f"{API}.ObjectReference"),
                        "Secrets pods of this account may use.",
                        merge_key="name",
                        strategy="merge",
                    ),
                },
                "ServiceAccount binds together a name, a principal that can be authenticated, and secrets.",
                gvk=("", "v1", "ServiceAccount"),
            ),
        }
    ),
    columns=(
        name_column(),
        PrinterColumn("Secrets", "string", "Number of secrets", lambda o: len(o.get("secrets") or [])),
        age_column(),
    ),
)


def _event_schemas() -> dict[str, Schema]:
    return _with_meta(
        {
            **object_reference_schemas(),
            f"{API}.EventSeries": obj(
                {
                    "count": integer("Number of occurrences in this series."),
                    "lastObservedTime": ref(f"{META}.MicroTime"),
                },
                "EventSeries contains information on series of events.",
            ),
            f"{API}.Event": obj(
                {
                    **kind_header(""),
                    "action": string("What action was taken/failed regarding the object."),
                    "count": integer("The number of times this event has occurred."),
                    "eventTime": ref(f"{META}.MicroTime", "Time when this Event was first observed."),
                    "firstTimestamp": ref(f"{META}.Time", "The time at which the event was first recorded."),
                    "involvedObject": ref(f"{API}.ObjectReference", "The object that this event is about."),
                    "lastTimestamp": ref(f"{META}.Time", "The time at which the most recent occurrence was recorded."),
                    "message": string("A human-readable description of the status of this operation."),
                    "reason": string("A short, machine understandable string for the transition."),
                    "related": ref(f"{API}.ObjectReference", "Optional secondary object for more complex actions."),
                    "reportingComponent": string("Name of the controller that emitted this Event."),
                    "reportingInstance": string("ID of the controller instance."),
                    "series": ref(f"{API}.EventSeries", "Data about the Event series this event represents."),
                    "source": ref(f"{API}.EventSource", "The component reporting this event."),
                    "type": string("Type of this event (Normal, Warning)."),
                },
                "Event is a report of an event somewhere in the cluster.",
                required=["metadata", "involvedObject"],
                gvk=("", "v1", "Event"),
            ),
        }
    )


def _involved(o: Object, key: str) -> str:
    return str((o.get("involvedObject") or {}).get(key, ""))


def _involved_getter(key: str) -> Callable[[Object], str]:
    return lambda o: _involved(o, key)


def _event_object(o: Object) -> str:
    ref_ = o.get("involvedObject") or {}
    return f"{str(ref_.get('kind', '')).lower()}/{ref_.get('name', '')}"


def _event_last_seen(o: Object) -> str:
    stamp = o.get("lastTimestamp") or o.get("eventTime") or metadata(o).get("creationTimestamp", "")
    return age_of(stamp)


EVENTS = ResourceDefinition(
    group="",
    version="v1",
    kind="Event",
    plural="events",
    singular="event",
    namespaced=True,
    schema_name=f"{API}.Event",
    schemas=_event_schemas(),
    short_names=("ev",),
    columns=(
        PrinterColumn("Last Seen", "string", "Time since the last occurrence", _event_last_seen),
        PrinterColumn("Type", "string", "Type of this event", lambda o: o.get("type", "")),
        PrinterColumn("Reason", "string", "Short reason for the event", lambda o: o.get("reason", "")),
        PrinterColumn("Object", "string", "The object this event is about", _event_object),
        PrinterColumn("Message", "string", "Description of the event", lambda o: o.get("message", "")),
    ),
    field_selectors={
        **{
            f"involvedObject.{k}": _involved_getter(k)
            for k in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")
        },
        "reason": lambda o: o.get("reason", ""),
        "reportingComponent": lambda o: o.get("reportingComponent", ""),
        "source": lambda o: (o.get("source") or {}).get("component", "") or o.get("reportingComponent", ""),
        "type": lambda o: o.get("type", ""),
    },
)

RESOURCES = (NAMESPACES, CONFIGMAPS, SECRETS, SERVICEACCOUNTS, EVENTS)
