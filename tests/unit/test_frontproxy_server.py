"""The front-proxy's handler as aiohttp's low-level server runs it: the metrics page only for GET (and
behind authentication), every other request forwarded, `Expect` answered as an aiohttp application does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import RawTestServer, TestClient

from apimachinery import pki
from apimachinery.auth.user import UserInfo
from apimachinery.index.sharded import ShardedIndex
from frontproxy.authentication import build_authenticator
from frontproxy.lookup import Route
from frontproxy.metrics import ProxyMetrics
from frontproxy.options import FrontProxyConfig, FrontProxyOptions
from frontproxy.routes import ProxyRoutes
from frontproxy.server import build_handler

ROOT = "https://root:1"


class Resolver:
    async def resolve(self, workspace_path: str) -> Route:
        return Route(ROOT, workspace_path)


class Forwarder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, bytes]] = []

    async def forward(self, request: web.BaseRequest, target_url: str, user: UserInfo | None) -> web.StreamResponse:
        self.sent.append((request.method, target_url, await request.read()))
        return web.Response(text="forwarded")


class Accounts:
    async def __call__(self, cluster: str, namespace: str, name: str) -> str | None:
        return None


@pytest.fixture
async def proxy(tmp_path: Path) -> AsyncIterator[tuple[TestClient[web.BaseRequest, None], Forwarder, str]]:
    paths = pki.ensure_pki(tmp_path / "pki", serving_hosts=[])
    config = FrontProxyConfig.load(FrontProxyOptions(paths.directory, ROOT))
    forwarder, metrics = Forwarder(), ProxyMetrics()
    routes = ProxyRoutes(Resolver(), forwarder, ShardedIndex(), metrics, ROOT)
    authenticator = build_authenticator(config, service_account_uid=Accounts())
    server = RawTestServer(build_handler(routes=routes, authenticator=authenticator, metrics=metrics))
    async with TestClient(server) as client:  # type: ignore[var-annotated]
        yield client, forwarder, pki.read_token(paths.admin_token)


async def test_the_metrics_page_is_get_only_and_authenticated(
    proxy: tuple[TestClient[web.BaseRequest, None], Forwarder, str],
) -> None:
    client, forwarder, token = proxy
    admin = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/metrics")).status == 401
    page = await client.get("/metrics", headers=admin)
    assert page.status == 200 and "kplane_front_proxy_requests" in await page.text()
    assert (await client.post("/metrics", headers=admin, data=b"x")).status == 200
    assert forwarder.sent == [("POST", f"{ROOT}/metrics", b"x")]


async def _raw(port: int, request: bytes, reads: int) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    answer = b""
    for _ in range(reads):
        answer += await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        if b"100 Continue" in answer and not answer.endswith(b"x"):
            writer.write(b"x")
    writer.close()
    return answer


async def test_expect_100_continue_is_answered_before_the_body(
    proxy: tuple[TestClient[web.BaseRequest, None], Forwarder, str],
) -> None:
    client, forwarder, token = proxy
    port = client.server.port
    assert port is not None
    head = f"POST /clusters/root/api HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Length: 1\r\n"
    answer = await _raw(port, (head + "Expect: 100-continue\r\n\r\n").encode(), 2)
    assert answer.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK")
    assert forwarder.sent == [("POST", f"{ROOT}/clusters/root/api", b"x")]
    refused = await _raw(port, (head + "Expect: other\r\n\r\nx").encode(), 1)
    assert refused.startswith(b"HTTP/1.1 417")


def test_per_request_metrics_stay_bounded_whatever_the_methods() -> None:
    metrics = ProxyMetrics()
    for index in range(50):
        metrics.count(f"X{index}", 200)
        metrics.headers_after(f"X{index}", 0.01)
    metrics.count("GET", 200)
    assert len(metrics.children) == 3
    assert (
        metrics.registry.get_sample_value("kplane_front_proxy_requests_total", {"method": "other", "code": "200"}) == 50
    )
