"""A tiny vocabulary for writing OpenAPI schemas of built-in kinds, and the meta/v1 schemas they share.

Definition names follow upstream (`io.k8s.api.core.v1.ConfigMap`) because kubectl and other tools look
them up by name and by `x-kubernetes-group-version-kind`. Descriptions are our own words.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

META = "io.k8s.apimachinery.pkg.apis.meta.v1"


def string(description: str = "", *, fmt: str = "", enum: list[str] | None = None) -> Schema:
    out: Schema = {"type": "string", "description": description}
    if fmt:
        out["format"] = fmt
    if enum:
        out["enum"] = enum
    return out


def integer(description: str = "", *, fmt: str = "int32") -> Schema:
    return {"type": "integer", "format": fmt, "description": description}


def boolean(description: str = "") -> Schema:
    return {"type": "boolean", "description": description}


def string_map(description: str = "", *, fmt: str = "") -> Schema:
    return {"type": "object", "description": description, "additionalProperties": string(fmt=fmt)}


def array(
    items: Schema,
    description: str = "",
    *,
    list_type: str = "atomic",
    keys: list[str] | None = None,
    merge_key: str = "",
    strategy: str = "",
) -> Schema:
    out: Schema = {"type": "array", "description": description, "items": items, "x-kubernetes-list-type": list_type}
    if keys:
        out["x-kubernetes-list-map-keys"] = keys
    if merge_key:
        out["x-kubernetes-patch-merge-key"] = merge_key
    if strategy:
        out["x-kubernetes-patch-strategy"] = strategy
    return out


def ref(name: str, description: str = "") -> Schema:
    """A reference to another definition; the writer turns it into `$ref` for v2 or v3."""
    return {"$ref": name, "description": description}


def obj(
    properties: dict[str, Schema],
    description: str = "",
    *,
    required: list[str] | None = None,
    gvk: tuple[str, str, str] | None = None,
) -> Schema:
    out: Schema = {"type": "object", "description": description, "properties": properties}
    if required:
        out["required"] = required
    if gvk:
        out["x-kubernetes-group-version-kind"] = [{"group": gvk[0], "version": gvk[1], "kind": gvk[2]}]
    return out


def kind_header(kind_description: str) -> dict[str, Schema]:
    """apiVersion, kind and metadata, present on every top-level kind."""
    return {
        "apiVersion": string("APIVersion defines the versioned schema of this representation of an object."),
        "kind": string("Kind is a string value representing the REST resource this object represents."),
        "metadata": ref(f"{META}.ObjectMeta", f"Standard object's metadata. {kind_description}".strip()),
    }


def meta_schemas() -> dict[str, Schema]:
    """ObjectMeta and the types it uses, shared by every kind."""
    return {
        f"{META}.Time": string("Time is a timestamp in RFC 3339 form.", fmt="date-time"),
        f"{META}.MicroTime": string("MicroTime is a timestamp with microsecond precision.", fmt="date-time"),
        f"{META}.FieldsV1": {"type": "object", "description": "FieldsV1 stores a set of fields as a trie."},
        f"{META}.OwnerReference": obj(
            {
                "apiVersion": string("API version of the referent."),
                "kind": string("Kind of the referent."),
                "name": string("Name of the referent."),
                "uid": string("UID of the referent."),
                "controller": boolean("If true, this reference points to the managing controller."),
                "blockOwnerDeletion": boolean("If true, the owner cannot be deleted before this object."),
            },
            "OwnerReference identifies an object that owns this one.",
            required=["apiVersion", "kind", "name", "uid"],
        ),
        f"{META}.ManagedFieldsEntry": obj(
            {
                "apiVersion": string("The version of the resource this entry's fields describe."),
                "fieldsType": string("The format of fieldsV1; only FieldsV1 exists."),
                "fieldsV1": ref(f"{META}.FieldsV1", "The fields owned by this manager."),
                "manager": string("The workflow that manages these fields."),
                "operation": string("Apply or Update."),
                "subresource": string("The subresource used for the write, if any."),
                "time": ref(f"{META}.Time", "When the fields were last changed by this manager."),
            },
            "ManagedFieldsEntry records which fields a manager owns.",
        ),
        f"{META}.ObjectMeta": obj(_object_meta_properties(), "ObjectMeta is the metadata every persisted object has."),
        f"{META}.ListMeta": obj(
            {
                "continue": string("A token to fetch the next page of a chunked list."),
                "remainingItemCount": integer("Items left after this page, when known.", fmt="int64"),
                "resourceVersion": string("The resource version of the list."),
                "selfLink": string("Deprecated; not set."),
            },
            "ListMeta is the metadata of list responses.",
        ),
        f"{META}.LabelSelectorRequirement": obj(
            {
                "key": string("The label key the selector applies to."),
                "operator": string("In, NotIn, Exists or DoesNotExist."),
                "values": array(string(), "The values for In and NotIn."),
            },
            "A selector requirement: a key, an operator and values.",
            required=["key", "operator"],
        ),
        f"{META}.LabelSelector": obj(
            {
                "matchExpressions": array(ref(f"{META}.LabelSelectorRequirement"), "Requirements, ANDed."),
                "matchLabels": string_map("Exact label matches, ANDed."),
            },
            "A label query over a set of resources.",
        ),
    }


def _object_meta_properties() -> dict[str, Schema]:
    return {
        "annotations": string_map("Unstructured key value data set by external tools."),
        "creationTimestamp": ref(
            f"{META}.Time", "CreationTimestamp is a timestamp of the server time at which this object was created."
        ),
        "deletionGracePeriodSeconds": integer("Seconds allowed for graceful termination.", fmt="int64"),
        "deletionTimestamp": ref(f"{META}.Time", "When this object will be deleted; set by the server."),
        "finalizers": array(
            string(), "Must be empty before the object is deleted from the registry.", list_type="set", strategy="merge"
        ),
        "generateName": string("A prefix the server uses to generate a unique name when name is empty."),
        "generation": integer("A sequence number for the desired state.", fmt="int64"),
        "labels": string_map("Key value pairs to organize and select objects."),
        "managedFields": array(ref(f"{META}.ManagedFieldsEntry"), "Which manager owns which fields."),
        "name": string("Name must be unique within a namespace."),
        "namespace": string("The namespace this object lives in; empty for cluster-scoped objects."),
        "ownerReferences": array(
            ref(f"{META}.OwnerReference"),
            "Objects this one depends on.",
            list_type="map",
            keys=["uid"],
            merge_key="uid",
            strategy="merge",
        ),
        "resourceVersion": string("An opaque value that changes on every write."),
        "selfLink": string("Deprecated; not set."),
        "uid": string("The unique identity of this object over time; set by the server."),
    }
