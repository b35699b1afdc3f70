"""Authorization questions about a logical cluster this shard does not hold, answered by the shard that does.

kcp asks such questions with a "deep" SubjectAccessReview over its global client. Here the front-proxy is
the global client: it knows where every workspace lives, so a SubjectAccessReview POSTed to
`<external URL>/clusters/<workspace path>/…/subjectaccessreviews` with this shard's client certificate
(system:masters) reaches the shard holding that workspace and is answered by its full authorizer chain.
Used where a decision depends on another workspace's RBAC: the `initialize` verb on a WorkspaceType.
"""

from __future__ import annotations

from dataclasses import dataclass

from shard.auth.authz import Attributes
from shard.topology.https import ShardCallFailed, ShardHttp, ShardUnreachable
from shard.topology.remote_root import review_spec

FRONT_PROXY = "front-proxy"  # the circuit breaker's name for calls through the front-proxy
REVIEWS = "apis/authorization.k8s.io/v1/subjectaccessreviews"


@dataclass(frozen=True)
class GlobalReviews:
    http: ShardHttp
    external_url: str

    async def allows(self, workspace_path: str, attributes: Attributes) -> bool:
        """Whether `attributes` (its cluster ignored) are allowed in the workspace at `workspace_path`;
        False when nobody can tell (the workspace's shard or the front-proxy is unreachable)."""
        review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview"}
        review["spec"] = review_spec(attributes)  # type: ignore[assignment]
        url = f"{self.external_url}/clusters/{workspace_path}/{REVIEWS}"
        try:
            response = await self.http.call(FRONT_PROXY, "POST", url, review)
        except (ShardUnreachable, ShardCallFailed):
            return False
        return response.status == 201 and bool((response.body.get("status") or {}).get("allowed"))
