"""Strategies of Workspace, WorkspaceType and Shard.

A new Workspace starts in phase `Scheduling` with no cluster and no URL (the workspace controller sets
them) and without the scheduling annotations a client may have sent (only the server chooses a shard); its
type cannot change, and only system:masters may change its binding or its scheduling annotations later.
The `tenancy.kcp.io/phase` label always shows `status.phase` (kcp's, for
`kubectl get workspaces -l tenancy.kcp.io/phase=Ready`); it is set with the status write itself, so keeping
it costs no write of its own. Admission (type defaulting and parent/child rules) is in workspacetypes.py.
"""

from __future__ import annotations

from typing import Any

from apimachinery import errors
from apimachinery.apis.tenancy_kcp_io import PHASE_LABEL, SCHEDULING_ANNOTATIONS
from apimachinery.apis.types import Object
from apimachinery.auth.user import MASTERS_GROUP
from apimachinery.errors import Cause
from apimachinery.validation import names
from shard.registry.context import RequestContext
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

    def admit(self, ctx: RequestContext, new: Object, old: Object | None) -> None:
        """Only the server binds and places a workspace: a client that is not system:masters may not change
        spec.cluster, spec.URL (kcp's admission, 403) or the scheduling annotations (ours: kcp leaves them
        open, and a client could otherwise steer a workspace it may update to a shard or cluster name
        before the controller binds it)."""
        if old is None or MASTERS_GROUP in ctx.user.groups:
            return
        new_spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
        changed = [f"spec.{key}" for key in ("cluster", "URL") if new_spec.get(key) != old_spec.get(key)]
        new_annotations, old_annotations = _annotations(new), _annotations(old)
        changed += [
            f"metadata.annotations[{key}]"
            for key in SCHEDULING_ANNOTATIONS
            if new_annotations.get(key) != old_annotations.get(key)
        ]
        if changed:
            detail = f"{changed[0]} can only be changed by system privileged users"
            raise errors.forbidden("workspaces", new["metadata"]["name"], detail, group="tenancy.kcp.io")

    def validate_update(self, new: Object, old: Object) -> list[Cause]:
        causes = []
        new_spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
        for field_name in ("type", "cluster"):
            if old_spec.get(field_name) and new_spec.get(field_name) != old_spec.get(field_name):
                causes.append(Cause("FieldValueInvalid", "Invalid value: field is immutable", f"spec.{field_name}"))
        return causes


def _annotations(obj: Object) -> dict[str, str]:
    return (obj.get("metadata") or {}).get("annotations") or {}


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
