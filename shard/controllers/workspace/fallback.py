"""Placing a workspace on the next shard when the chosen one stays unreachable before its LogicalCluster
exists (kplane's addition: kcp retries the chosen shard forever).

"Stays unreachable" means the shard's circuit breaker opened while creating the LogicalCluster
(shard/topology/resilience.py: consecutive failures to connect, so nothing reached the shard and no
LogicalCluster can exist there). Then, in this order:

1. `WorkspaceScheduled=False`, reason `Unschedulable` (kcp's reason for "cannot schedule right now"),
   message `chosen shard "<shard>" is unreachable: <detail>; scheduling on the next shard`;
2. the `core.kcp.io/shard` and `internal.tenancy.kcp.io/cluster` annotations are dropped and the shard is
   added to `internal.tenancy.kcp.io/unreachable-shards` (comma-separated), so the next choice, made by
   the usual scheduling step, is the next shard in rendezvous order;
3. once placed, `WorkspaceScheduled=True` with message
   `scheduled on shard "<shard>": shard(s) "<a>", "<b>" unreachable`.

The choice takes the first shard in rendezvous order that is neither listed as unreachable nor behind an
open breaker now; shards it passes over because their breaker is open are added to the list too (so the
True condition names every shard the workspace did not go to for being unreachable). If every candidate
is listed, the listed ones are tried again (they may be back); with none available at all the workspace
is Unschedulable as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apimachinery.apis.tenancy_kcp_io import CLUSTER_CHOICE_ANNOTATION, SHARD_ANNOTATION, UNREACHABLE_ANNOTATION
from apimachinery.apis.types import Object
from shard.controllers.workspace.placement import rank_shards
from shard.controllers.workspace.state import set_condition

SCHEDULED = "WorkspaceScheduled"
UNSCHEDULABLE = "Unschedulable"


def _name(shard: Object) -> str:
    return str((shard.get("metadata") or {}).get("name", ""))


def unreachable_shards(workspace: Object) -> list[str]:
    """The shards this workspace could not reach so far, in the order it tried them."""
    annotations = (workspace.get("metadata") or {}).get("annotations") or {}
    return [name for name in str(annotations.get(UNREACHABLE_ANNOTATION, "")).split(",") if name]


@dataclass(frozen=True)
class Choice:
    """The shard chosen (None: no shard available) and the better-ranked ones passed over as unreachable."""

    shard: Object | None
    passed_over: tuple[str, ...] = ()


def choose(
    shards: Sequence[Object],
    workspace_key: str,
    selector: Mapping[str, Any] | None,
    *,
    unreachable: Sequence[str],
    available: Callable[[str], bool],
) -> Choice:
    """The first shard in rendezvous order that is available and not tried yet; else the first available."""
    ranked = rank_shards(shards, workspace_key, selector)
    passed_over: list[str] = []
    for shard in ranked:
        name = _name(shard)
        if not available(name):
            passed_over.append(name)
        elif name not in unreachable:
            return Choice(shard, tuple(n for n in passed_over if n not in unreachable))
    usable = [shard for shard in ranked if available(_name(shard))]
    return Choice(usable[0] if usable else None)


def remember_unreachable(current: Object, shard_names: Sequence[str]) -> None:
    """Add `shard_names` to the workspace's list of unreachable shards (once each, in order)."""
    tried = unreachable_shards(current)
    added = [name for name in dict.fromkeys(shard_names) if name not in tried]
    if added:
        annotations: dict[str, str] = current.setdefault("metadata", {}).setdefault("annotations", {})
        annotations[UNREACHABLE_ANNOTATION] = ",".join([*tried, *added])


def forget_shard(current: Object, shard_name: str) -> None:
    """Drop the shard and cluster choice; remember `shard_name` as unreachable."""
    annotations: dict[str, str] = current.setdefault("metadata", {}).setdefault("annotations", {})
    annotations.pop(SHARD_ANNOTATION, None)
    annotations.pop(CLUSTER_CHOICE_ANNOTATION, None)
    remember_unreachable(current, [shard_name])


def mark_unreachable(status: Object, shard_name: str, detail: str) -> None:
    message = f'chosen shard "{shard_name}" is unreachable: {detail}; scheduling on the next shard'
    set_condition(status, SCHEDULED, "False", UNSCHEDULABLE, message)


def mark_scheduled(status: Object, workspace: Object) -> None:
    """True; naming the shards that could not be reached, if any."""
    tried = unreachable_shards(workspace)
    if not tried:
        set_condition(status, SCHEDULED, "True")
        return
    shard_name = ((workspace.get("metadata") or {}).get("annotations") or {}).get(SHARD_ANNOTATION, "")
    names = ", ".join(f'"{name}"' for name in tried)
    set_condition(status, SCHEDULED, "True", message=f'scheduled on shard "{shard_name}": shard(s) {names} unreachable')
