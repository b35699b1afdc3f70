"""Deep SubjectAccessReviews through the front-proxy, for workspaces another shard holds."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest

from shard.auth.authz import Attributes
from shard.registry.context import UserInfo
from shard.topology.global_reviews import GlobalReviews
from shard.topology.https import ConnectFailed, Response, ShardHttp
from shard.topology.resilience import Backoff

ALICE = UserInfo("alice", ("tenants", "system:authenticated"))
INITIALIZE = Attributes(ALICE, "initialize", "ignored", "tenancy.kcp.io", "workspacetypes", name="gated")


@dataclass
class FakeTransport:
    answer: Response | None
    sent: list[tuple[str, str, Any]] = field(default_factory=list)

    async def send(self, method: str, url: str, body: Any) -> Response:
        self.sent.append((method, url, body))
        if self.answer is None:
            raise ConnectFailed("connection refused")
        return self.answer

    async def close(self) -> None:
        return None


async def _no_sleep(_: float) -> None:
    return None


def _ask(answer: Response | None) -> tuple[bool, FakeTransport]:
    transport = FakeTransport(answer)
    http = ShardHttp(transport, backoff=Backoff(attempts=1), sleep=_no_sleep)
    reviews = GlobalReviews(http, "https://proxy:6443")
    return asyncio.run(reviews.allows("root:a", INITIALIZE)), transport


def test_the_review_goes_to_the_workspace_path_through_the_front_proxy() -> None:
    allowed, transport = _ask(Response(201, {"status": {"allowed": True}}))
    assert allowed
    method, url, body = transport.sent[0]
    assert (method, url) == (
        "POST",
        "https://proxy:6443/clusters/root:a/apis/authorization.k8s.io/v1/subjectaccessreviews",
    )
    assert body["spec"]["user"] == "alice"
    assert body["spec"]["groups"] == ["tenants", "system:authenticated"]
    assert body["spec"]["resourceAttributes"] == {
        "verb": "initialize",
        "group": "tenancy.kcp.io",
        "resource": "workspacetypes",
        "name": "gated",
    }


@pytest.mark.parametrize(
    "answer",
    [
        Response(201, {"status": {"allowed": False}}),
        Response(403, {"reason": "Forbidden"}),
        None,  # the front-proxy or the shard cannot be reached
    ],
)
def test_anything_but_an_explicit_yes_is_no(answer: Response | None) -> None:
    assert _ask(answer)[0] is False
