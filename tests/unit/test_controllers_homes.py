"""Which LogicalClusters the home readiness controller moves to Ready."""

from __future__ import annotations

from typing import Any

import pytest

from shard.controllers.homes.controller import initialized_home


def _cluster(type_name: str, phase: str, initializers: list[str], deleting: bool = False) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "cluster", "annotations": {"internal.tenancy.kcp.io/type": type_name}}
    if deleting:
        metadata["deletionTimestamp"] = "2026-11-24T00:00:00Z"
    return {"metadata": metadata, "status": {"phase": phase, "initializers": initializers}}


@pytest.mark.parametrize(
    ("logical_cluster", "expected"),
    [
        (_cluster("root:home", "Initializing", []), True),
        (_cluster("root:home", "Initializing", ["root:home"]), False),  # an initializer is still at work
        (_cluster("root:home", "Ready", []), False),
        (_cluster("root:home", "Initializing", [], deleting=True), False),
        (_cluster("root:universal", "Initializing", []), False),  # workspaces have their own controller
    ],
)
def test_initialized_home(logical_cluster: dict[str, Any], expected: bool) -> None:
    assert initialized_home(logical_cluster) is expected
