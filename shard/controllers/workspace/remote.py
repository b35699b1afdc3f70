"""LogicalClusters on other shards, over HTTPS as `system:kcp:shard` (shard/topology/https.py: retries with
bounded exponential backoff, a circuit breaker per shard), and the writer that routes by shard name.

URLs: `<shard spec.baseURL>/clusters/<cluster>/apis/core.kcp.io/v1alpha1/logicalclusters[/cluster[/status]]`.
A shard answers 403 `workspace access not permitted` for a logical cluster it does not hold, even to
system:masters: read here as "not there", like a 404. `ensure` is idempotent as `LocalClusters.ensure`:
AlreadyExists with the same `spec.owner` is success, another owner is `ClusterNameTaken`. A shard that
cannot be connected to raises `ShardUnreachable` (nothing reached it); other failures raise and are retried
by the controller's requeue.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from apimachinery import errors
from apimachinery.apis.types import Object
from shard.controllers.workspace.seam import ClusterNameTaken, ClusterWriter, LocalClusters
from shard.topology.https import Response, ShardHttp, ShardUnreachable

WORKSPACE_DENIED = "workspace access not permitted"
ShardURL = Callable[[str], Awaitable[str | None]]


@dataclass
class RemoteClusters:
    """`base_url_of(shard_name)` is the shard's `spec.baseURL` (None: no such Shard)."""

    http: ShardHttp
    base_url_of: ShardURL

    async def _url(self, shard_name: str, cluster_name: str, suffix: str = "") -> str:
        base_url = await self.base_url_of(shard_name)
        if not base_url:
            raise ShardUnreachable(shard_name, "no Shard object with a spec.baseURL in root")
        return f"{base_url.rstrip('/')}/clusters/{cluster_name}/apis/core.kcp.io/v1alpha1/logicalclusters{suffix}"

    async def ensure(self, shard_name: str, cluster_name: str, logical_cluster: Object) -> Object:
        url = await self._url(shard_name, cluster_name)
        created = await self.http.call(shard_name, "POST", url, logical_cluster)
        if created.status == 201:
            return created.body
        if created.status != 409:
            raise _failure(created)
        existing = await self.get(shard_name, cluster_name)
        if existing is None:  # deleted between our POST and GET: the next reconcile creates it again
            raise errors.conflict("logicalclusters", "cluster", "the LogicalCluster went away while being created")
        if (existing.get("spec") or {}).get("owner") != (logical_cluster.get("spec") or {}).get("owner"):
            raise ClusterNameTaken(cluster_name)
        return existing

    async def get(self, shard_name: str, cluster_name: str) -> Object | None:
        answer = await self.http.call(shard_name, "GET", await self._url(shard_name, cluster_name, "/cluster"))
        if answer.status == 200:
            return answer.body
        if _absent(answer):
            return None
        raise _failure(answer)

    async def update_status(self, shard_name: str, cluster_name: str, status: Object) -> None:
        url = await self._url(shard_name, cluster_name, "/cluster/status")
        while True:  # a conflict means someone else wrote in between: read again and merge again
            current = await self.get(shard_name, cluster_name)
            if current is None:
                raise errors.not_found("logicalclusters", "cluster", group="core.kcp.io")
            current["status"] = {**(current.get("status") or {}), **status}
            answer = await self.http.call(shard_name, "PUT", url, current)
            if answer.status == 200:
                return
            if answer.status != 409:
                raise _failure(answer)

    async def delete(self, shard_name: str, cluster_name: str) -> bool:
        answer = await self.http.call(shard_name, "DELETE", await self._url(shard_name, cluster_name, "/cluster"))
        if answer.status not in (200, 202) and not _absent(answer):
            raise _failure(answer)
        return await self.get(shard_name, cluster_name) is None

    def available(self, shard_name: str) -> bool:
        return self.http.available(shard_name)

    def on_this_shard(self, shard_name: str) -> LocalClusters | None:
        return None


@dataclass
class RoutingClusterWriter:
    """LocalClusters for this shard's own name (or none: workspaces scheduled before shards had names),
    the remote writer for every other shard."""

    shard_name: str
    local: ClusterWriter
    remote: ClusterWriter

    def _pick(self, shard_name: str) -> ClusterWriter:
        return self.local if shard_name in ("", self.shard_name) else self.remote

    async def ensure(self, shard_name: str, cluster_name: str, logical_cluster: Object) -> Object:
        return await self._pick(shard_name).ensure(shard_name, cluster_name, logical_cluster)

    async def get(self, shard_name: str, cluster_name: str) -> Object | None:
        return await self._pick(shard_name).get(shard_name, cluster_name)

    async def update_status(self, shard_name: str, cluster_name: str, status: Object) -> None:
        await self._pick(shard_name).update_status(shard_name, cluster_name, status)

    async def delete(self, shard_name: str, cluster_name: str) -> bool:
        return await self._pick(shard_name).delete(shard_name, cluster_name)

    def available(self, shard_name: str) -> bool:
        return self._pick(shard_name).available(shard_name)

    def on_this_shard(self, shard_name: str) -> LocalClusters | None:
        return self._pick(shard_name).on_this_shard(shard_name)


def _absent(answer: Response) -> bool:
    return answer.status == 404 or (answer.status == 403 and answer.body.get("message") == WORKSPACE_DENIED)


def _failure(answer: Response) -> errors.StatusError:
    message = str(answer.body.get("message") or f"HTTP {answer.status}")
    return errors.StatusError(answer.status, str(answer.body.get("reason") or "InternalError"), message)
