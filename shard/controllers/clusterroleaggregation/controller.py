"""Wiring of the ClusterRole aggregation controller: follow the ClusterRoles of every logical cluster; any
change in a cluster re-queues that cluster's aggregated ClusterRoles (keys `<cluster>/<name>`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from apimachinery import errors
from apimachinery.apis.types import Object
from shard.controllers import framework
from shard.controllers.clusterroleaggregation.reconcile_rules import (
    aggregated_rules,
    is_aggregated,
    rules_differ,
    write_rules,
)
from shard.controllers.queue import WorkQueue
from shard.registry.registry import Registry
from shard.storage.interface import ListResult, WatchEvent

PREFIX = "/registry/rbac.authorization.k8s.io/clusterroles/"
log = logging.getLogger("kplane.controllers.clusterroleaggregation")


@dataclass
class ClusterRoleAggregator:
    registry: Registry
    queue: WorkQueue = field(default_factory=WorkQueue)
    roles: dict[str, dict[str, Object]] = field(default_factory=dict)  # cluster → name → ClusterRole

    async def run(self) -> None:
        await framework.run(self.registry.storage, PREFIX, self, self.queue, self.reconcile, log)

    def on_list(self, listed: ListResult) -> None:
        self.roles = {}
        for key, role in zip(listed.keys, listed.items, strict=True):
            self._store(key, role)
        for cluster in self.roles:
            self._requeue(cluster)

    def on_event(self, event: WatchEvent) -> None:
        if event.type == "BOOKMARK":
            return
        cluster, name = _cluster_and_name(event.key)
        if event.type == "DELETED":
            self.roles.get(cluster, {}).pop(name, None)
        else:
            self._store(event.key, event.object)
        self._requeue(cluster)

    def _store(self, key: str, role: Object) -> None:
        cluster, name = _cluster_and_name(key)
        self.roles.setdefault(cluster, {})[name] = role

    def _requeue(self, cluster: str) -> None:
        in_cluster = self.roles.get(cluster, {})
        for name, role in in_cluster.items():
            if is_aggregated(role):
                self.queue.add(f"{cluster}/{name}")
        if not in_cluster:
            self.roles.pop(cluster, None)

    async def reconcile(self, key: str) -> bool:
        cluster, _, name = key.partition("/")
        in_cluster = self.roles.get(cluster, {})
        role = in_cluster.get(name)
        if role is None or not is_aggregated(role):
            return False
        try:
            rules = aggregated_rules(role, in_cluster.values())
        except errors.StatusError as err:  # an invalid selector stays invalid until the role changes
            log.warning("ClusterRole %s has an invalid aggregationRule: %s", key, err.message)
            return False
        if rules_differ(role.get("rules"), rules):
            await write_rules(self.registry, cluster, name, rules)
        return False


def _cluster_and_name(key: str) -> tuple[str, str]:
    """`/registry/rbac.authorization.k8s.io/clusterroles/<cluster>/<name>` → (cluster, name)."""
    cluster, _, name = key[len(PREFIX) :].partition("/")
    return cluster, name
