"""`metadata.managedFields` ↔ the managers and the fields each owns.

A manager is identified by (name, operation, apiVersion, subresource), except that an Apply manager's
identity leaves out the apiVersion, so re-applying through another version replaces its entry. Entries
are written sorted as upstream: Apply before Update, then by time (whole seconds), name, apiVersion and
subresource; each as `{manager, operation, apiVersion, time, fieldsType: FieldsV1, fieldsV1,
subresource}`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from apimachinery.fieldmanager import fieldsv1
from apimachinery.fieldmanager.fieldset import FieldSet
from apimachinery.fieldmanager.values import go_json

APPLY = "Apply"
UPDATE = "Update"


class ManagedFieldsError(ValueError):
    """managedFields that cannot be decoded."""


@dataclass(frozen=True, order=True)
class ManagerId:
    manager: str
    operation: str
    api_version: str = ""
    subresource: str = ""

    @classmethod
    def of(cls, manager: str, operation: str, api_version: str, subresource: str = "") -> ManagerId:
        return cls(manager, operation, "" if operation == APPLY else api_version, subresource)

    def identifier(self) -> str:
        """Upstream's identifier: the entry's JSON without time and fields (used to order conflicts)."""
        parts = {"manager": self.manager, "operation": self.operation, "apiVersion": self.api_version}
        parts["subresource"] = self.subresource
        return _identifier(parts)


def _identifier(parts: Mapping[str, str]) -> str:
    return "{" + ",".join(f"{go_json(k)}:{go_json(v)}" for k, v in parts.items() if v) + "}"


@dataclass
class Owned:
    """The fields one manager owns, in which apiVersion, and whether it applied them."""

    fields: FieldSet
    api_version: str
    applied: bool


@dataclass
class Managed:
    """All managers of an object with their fields and the time each last changed something."""

    owners: dict[ManagerId, Owned] = field(default_factory=dict)
    times: dict[ManagerId, str | None] = field(default_factory=dict)

    def copy(self) -> Managed:
        """A copy whose owners can be replaced and changed; their field sets, never changed, are shared."""
        owners = {m: Owned(o.fields, o.api_version, o.applied) for m, o in self.owners.items()}
        return Managed(owners, dict(self.times))


def decode(entries: Sequence[Any] | None) -> Managed:
    """managedFields → Managed; ManagedFieldsError when an entry is malformed."""
    managed = Managed()
    for index, entry in enumerate(entries or []):
        if not isinstance(entry, dict):
            raise ManagedFieldsError(f"managed fields entry {index} is not an object")
        operation = entry.get("operation")
        if operation not in (APPLY, UPDATE):
            raise ManagedFieldsError("operation must be `Apply` or `Update`")
        if not entry.get("apiVersion"):
            raise ManagedFieldsError("apiVersion must not be empty")
        fields_type = entry.get("fieldsType") or ""
        if fields_type != "FieldsV1":
            raise ManagedFieldsError(
                f"missing fieldsType in managed fields entry {index}"
                if not fields_type
                else f"invalid fieldsType {fields_type!r} in managed fields entry {index}"
            )
        manager = ManagerId.of(
            str(entry.get("manager") or ""), operation, entry["apiVersion"], str(entry.get("subresource") or "")
        )
        try:
            fields = fieldsv1.decode(entry.get("fieldsV1"))
        except fieldsv1.FieldsV1Error as err:
            raise ManagedFieldsError(f"error decoding set: {err}") from None
        managed.owners[manager] = Owned(fields, entry["apiVersion"], operation == APPLY)
        managed.times[manager] = entry.get("time")
    return managed


def encode(managed: Managed) -> list[dict[str, Any]]:
    """Managed → sorted managedFields entries (an empty list when no manager owns anything)."""
    entries = []
    for manager, owned in managed.owners.items():
        entry: dict[str, Any] = {
            "manager": manager.manager,
            "operation": APPLY if owned.applied else UPDATE,
            "apiVersion": owned.api_version,
        }
        time = managed.times.get(manager)
        if time:
            entry["time"] = time
        entry["fieldsType"] = "FieldsV1"
        entry["fieldsV1"] = fieldsv1.encode(owned.fields)
        if manager.subresource:
            entry["subresource"] = manager.subresource
        entries.append(entry)
    return sorted(entries, key=_entry_order)


def _entry_order(entry: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    return (
        entry["operation"],
        _seconds(entry.get("time")),
        entry["manager"],
        entry["apiVersion"],
        entry.get("subresource", ""),
    )


def _seconds(time: str | None) -> str:
    """RFC 3339 times in UTC compare as text once cut to whole seconds; no time sorts first."""
    return (time or "")[:19]
