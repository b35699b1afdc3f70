"""Which request goes where through the front-proxy, and how refusals look on the wire (403 Status,
kcp's plain-text 503)."""

from __future__ import annotations

import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from apimachinery import errors
from apimachinery.auth.user import UserInfo
from apimachinery.index.sharded import ShardedIndex
from frontproxy.authentication import USER_KEY
from frontproxy.lookup import NotAvailable, Route, WorkspaceDenied
from frontproxy.metrics import ProxyMetrics
from frontproxy.routes import ProxyRoutes, has_dot_segment
from frontproxy.server import errors_to_responses

ROOT = "https://root:1"
S1 = "https://s1:2"
WS = "/apis/tenancy.kcp.io/v1alpha1/workspaces"
JANE = UserInfo("jane")


class Resolver:
    routes = {"root": Route(ROOT, "root"), "root:org": Route(S1, "orgc"), "orgc": Route(S1, "orgc")}

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def resolve(self, workspace_path: str) -> Route:
        self.asked.append(workspace_path)
        if workspace_path == "root:down":
            raise NotAvailable(workspace_path)
        if workspace_path not in self.routes:
            raise WorkspaceDenied(workspace_path)
        return self.routes[workspace_path]


class Forwarder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, UserInfo | None]] = []

    async def forward(self, request: web.Request, target_url: str, user: UserInfo | None) -> web.StreamResponse:
        self.sent.append((target_url, user))
        return web.Response(text="forwarded")


def _routes() -> tuple[ProxyRoutes, Resolver, Forwarder]:
    resolver, forwarder = Resolver(), Forwarder()
    return ProxyRoutes(resolver, forwarder, ShardedIndex(), ProxyMetrics(), ROOT), resolver, forwarder


async def _target(path: str) -> str:
    routes, _, forwarder = _routes()
    request = make_mocked_request("GET", path)
    request[USER_KEY] = JANE
    await routes.handle(request)
    assert forwarder.sent[0][1] == JANE
    return forwarder.sent[0][0]


@pytest.mark.parametrize(
    ("path", "target"),
    [
        (
            "/clusters/root:org/api/v1/namespaces/a/configmaps?watch=true&x=a%2Fb",
            "https://s1:2/clusters/orgc/api/v1/namespaces/a/configmaps?watch=true&x=a%2Fb",
        ),
        ("/clusters/root%3Aorg/apis", "https://s1:2/clusters/orgc/apis"),
        ("/clusters/root", f"{ROOT}/clusters/root"),
        (f"/clusters/root{WS}/~", f"{ROOT}/clusters/root{WS}/~"),
        (
            "/services/initializingworkspaces/root:x/clusters/root:org/apis/core.kcp.io/v1alpha1/logicalclusters",
            "https://s1:2/services/initializingworkspaces/root:x/clusters/orgc/apis/core.kcp.io/v1alpha1/logicalclusters",
        ),
        (
            "/services/apiexport/c/e/clusters/*/apis/g/v1/r?watch=1",
            f"{ROOT}/services/apiexport/c/e/clusters/*/apis/g/v1/r?watch=1",
        ),
        ("/services/other/x", f"{ROOT}/services/other/x"),
        ("/version", f"{ROOT}/version"),
        ("/openapi/v2?timeout=32s", f"{ROOT}/openapi/v2?timeout=32s"),
    ],
)
async def test_requests_go_to_the_shard_of_their_logical_cluster(path: str, target: str) -> None:
    assert await _target(path) == target


async def test_health_is_answered_by_the_proxy_itself() -> None:
    routes, resolver, forwarder = _routes()
    response = await routes.handle(make_mocked_request("GET", "/readyz"))
    assert isinstance(response, web.Response) and response.text == "ok"
    assert not forwarder.sent and not resolver.asked


@pytest.mark.parametrize("path", ["/clusters/root/../orgc/api", "/clusters/root/%2e%2e/x", "/clusters/./x", "/a/."])
async def test_dot_segments_are_refused(path: str) -> None:
    assert has_dot_segment(path)
    routes, _, forwarder = _routes()
    with pytest.raises(errors.StatusError) as raised:
        await routes.handle(make_mocked_request("GET", path))
    assert raised.value.code == 400 and not forwarder.sent


@pytest.mark.parametrize("path", ["/apis/tenancy.kcp.io/v1", "/a/.hidden/%2e%2ex", "/a/%2Fb", "/a/b.", ".x/y"])
def test_dots_inside_segments_are_not_dot_segments(path: str) -> None:
    assert not has_dot_segment(path)


async def _answer(path: str) -> web.Response:
    routes, _, _ = _routes()
    response = await errors_to_responses(make_mocked_request("GET", path), routes.handle)
    assert isinstance(response, web.Response)
    return response


@pytest.mark.parametrize(
    "path", ["/clusters/root:nope/api", "/clusters/*/api/v1/configmaps", "/services/x/clusters/nope/a"]
)
async def test_paths_that_lead_nowhere_are_the_shards_forbidden_status(path: str) -> None:
    response = await _answer(path)
    assert response.status == 403 and response.content_type == "application/json"
    assert response.body is not None and orjson.loads(bytes(response.body)) == {  # type: ignore[arg-type]
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "workspace access not permitted",
        "reason": "Forbidden",
        "code": 403,
    }


async def test_an_unavailable_workspace_is_kcps_plain_text_503() -> None:
    response = await _answer("/clusters/root:down/api")
    assert response.status == 503 and response.text == "Not available.\n"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
