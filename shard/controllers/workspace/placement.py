"""Which shard a new workspace lands on: weighted rendezvous hashing over the schedulable Shards.

Every (workspace, shard) pair gets a score `-weight / ln(u)` where `u` in (0, 1) comes from a SHA-256 of
both names; the highest score wins. Adding a shard moves only the workspaces it now wins; removing one
moves only its own. Weights come from `status.capacity.workspaces` (default 1). Shards annotated
`experimental.core.kcp.io/unschedulable` and shards outside `spec.location.selector` are skipped.
Pure: no I/O, deterministic.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from typing import Any

from apimachinery.apis.tenancy_kcp_io import UNSCHEDULABLE_ANNOTATION
from apimachinery.selectors.labels import selector_from_object

Object = dict[str, Any]
HASH_SPACE = float(2**64)
DEFAULT_WEIGHT = 1.0


def weight_of(shard: Object) -> float:
    capacity: Mapping[str, Any] = (shard.get("status") or {}).get("capacity") or {}
    try:
        weight = float(capacity.get("workspaces", DEFAULT_WEIGHT))
    except (TypeError, ValueError):
        return DEFAULT_WEIGHT
    return weight if weight > 0 else 0.0


def schedulable(shard: Object, selector: Mapping[str, Any] | None) -> bool:
    meta = shard.get("metadata") or {}
    if UNSCHEDULABLE_ANNOTATION in (meta.get("annotations") or {}):
        return False
    if selector is not None and not selector_from_object(selector).matches(meta.get("labels") or {}):
        return False
    return weight_of(shard) > 0


def score(workspace_key: str, shard_name: str, weight: float) -> float:
    digest = hashlib.sha256(f"{workspace_key}\x00{shard_name}".encode()).digest()
    unit = (int.from_bytes(digest[:8], "big") + 0.5) / HASH_SPACE  # strictly inside (0, 1)
    return -weight / math.log(unit)


def rank_shards(shards: Sequence[Object], workspace_key: str, selector: Mapping[str, Any] | None) -> list[Object]:
    """The schedulable shards in rendezvous order for `workspace_key`, best first (ties by name)."""

    def order(shard: Object) -> tuple[float, str]:
        name = str((shard.get("metadata") or {}).get("name", ""))
        return (-score(workspace_key, name, weight_of(shard)), name)

    return sorted((shard for shard in shards if schedulable(shard, selector)), key=order)


def choose_shard(shards: Sequence[Object], workspace_key: str, selector: Mapping[str, Any] | None) -> Object | None:
    """The shard `workspace_key` (`<parent cluster>/<name>`) is placed on, or None if none qualifies."""
    ranked = rank_shards(shards, workspace_key, selector)
    return ranked[0] if ranked else None
