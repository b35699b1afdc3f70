"""The measured operations: raw etcd put/get/range and kplane create/get/list/watch over HTTPS."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import orjson

from apimachinery.pki import ssl_client_context
from bench.loadgen import Result, run
from bench.process import Server
from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.keys import prefix_range_end

# Wraps each measured figure ("create", "get", "get_rbac", "list", "watch"), e.g. to read CPU use around it.
Measure = Callable[[str], contextlib.AbstractAsyncContextManager[object]]

LIST_SIZE = 1000
LIST_ROUNDS = 50
VALUE = orjson.dumps(
    {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"name": "x", "namespace": "bench"},
        "data": {"key": "v" * 200},
    }
)


async def raw_etcd(etcd: EtcdClient, *, count: int, concurrency: int) -> dict[str, Result]:
    async def put(index: int) -> None:
        await etcd.put(f"/raw/put/{index}".encode(), VALUE)

    async def get(index: int) -> None:
        await etcd.range(b"/raw/put/0")

    prefix = b"/raw/list/"
    await asyncio.gather(*(etcd.put(prefix + str(i).encode(), VALUE) for i in range(LIST_SIZE)))

    async def list_(index: int) -> None:
        await etcd.range(prefix, range_end=prefix_range_end(prefix))

    return {
        "put": await run("etcd put", put, count=count, concurrency=concurrency),
        "get": await run("etcd range (1 key)", get, count=count, concurrency=concurrency),
        "list": await run(f"etcd range ({LIST_SIZE} keys)", list_, count=LIST_ROUNDS, concurrency=4),
    }


def _configmap(name: str, namespace: str, **data: str) -> bytes:
    return orjson.dumps(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"key": "v" * 200, **data}}
    )


def _unmeasured(figure: str) -> contextlib.AbstractAsyncContextManager[object]:
    return contextlib.nullcontext()


async def through_https(
    server: Server,
    *,
    count: int,
    concurrency: int,
    watchers: int,
    cluster: str = "root",
    measure: Measure = _unmeasured,
) -> dict[str, Result]:
    """create/get/list/watch of ConfigMaps in `cluster` (a path or a logical cluster name), each figure
    inside `measure(<figure>)`."""
    connector = aiohttp.TCPConnector(ssl=ssl_client_context(server.ca_file), limit=0)
    headers = {"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"}
    async with aiohttp.ClientSession(connector=connector, headers=headers) as session:
        base = f"{server.base_url}/clusters/{cluster}/api/v1"
        await _ok(session.post(f"{base}/namespaces", data=orjson.dumps({"metadata": {"name": "bench"}})))
        await _ok(session.post(f"{base}/namespaces", data=orjson.dumps({"metadata": {"name": "bench-list"}})))
        collection = f"{base}/namespaces/bench/configmaps"

        async def create(index: int) -> None:
            await _ok(session.post(collection, data=_configmap(f"c{index}", "bench")))

        async def get(index: int) -> None:
            await _ok(session.get(f"{collection}/c0"))

        results: dict[str, Result] = {}
        async with measure("create"):
            results["create"] = await run("create configmap", create, count=count, concurrency=concurrency)
        async with measure("get"):
            results["get"] = await run("get configmap", get, count=count, concurrency=concurrency)
        if server.tenant_token:
            async with measure("get_rbac"):
                results["get_rbac"] = await _tenant_gets(
                    session, server, cluster, f"{collection}/c0", count, concurrency
                )
        listed = f"{base}/namespaces/bench-list/configmaps"
        await run(
            "fill",
            lambda i: _ok(session.post(listed, data=_configmap(f"l{i}", "bench-list"))),
            count=LIST_SIZE,
            concurrency=concurrency,
        )

        async def list_(index: int) -> None:
            await _ok(session.get(listed))

        async with measure("list"):
            results["list"] = await run(f"list {LIST_SIZE} configmaps", list_, count=LIST_ROUNDS, concurrency=4)
        async with measure("watch"):
            results["watch"] = await _watch_latency(session, base, watchers)
    return results


async def _tenant_gets(
    session: aiohttp.ClientSession, server: Server, cluster: str, url: str, count: int, concurrency: int
) -> Result:
    """The same get as a non-admin user whom a RoleBinding to `view` allows: the RBAC chain evaluated."""
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": "tenant-views"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "tenant"}],
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
    }
    bindings = f"{server.base_url}/clusters/{cluster}/apis/rbac.authorization.k8s.io/v1/namespaces/bench/rolebindings"
    await _ok(session.post(bindings, data=orjson.dumps(binding)))
    tenant = {"Authorization": f"Bearer {server.tenant_token}"}

    async def get(index: int) -> None:
        await _ok(session.get(url, headers=tenant))

    return await run("get configmap as an RBAC-checked user", get, count=count, concurrency=concurrency)


async def _ok(request: Any) -> None:
    async with request as response:
        body = await response.read()
        if response.status >= 300:
            raise RuntimeError(f"{response.status}: {body[:300]!r}")


async def _watch_latency(session: aiohttp.ClientSession, base: str, watchers: int, writes: int = 50) -> Result:
    """Open `watchers` watches on one namespace, write `writes` objects carrying their send time, and
    measure the delay until each watcher has the event."""
    await _ok(session.post(f"{base}/namespaces", data=orjson.dumps({"metadata": {"name": "bench-watch"}})))
    collection = f"{base}/namespaces/bench-watch/configmaps"
    latencies: list[float] = []
    ready = asyncio.Semaphore(0)

    async def watcher() -> None:
        async with session.get(
            collection, params={"watch": "true", "resourceVersion": "0", "timeoutSeconds": "120"}
        ) as response:
            ready.release()
            seen = 0
            async for line in response.content:
                event = orjson.loads(line)
                if "sent" not in (event["object"].get("data") or {}):
                    continue
                sent = float(event["object"]["data"]["sent"])
                latencies.append(time.time() - sent)
                seen += 1
                if seen == writes:
                    return

    tasks = [asyncio.create_task(watcher()) for _ in range(watchers)]
    for _ in range(watchers):
        await ready.acquire()
    await asyncio.sleep(0.5)
    started = time.perf_counter()
    for index in range(writes):
        await _ok(session.post(collection, data=_configmap(f"w{index}", "bench-watch", sent=repr(time.time()))))
        await asyncio.sleep(0.02)
    await asyncio.wait_for(asyncio.gather(*tasks), 120)
    return Result(f"watch delivery ({watchers} watchers)", len(latencies), time.perf_counter() - started, latencies)
