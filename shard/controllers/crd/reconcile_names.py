"""Names acceptance and establishment of one CRD, and serving its versions."""

from __future__ import annotations

from typing import Any

from apimachinery import errors
from apimachinery.apis.apiextensions_v1 import CUSTOMRESOURCEDEFINITIONS
from apimachinery.apis.customresource import definitions_from_crd
from apimachinery.apis.types import Object
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.customresource_strategy import strategy_for_crd
from shard.registry.metadata import now_rfc3339
from shard.registry.registry import Registry

CONTROLLER_USER = UserInfo("system:serviceaccount:kube-system:crd-controller", ("system:masters",))


def name_conflicts(crd: Object, others: list[Object]) -> str:
    """Why the CRD's names clash with an established CRD of the same group, or "" if they do not."""
    spec = crd["spec"]
    names = spec["names"]
    for other in others:
        other_spec = other.get("spec") or {}
        accepted = (other.get("status") or {}).get("acceptedNames") or {}
        if other["metadata"]["name"] == crd["metadata"]["name"] or other_spec.get("group") != spec["group"]:
            continue
        if accepted.get("plural") == names["plural"]:
            return f'"{names["plural"]}" is already in use'
        if accepted.get("kind") == names["kind"]:
            return f'"{names["kind"]}" is already in use'
        taken = set(accepted.get("shortNames") or ()) & set(names.get("shortNames") or ())
        if taken:
            return f'"{sorted(taken)[0]}" is already in use'
    return ""


def serve(registry: Registry, cluster: str, crd: Object) -> None:
    stores = [registry.build_store(d, strategy_for_crd(d, crd)) for d in definitions_from_crd(crd)]
    registry.custom.serve(cluster, crd["metadata"]["name"], stores)


async def record_status(registry: Registry, cluster: str, crd: Object, conflict: str) -> None:
    """Write acceptedNames and the NamesAccepted/Established conditions, if they changed."""
    store = registry.store_of(CUSTOMRESOURCEDEFINITIONS)

    async def update(current: Object) -> Object:
        status = current.setdefault("status", {})
        if not conflict:
            status["acceptedNames"] = _names_with_defaults(current["spec"]["names"])
        conditions = status.get("conditions") or []
        conditions = set_condition(conditions, _names_accepted(conflict))
        if not conflict:
            conditions = set_condition(conditions, _established())
        status["conditions"] = conditions
        return current

    try:
        await store.update(
            RequestContext(cluster, CONTROLLER_USER),
            crd["metadata"]["name"],
            update,
            WriteOptions(field_manager="apiextensions-controller"),
            subresource="status",
        )
    except errors.StatusError as err:
        if err.code not in (404, 409):
            raise


def _names_with_defaults(names: dict[str, Any]) -> dict[str, Any]:
    out = dict(names)
    out.setdefault("singular", names["kind"].lower())
    out.setdefault("listKind", f"{names['kind']}List")
    return out


def _names_accepted(conflict: str) -> dict[str, str]:
    if conflict:
        return {"type": "NamesAccepted", "status": "False", "reason": "NameConflict", "message": conflict}
    return {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found"}


def _established() -> dict[str, str]:
    return {
        "type": "Established",
        "status": "True",
        "reason": "InitialNamesAccepted",
        "message": "the initial names have been accepted",
    }


def set_condition(conditions: list[dict[str, Any]], condition: dict[str, str]) -> list[dict[str, Any]]:
    """Replace the condition of the same type; keep lastTransitionTime when the status did not change."""
    previous = next((c for c in conditions if c.get("type") == condition["type"]), None)
    merged: dict[str, Any] = dict(condition)
    same = previous is not None and previous.get("status") == condition["status"]
    merged["lastTransitionTime"] = previous.get("lastTransitionTime") if same and previous else now_rfc3339()
    return [*(c for c in conditions if c.get("type") != condition["type"]), merged]
