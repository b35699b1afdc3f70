"""RootShard: the local implementation over this shard's storage and authorizer, and the HTTPS one over a
fake transport (registration, Shard list, root's WorkspaceTypes, SubjectAccessReviews)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from apimachinery import errors
from apimachinery.apis.catalog import builtin_catalog
from apimachinery.apis.core_kcp_io import SHARDS
from apimachinery.pki import PkiPaths
from shard.auth.authz import Attributes, Decision
from shard.config import ShardOptions
from shard.registry.bootstrap import bootstrap_root
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.registry import Registry
from shard.registry.shardobjects import ShardRegistration
from shard.topology.https import ConnectFailed, Response, ShardHttp
from shard.topology.remote_root import HttpsRootShard
from shard.topology.resilience import Backoff
from shard.topology.root import LocalRootShard
from shard.topology.wiring import registration
from tests.unit.memory_storage import MemoryStorage

Object = dict[str, Any]
ADMIN = UserInfo("admin", ("system:masters",))
JANE = UserInfo("jane", ("system:authenticated",), "u-1", {"scopes": ("a", "b")})


async def local_root(decisions: list[Attributes] | None = None) -> LocalRootShard:
    registry = Registry(builtin_catalog(), MemoryStorage())
    await bootstrap_root(registry, user=ADMIN)

    async def authorize(attributes: Attributes) -> Decision:
        if decisions is not None:
            decisions.append(attributes)
        return Decision(attributes.user.name == "jane" and attributes.name == "universal")

    return LocalRootShard(registry, authorize, ADMIN)


async def test_local_root_registers_and_lists_shards() -> None:
    root = await local_root()
    assert root.is_local
    await root.register_shard(ShardRegistration("root", "https://10.0.0.1:6443", "https://proxy:443"))
    await root.register_shard(ShardRegistration("shard-1", "https://10.0.0.2:6443"))
    await root.register_shard(ShardRegistration("shard-1", "https://10.0.0.3:6443"))  # moved: brought up to date
    shards = {s["metadata"]["name"]: s for s in await root.shards()}
    assert set(shards) == {"root", "shard-1"}
    assert shards["root"]["spec"] == {
        "baseURL": "https://10.0.0.1:6443",
        "externalURL": "https://proxy:443",
        "virtualWorkspaceURL": "https://10.0.0.1:6443",
    }
    assert shards["shard-1"]["spec"]["baseURL"] == "https://10.0.0.3:6443"
    assert shards["shard-1"]["metadata"]["labels"] == {"name": "shard-1"}
    assert shards["shard-1"]["status"]["capacity"] == {"workspaces": "10000"}


async def test_local_root_keeps_a_capacity_set_by_an_admin() -> None:
    root = await local_root()
    await root.register_shard(ShardRegistration("shard-1", "https://a"))
    store = root.registry.store_of(SHARDS)

    async def grow(current: Object) -> Object:
        current["status"]["capacity"]["workspaces"] = "3"
        return current

    await store.update(RequestContext("root", ADMIN), "shard-1", grow, WriteOptions(), subresource="status")
    await root.register_shard(ShardRegistration("shard-1", "https://a"))
    [shard] = await root.shards()
    assert shard["status"]["capacity"]["workspaces"] == "3"


async def test_local_root_reads_types_and_asks_its_authorizer() -> None:
    asked: list[Attributes] = []
    root = await local_root(asked)
    universal = await root.workspace_type("root", "universal")
    assert universal is not None and universal["metadata"]["name"] == "universal"
    assert await root.workspace_type("root", "nope") is None
    assert await root.workspace_type("root:missing", "universal") is None
    assert await root.may_use(JANE, "universal")
    assert not await root.may_use(JANE, "organization")
    assert (asked[0].verb, asked[0].cluster, asked[0].resource, asked[0].api_group) == (
        "use",
        "root",
        "workspacetypes",
        "tenancy.kcp.io",
    )


def test_registration_uses_the_external_url_when_given(tmp_path: Any) -> None:
    options = ShardOptions(
        root_dir=tmp_path, pki=PkiPaths.in_directory(tmp_path), port=7001, name="s", external_url="https://proxy:8443/"
    )
    assert registration(options) == ShardRegistration(
        "s", "https://127.0.0.1:7001", "https://proxy:8443", "https://127.0.0.1:7001"
    )


@dataclass
class Root:
    """A fake root shard answering by (method, path)."""

    answers: dict[tuple[str, str], list[Response]]
    sent: list[tuple[str, str, Object | None]] = field(default_factory=list)

    async def send(self, method: str, url: str, body: Object | None) -> Response:
        path = url.removeprefix("https://root:6443")
        self.sent.append((method, path, body))
        queue = self.answers.get((method, path))
        if not queue:
            raise ConnectFailed("no answer scripted")
        return queue.pop(0) if len(queue) > 1 else queue[0]

    async def close(self) -> None:
        return None


def https_root(answers: dict[tuple[str, str], list[Response]]) -> tuple[HttpsRootShard, Root]:
    fake = Root(answers)

    async def no_sleep(_: float) -> None:
        return None

    http = ShardHttp(fake, Backoff(attempts=2), sleep=no_sleep)
    return HttpsRootShard("https://root:6443/", http), fake


SHARDS_PATH = "/clusters/root/apis/core.kcp.io/v1alpha1/shards"


async def test_https_root_registers_by_merging_into_an_existing_shard() -> None:
    existing = {
        "metadata": {"name": "s1", "resourceVersion": "7", "labels": {"team": "x"}},
        "spec": {"baseURL": "https://old"},
        "status": {},
    }
    root, fake = https_root(
        {
            ("POST", SHARDS_PATH): [Response(409, {"reason": "AlreadyExists"})],
            ("GET", f"{SHARDS_PATH}/s1"): [Response(200, existing)],
            ("PUT", f"{SHARDS_PATH}/s1"): [Response(200, {})],
            ("PUT", f"{SHARDS_PATH}/s1/status"): [Response(200, {})],
        }
    )
    await root.register_shard(ShardRegistration("s1", "https://new", "https://proxy"))
    put = next(body for method, path, body in fake.sent if (method, path) == ("PUT", f"{SHARDS_PATH}/s1"))
    assert put is not None
    assert put["spec"] == {
        "baseURL": "https://new",
        "externalURL": "https://proxy",
        "virtualWorkspaceURL": "https://new",
    }
    assert put["metadata"]["labels"] == {"team": "x", "name": "s1"} and put["metadata"]["resourceVersion"] == "7"
    status_put = next(body for method, path, body in fake.sent if path.endswith("/status"))
    assert status_put is not None and status_put["status"]["capacity"] == {"workspaces": "10000"}


async def test_https_root_lists_shards_once_and_serves_the_cache() -> None:
    root, fake = https_root({("GET", SHARDS_PATH): [Response(200, {"items": [{"metadata": {"name": "root"}}]})]})
    assert not root.is_local
    assert [s["metadata"]["name"] for s in await root.shards()] == ["root"]
    await root.shards()
    assert len(fake.sent) == 1


async def test_https_root_types_only_for_root_and_missing_is_none() -> None:
    types = "/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspacetypes"
    root, fake = https_root(
        {
            ("GET", f"{types}/universal"): [Response(200, {"metadata": {"name": "universal"}})],
            ("GET", f"{types}/nope"): [Response(404, {"reason": "NotFound"})],
        }
    )
    assert (await root.workspace_type("root", "universal") or {})["metadata"]["name"] == "universal"
    assert await root.workspace_type("root", "universal") is not None  # cached: no second GET
    assert await root.workspace_type("root", "nope") is None
    assert await root.workspace_type("root:org", "universal") is None
    assert len(fake.sent) == 2


async def test_https_root_asks_root_with_a_subject_access_review() -> None:
    reviews = "/clusters/root/apis/authorization.k8s.io/v1/subjectaccessreviews"
    root, fake = https_root({("POST", reviews): [Response(201, {"status": {"allowed": True}})]})
    assert await root.may_use(JANE, "team")
    [(_, _, body)] = fake.sent
    assert body is not None and body["kind"] == "SubjectAccessReview"
    assert body["spec"] == {
        "user": "jane",
        "groups": ["system:authenticated"],
        "uid": "u-1",
        "extra": {"scopes": ["a", "b"]},
        "resourceAttributes": {"verb": "use", "group": "tenancy.kcp.io", "resource": "workspacetypes", "name": "team"},
    }


async def test_unreachable_root_is_service_unavailable() -> None:
    root, _ = https_root({})
    with pytest.raises(errors.StatusError) as caught:
        await root.shards()
    assert caught.value.code == 503 and "root shard cannot be reached" in caught.value.message
