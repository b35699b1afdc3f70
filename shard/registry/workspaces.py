"""Strategies of Workspace, WorkspaceType and Shard.

A new Workspace starts in phase `Scheduling` with no cluster and no URL (the workspace controller sets
them) and without the scheduling annotations a client may have sent (only the server chooses a shard); its
type cannot change. The `tenancy.kcp.io/phase` label always shows `status.phase` (kcp's, for
`kubectl get workspaces -l tenancy.kcp.io/phase=Ready`); it is set with the status write itself, so keeping
it costs no write of its own. Admission (type defaulting and parent/child rules) is in workspacetypes.py.
"""

from __future__ import annotations

from typing import Any

from apimachinery.apis.tenancy_kcp_io import PHASE_LABEL, SCHEDULING_ANNOTATIONS
from apimachinery.apis.types import Object
from apimachinery.errors import Cause
from apimachinery.validation import names
from shard.registry.strategy import Strategy

RESERVED_TYPE_NAMES = ("any", "system")


def spec_of(obj: Object) -> dict[str, Any]:
    spec: dict[str, Any] = obj.setdefault("spec", {})
    return spec


class WorkspaceStrategy(Strategy):
    has_status = True
    name_validator = staticmethod(names.name_is_dns_label)

    def prepare_for_create(self, obj: Object) -> None:
        spec = spec_of(obj)
        spec.pop("cluster", None)
        spec.pop("URL", None)
        obj["status"] = {"phase": "Scheduling"}
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        for name in SCHEDULING_ANNOTATIONS:  # the server's choice only (admission may make it next)
            annotations.pop(name, None)
        _label_phase(obj)

    def prepare_for_update(self, new: Object, old: Object) -> None:
        super().prepare_for_update(new, old)
        _label_phase(new)

    def prepare_for_subresource_update(self, subresource: str, new: Object, old: Object) -> None:
        super().prepare_for_subresource_update(subresource, new, old)
        _label_phase(new)

    def validate_update(self, new: Object, old: Object) -> list[Cause]:
        causes = []
        new_spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
        for field_name in ("type", "cluster"):
            if old_spec.get(field_name) and new_spec.get(field_name) != old_spec.get(field_name):
                causes.append(Cause("FieldValueInvalid", "Invalid value: field is immutable", f"spec.{field_name}"))
        return causes


def _label_phase(workspace: Object) -> None:
    phase = (workspace.get("status") or {}).get("phase")
    if phase:
        metadata = workspace.setdefault("metadata", {})
        metadata["labels"] = {**(metadata.get("labels") or {}), PHASE_LABEL: phase}


class WorkspaceTypeStrategy(Strategy):
    has_status = True
    name_validator = staticmethod(names.name_is_dns_label)

    def validate(self, obj: Object) -> list[Cause]:
        name = (obj.get("metadata") or {}).get("name", "")
        if name in RESERVED_TYPE_NAMES:
            return [Cause("FieldValueInvalid", f'Invalid value: "{name}": is a reserved name', "metadata.name")]
        return []


class ShardStrategy(Strategy):
    has_status = True
