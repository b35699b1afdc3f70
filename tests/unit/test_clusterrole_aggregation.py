"""ClusterRole aggregation: upstream's rule gathering (selector order, name order, self excluded, semantic
de-duplication) and the controller's bookkeeping per logical cluster."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from apimachinery import errors
from shard.controllers.clusterroleaggregation.controller import PREFIX, ClusterRoleAggregator
from shard.controllers.clusterroleaggregation.reconcile_rules import (
    FIELD_MANAGER,
    aggregated_rules,
    is_aggregated,
    rules_differ,
)
from shard.storage.interface import ListResult, WatchEvent
from tests.unit.rbac_objects import rule

Object = dict[str, Any]
A = rule(["get"], [""], ["configmaps"])
B = rule(["list"], [""], ["secrets"])
C = rule(["get"], ["apps"], ["deployments"])


def selectors(*labels: dict[str, str]) -> dict[str, Any]:
    return {"clusterRoleSelectors": [{"matchLabels": label} for label in labels]}


def role(name: str, rules: list[Object] | None = None, labels: dict[str, str] | None = None, **extra: Any) -> Object:
    obj: Object = {"metadata": {"name": name, "labels": labels or {}}, **extra}
    if rules is not None:
        obj["rules"] = rules
    return obj


AGG = role("agg", aggregationRule=selectors({"x": "1"}))


@pytest.mark.parametrize(
    ("aggregating", "others", "rules"),
    [
        (AGG, [], []),
        (AGG, [role("b", [B], {"x": "1"}), role("a", [A], {"x": "1"})], [A, B]),  # by name
        (AGG, [role("a", [A], {"x": "2"})], []),
        (AGG, [role("a", [A, B], {"x": "1"}), role("b", [B, A], {"x": "1"})], [A, B]),  # de-duplicated
        # semantic equality: an empty list and a missing one are the same rule
        (AGG, [role("a", [A], {"x": "1"}), role("b", [{**A, "resourceNames": []}], {"x": "1"})], [A]),
        # selectors in order: all of the first selector's roles come before the second's
        (
            role("agg", aggregationRule=selectors({"y": "1"}, {"x": "1"})),
            [role("a", [A], {"x": "1"}), role("b", [B], {"y": "1"}), role("c", [C], {"y": "1"})],
            [B, C, A],
        ),
        # the aggregated role never gathers from itself, even when it matches
        (role("agg", [C], {"x": "1"}, aggregationRule=selectors({"x": "1"})), [role("a", [A], {"x": "1"})], [A]),
        (
            role(
                "agg",
                aggregationRule={
                    "clusterRoleSelectors": [
                        {"matchExpressions": [{"key": "x", "operator": "In", "values": ["1", "2"]}]}
                    ]
                },
            ),
            [role("a", [A], {"x": "2"}), role("b", [B], {"x": "3"})],
            [A],
        ),
        (role("agg", aggregationRule={"clusterRoleSelectors": []}), [role("a", [A], {"x": "1"})], []),
        (role("agg", aggregationRule=selectors({})), [role("a", [A]), role("b", [B], {"z": "9"})], [A, B]),
    ],
)
def test_aggregated_rules(aggregating: Object, others: list[Object], rules: list[Object]) -> None:
    assert aggregated_rules(aggregating, [aggregating, *others]) == rules


def test_an_invalid_selector_is_an_error() -> None:
    bad = role(
        "agg", aggregationRule={"clusterRoleSelectors": [{"matchExpressions": [{"key": "x", "operator": "Near"}]}]}
    )
    with pytest.raises(errors.StatusError):
        aggregated_rules(bad, [role("a", [A], {"x": "1"})])


@pytest.mark.parametrize(
    ("current", "wanted", "differ"),
    [
        (None, [], False),
        ([], [], False),
        ([A], [A], False),
        ([{**A, "resourceNames": None}], [A], False),
        ([A], [B], True),
        ([A, B], [B, A], True),
        (None, [A], True),
    ],
)
def test_rules_differ(current: list[Object] | None, wanted: list[Object], differ: bool) -> None:
    assert rules_differ(current, wanted) is differ


@pytest.mark.parametrize(
    ("obj", "aggregated"),
    [
        (AGG, True),
        (role("a", aggregationRule={}), True),
        (role("a", [A]), False),
        (role("a", aggregationRule=None), False),
    ],
)
def test_is_aggregated(obj: Object, aggregated: bool) -> None:
    assert is_aggregated(obj) is aggregated


# ---- the controller ---------------------------------------------------------------------------


@dataclass
class RecordingQueue:
    keys: list[str] = field(default_factory=list)

    def add(self, key: str) -> None:
        self.keys.append(key)


@dataclass
class RecordingStore:
    written: list[tuple[str, str, Object, str]] = field(default_factory=list)
    missing: bool = False

    async def update(self, ctx: Any, name: str, mutate: Any, options: Any) -> Object:
        if self.missing:
            raise errors.not_found("clusterroles", name, group="rbac.authorization.k8s.io")
        written = await mutate({"metadata": {"name": name}})
        self.written.append((ctx.cluster, name, written, options.field_manager))
        assert ctx.permissions is None
        return written


@dataclass
class FakeRegistry:
    store: RecordingStore = field(default_factory=RecordingStore)

    def store_of(self, _: Any) -> RecordingStore:
        return self.store


def key(cluster: str, name: str) -> str:
    return f"{PREFIX}{cluster}/{name}"


def controller() -> tuple[ClusterRoleAggregator, RecordingQueue, RecordingStore]:
    queue, registry = RecordingQueue(), FakeRegistry()
    aggregator = ClusterRoleAggregator(registry, queue=queue)  # type: ignore[arg-type]
    listed = [
        (key("c1", "agg"), AGG),
        (key("c1", "a"), role("a", [A], {"x": "1"})),
        (key("c2", "agg"), {**AGG, "rules": [B]}),
        (key("c2", "plain"), role("plain", [C])),
    ]
    aggregator.on_list(ListResult([obj for _, obj in listed], 5, keys=[k for k, _ in listed]))
    return aggregator, queue, registry.store


def test_a_listing_queues_every_aggregated_role() -> None:
    _, queue, _ = controller()
    assert sorted(queue.keys) == ["c1/agg", "c2/agg"]


@pytest.mark.parametrize(
    ("event", "queued"),
    [
        (WatchEvent("ADDED", role("b", [B], {"x": "1"}), 6, key("c1", "b")), ["c1/agg"]),
        (WatchEvent("MODIFIED", role("plain", [A]), 6, key("c2", "plain")), ["c2/agg"]),
        (WatchEvent("DELETED", role("a", [A]), 6, key("c1", "a")), ["c1/agg"]),
        (WatchEvent("ADDED", role("z", [A]), 6, key("c3", "z")), []),
        (WatchEvent("BOOKMARK", {}, 6), []),
    ],
)
def test_a_change_queues_the_aggregated_roles_of_its_cluster_only(event: WatchEvent, queued: list[str]) -> None:
    aggregator, queue, _ = controller()
    queue.keys.clear()
    aggregator.on_event(event)
    assert queue.keys == queued


async def test_reconcile_writes_the_gathered_rules_once() -> None:
    aggregator, _, store = controller()
    assert await aggregator.reconcile("c1/agg") is False
    assert store.written == [("c1", "agg", {"metadata": {"name": "agg"}, "rules": [A]}, FIELD_MANAGER)]
    aggregator.on_event(WatchEvent("MODIFIED", {**AGG, "rules": [A]}, 7, key("c1", "agg")))
    await aggregator.reconcile("c1/agg")
    assert len(store.written) == 1


async def test_reconcile_after_the_source_is_deleted_empties_the_rules() -> None:
    aggregator, _, store = controller()
    aggregator.on_event(WatchEvent("DELETED", role("plain", [C]), 6, key("c2", "plain")))
    await aggregator.reconcile("c2/agg")
    assert store.written == [("c2", "agg", {"metadata": {"name": "agg"}, "rules": []}, FIELD_MANAGER)]


@pytest.mark.parametrize("queued", ["c1/a", "c1/gone", "c9/agg"])
async def test_reconcile_of_a_plain_or_unknown_role_does_nothing(queued: str) -> None:
    aggregator, _, store = controller()
    assert await aggregator.reconcile(queued) is False
    assert store.written == []


async def test_reconcile_tolerates_a_role_deleted_meanwhile_and_an_invalid_selector() -> None:
    aggregator, _, store = controller()
    store.missing = True
    assert await aggregator.reconcile("c1/agg") is False
    bad = role(
        "agg", aggregationRule={"clusterRoleSelectors": [{"matchExpressions": [{"key": "x", "operator": "Near"}]}]}
    )
    aggregator.on_event(WatchEvent("MODIFIED", bad, 8, key("c1", "agg")))
    store.missing = False
    assert await aggregator.reconcile("c1/agg") is False
    assert store.written == []
