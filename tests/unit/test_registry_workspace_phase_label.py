"""The `tenancy.kcp.io/phase` label follows `status.phase`, written with the status itself."""

from __future__ import annotations

from typing import Any

from apimachinery.apis.tenancy_kcp_io import PHASE_LABEL, WORKSPACES
from shard.registry.workspaces import WorkspaceStrategy

STRATEGY = WorkspaceStrategy(WORKSPACES)


def _workspace(phase: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {"metadata": {"name": "w", "labels": dict(labels or {})}, "spec": {}, "status": {"phase": phase}}


def test_a_new_workspace_is_labelled_scheduling() -> None:
    created: dict[str, Any] = {"metadata": {"name": "w", "labels": {"team": "a"}}, "spec": {}}
    STRATEGY.prepare_for_create(created)
    assert created["metadata"]["labels"] == {"team": "a", PHASE_LABEL: "Scheduling"}


def test_a_status_write_moves_the_label_with_the_phase() -> None:
    old = _workspace("Initializing", {PHASE_LABEL: "Initializing", "team": "a"})
    new = _workspace("Ready")
    STRATEGY.prepare_for_subresource_update("status", new, old)
    assert new["metadata"]["labels"] == {PHASE_LABEL: "Ready", "team": "a"}


def test_a_client_cannot_set_the_label_to_something_else() -> None:
    old = _workspace("Ready", {PHASE_LABEL: "Ready"})
    new = _workspace("Ready", {PHASE_LABEL: "Deleting", "extra": "x"})
    STRATEGY.prepare_for_update(new, old)
    assert new["metadata"]["labels"] == {PHASE_LABEL: "Ready", "extra": "x"}
