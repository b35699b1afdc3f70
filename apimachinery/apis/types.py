"""What an API resource is: names, scope, verbs, subresources, printer columns, schema and fields.

A `ResourceDefinition` is the single source that discovery, OpenAPI, Table output, field selectors,
strict field validation and the registry read from. Built-in kinds are declared in the sibling modules;
CRDs will produce the same structure at run time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Object = dict[str, Any]
Schema = dict[str, Any]

DEFAULT_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class PrinterColumn:
    """One Table column; `value` computes the cell from the object."""

    name: str
    type: str
    description: str
    value: Callable[[Object], Any]
    format: str = ""
    priority: int = 0


@dataclass(frozen=True)
class Subresource:
    """A subresource such as `status`; `kind` and `group_version` default to the parent's."""

    name: str
    verbs: tuple[str, ...] = ("get", "patch", "update")
    kind: str = ""
    group_version: str = ""


@dataclass(frozen=True)
class ScalePaths:
    """Where a custom resource keeps what its `scale` subresource shows (JSON paths like `.spec.replicas`)."""

    spec_replicas: str
    status_replicas: str
    label_selector: str = ""


@dataclass(frozen=True)
class ResourceDefinition:
    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    schema_name: str
    schemas: Mapping[str, Schema]
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = DEFAULT_VERBS
    subresources: tuple[Subresource, ...] = ()
    columns: tuple[PrinterColumn, ...] = ()
    field_selectors: Mapping[str, Callable[[Object], str]] = field(default_factory=dict)
    description: str = ""
    stored_as: tuple[str, str] | None = None
    storage_infix: str = ""
    deprecation_warning: str = ""
    scale: ScalePaths | None = None
    to_storage: Callable[[Object], Object] | None = None
    from_storage: Callable[[Object], Object] | None = None
    # False for kinds that are computed per request and never stored (the access reviews): the registry
    # builds no Store for them, and discovery gives them no storageVersionHash
    persisted: bool = True

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def api_version(self) -> str:
        return self.group_version

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def storage_group(self) -> str:
        """The group segment of storage keys; the core group is stored as `core`."""
        if self.stored_as:
            return self.stored_as[0]
        return self.group or "core"

    @property
    def storage_resource(self) -> str:
        """The resource segment of storage keys; another kind's when two versions share storage."""
        return self.stored_as[1] if self.stored_as else self.plural

    def subresource(self, name: str) -> Subresource | None:
        return next((s for s in self.subresources if s.name == name), None)

    def field_set(self, obj: Object) -> dict[str, str]:
        """Every selectable field of `obj`: metadata.name, metadata.namespace and the kind's own."""
        metadata = obj.get("metadata") or {}
        fields = {"metadata.name": metadata.get("name", "")}
        if self.namespaced:
            fields["metadata.namespace"] = metadata.get("namespace", "")
        for name, getter in self.field_selectors.items():
            fields[name] = getter(obj)
        return fields
