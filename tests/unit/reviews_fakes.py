"""Fakes and in-memory requests for the review endpoint tests (no sockets)."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from unittest import mock

from aiohttp import web
from aiohttp.streams import StreamReader
from aiohttp.test_utils import make_mocked_request

from apimachinery import errors
from shard.auth.authz import Attributes, Decision
from shard.endpoints.requestinfo import ResourcePath, parse
from shard.endpoints.reviews import Reviews
from shard.registry.context import UserInfo

AUTHZ = "/apis/authorization.k8s.io/v1"
AUTHN = "/apis/authentication.k8s.io/v1"
JANE = UserInfo("jane", ("devs", "system:authenticated"), "uid-jane", {"scopes": ("a",)})
SSAR = {
    "apiVersion": "authorization.k8s.io/v1",
    "kind": "SelfSubjectAccessReview",
    "spec": {"resourceAttributes": {"verb": "create", "resource": "configmaps", "namespace": "default"}},
}
RULES = [{"verbs": ["get"], "apiGroups": [""], "resources": ["configmaps"]}]


class Fakes:
    """A fake authorizer (allows `allow`, records what it was asked) and a fake rules resolver."""

    def __init__(self, allow: bool = False) -> None:
        self.allow = allow
        self.asked: list[Attributes] = []
        self.rules_asked: list[tuple[UserInfo, str, str]] = []

    async def authorize(self, attributes: Attributes) -> Decision:
        self.asked.append(attributes)
        return Decision(self.allow, "fake says so" if self.allow else "")

    def rules_for(self, user: UserInfo, cluster: str, namespace: str) -> list[dict[str, Any]]:
        self.rules_asked.append((user, cluster, namespace))
        return RULES

    def reviews(self) -> Reviews:
        return Reviews(authorize=self.authorize, rules_for=self.rules_for, now=lambda: "2026-01-02T03:04:05Z")


def in_memory_request(method: str, path: str, body: bytes, headers: dict[str, str]) -> web.Request:
    payload = StreamReader(mock.Mock(_reading_paused=False), 2**16, loop=asyncio.get_running_loop())
    payload.feed_data(body)
    payload.feed_eof()
    return make_mocked_request(method, path, headers=headers, payload=payload)


async def serve(
    fakes: Fakes,
    path: str,
    body: Any = None,
    *,
    method: str = "POST",
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, web.StreamResponse | None]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
    request = in_memory_request(method, path, raw, {"Content-Type": "application/json", **(headers or {})})
    parsed = parse(path.split("?")[0])
    assert isinstance(parsed, ResourcePath)
    try:
        response = await fakes.reviews().serve(request, cluster="c1", path=parsed, user=JANE)
    except errors.StatusError as err:
        return err.code, err.to_status(), None
    assert isinstance(response, web.Response) and response.body is not None
    assert isinstance(response.body, bytes)
    return response.status, json.loads(response.body), response
