"""A shard's own `Shard` object in root, as the shard declares it at every start: its URLs, its labels
(always `name=<shard>`, plus any the operator gives) and its capacity. One description, applied the same
way whether root is local (bootstrap.py) or reached over HTTPS (shard/topology/remote_root.py).

Declared labels and URLs win over what the object has; other labels are kept. A declared capacity wins;
without one, a capacity already set (by an operator) is kept and a missing one gets the default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from apimachinery.apis.core_kcp_io import SHARDS

Object = dict[str, Any]
DEFAULT_CAPACITY = "10000"


@dataclass(frozen=True)
class ShardRegistration:
    """`base_url` is the shard's own https URL (front-proxy → shard), `external_url` the one users see
    (Workspace spec.URL), `virtual_workspace_url` where it serves /services/…; empty URLs default to
    `base_url`. `capacity` is `status.capacity.workspaces` (the placement weight); empty: keep or default."""

    name: str
    base_url: str
    external_url: str = ""
    virtual_workspace_url: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    capacity: str = ""

    def shard_object(self) -> Object:
        return {
            "apiVersion": SHARDS.api_version,
            "kind": SHARDS.kind,
            "metadata": {"name": self.name, "labels": self.all_labels()},
            "spec": self.spec(),
        }

    def all_labels(self) -> dict[str, str]:
        return {**self.labels, "name": self.name}

    def spec(self) -> Object:
        return {
            "baseURL": self.base_url,
            "externalURL": self.external_url or self.base_url,
            "virtualWorkspaceURL": self.virtual_workspace_url or self.base_url,
        }


def merged(current: Object, registration: ShardRegistration) -> Object | None:
    """`current` with the declared spec and labels; None if it already has them."""
    spec = {**(current.get("spec") or {}), **registration.spec()}
    labels = {**((current.get("metadata") or {}).get("labels") or {}), **registration.all_labels()}
    if spec == current.get("spec") and labels == (current.get("metadata") or {}).get("labels"):
        return None
    current["spec"] = spec
    current.setdefault("metadata", {})["labels"] = labels
    return current


def with_capacity(current: Object, registration: ShardRegistration) -> Object | None:
    """`current` with its capacity settled; None if nothing changes."""
    capacity = current.setdefault("status", {}).setdefault("capacity", {})
    wanted = registration.capacity or capacity.get("workspaces") or DEFAULT_CAPACITY
    if capacity.get("workspaces") == wanted:
        return None
    capacity["workspaces"] = wanted
    return current
