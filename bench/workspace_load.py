"""The HTTPS side of the workspace benchmark: create and delete Workspaces under a small tree, and know
when each one is Ready or gone by watching every parent's `workspaces` collection (one watch per
parent, resumed from its last resourceVersion, relisted after a 410), never by polling.

Each load worker is a closed loop: it registers interest in a name, sends the POST (or DELETE), and
waits for the watch to report the workspace Ready (or deleted) before taking the next one, so the
latency of one operation is its time to Ready (or to gone) with `concurrency` operations in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

from apimachinery.pki import ssl_client_context
from bench.loadgen import Result, run
from bench.process import Server

API = "apis/tenancy.kcp.io/v1alpha1/workspaces"
WATCH_SECONDS = 3600
OPERATION_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class Tree:
    """`parents` workspaces under root, `count` leaves spread evenly over them."""

    parents: int
    count: int
    type_name: str = "universal"

    def parent_name(self, index: int) -> str:
        return f"bench-p{index}"

    def leaf(self, index: int) -> tuple[str, str]:
        """(parent path, leaf name) of leaf `index`."""
        return f"root:{self.parent_name(index % self.parents)}", f"ws-{index}"


@dataclass
class PhaseTracker:
    """What the watch of one parent has seen: futures for names expected Ready, and for names expected gone."""

    ready: dict[str, asyncio.Future[None]] = field(default_factory=dict)
    gone: dict[str, asyncio.Future[None]] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)

    def expect_ready(self, name: str) -> asyncio.Future[None]:
        return self.ready.setdefault(name, asyncio.get_running_loop().create_future())

    def expect_gone(self, name: str) -> asyncio.Future[None]:
        future = self.gone.setdefault(name, asyncio.get_running_loop().create_future())
        if name not in self.present:
            _resolve(future)
        return future

    def observe(self, event_type: str, workspace: dict[str, Any]) -> None:
        name = workspace["metadata"]["name"]
        if event_type == "DELETED":
            self.present.discard(name)
            _resolve(self.gone.get(name))
            return
        self.present.add(name)
        if (workspace.get("status") or {}).get("phase") == "Ready":
            _resolve(self.ready.get(name))

    def relisted(self, items: list[dict[str, Any]]) -> None:
        self.present = set()
        for item in items:
            self.observe("ADDED", item)
        for name, future in self.gone.items():
            if name not in self.present:
                _resolve(future)


def _resolve(future: asyncio.Future[None] | None) -> None:
    if future is not None and not future.done():
        future.set_result(None)


class WorkspaceClient:
    """One HTTPS session (pooled connections) to the shard, with a watch per parent."""

    def __init__(self, server: Server, session: aiohttp.ClientSession) -> None:
        self.server = server
        self.session = session
        self.trackers: dict[str, PhaseTracker] = {}
        self._watches: list[asyncio.Task[None]] = []

    def url(self, path: str) -> str:
        return f"{self.server.base_url}/clusters/{path}/{API}"

    async def create(self, parent_path: str, name: str, type_name: str) -> None:
        body = {
            "apiVersion": "tenancy.kcp.io/v1alpha1",
            "kind": "Workspace",
            "metadata": {"name": name},
            "spec": {"type": {"name": type_name, "path": "root"}},
        }
        await _ok(self.session.post(self.url(parent_path), data=orjson.dumps(body)))

    async def delete(self, parent_path: str, name: str) -> None:
        await _ok(self.session.delete(f"{self.url(parent_path)}/{name}"))

    async def create_ready(self, parent_path: str, name: str, type_name: str) -> None:
        ready = self.trackers[parent_path].expect_ready(name)
        await self.create(parent_path, name, type_name)
        await asyncio.wait_for(asyncio.shield(ready), OPERATION_TIMEOUT_SECONDS)

    async def delete_gone(self, parent_path: str, name: str) -> None:
        await self.delete(parent_path, name)
        gone = self.trackers[parent_path].expect_gone(name)
        await asyncio.wait_for(asyncio.shield(gone), OPERATION_TIMEOUT_SECONDS)

    async def watch(self, parent_path: str) -> None:
        """Start following the workspaces of `parent_path`; returns once the first list is in."""
        tracker = self.trackers.setdefault(parent_path, PhaseTracker())
        revision = await self._relist(parent_path, tracker)
        self._watches.append(asyncio.create_task(self._follow(parent_path, tracker, revision)))

    async def close(self) -> None:
        for task in self._watches:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _relist(self, parent_path: str, tracker: PhaseTracker) -> str:
        async with self.session.get(self.url(parent_path)) as response:
            listed = orjson.loads(await response.read())
            if response.status != 200:
                raise RuntimeError(f"list {parent_path}: {response.status} {listed}")
        tracker.relisted(listed.get("items") or [])
        return str(listed["metadata"]["resourceVersion"])

    async def _follow(self, parent_path: str, tracker: PhaseTracker, revision: str) -> None:
        while True:
            try:
                async for event in self._events(parent_path, revision):
                    if event["type"] == "ERROR":
                        revision = await self._relist(parent_path, tracker)
                        break
                    revision = event["object"]["metadata"].get("resourceVersion", revision)
                    if event["type"] != "BOOKMARK":
                        tracker.observe(event["type"], event["object"])
            except (TimeoutError, aiohttp.ClientError):
                await asyncio.sleep(0.5)
                revision = await self._relist(parent_path, tracker)

    async def _events(self, parent_path: str, revision: str) -> AsyncIterator[dict[str, Any]]:
        params = {
            "watch": "true",
            "resourceVersion": revision,
            "allowWatchBookmarks": "true",
            "timeoutSeconds": str(WATCH_SECONDS),
        }
        async with self.session.get(self.url(parent_path), params=params, timeout=None) as response:
            if response.status == 410:
                yield {"type": "ERROR", "object": {}}
                return
            async for line in response.content:
                if line.strip():
                    yield orjson.loads(line)


@contextlib.asynccontextmanager
async def workspace_client(server: Server) -> AsyncIterator[WorkspaceClient]:
    connector = aiohttp.TCPConnector(ssl=ssl_client_context(server.ca_file), limit=0)
    headers = {"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"}
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=30)
    async with aiohttp.ClientSession(connector=connector, headers=headers, timeout=timeout) as session:
        client = WorkspaceClient(server, session)
        try:
            yield client
        finally:
            await client.close()


async def create_parents(client: WorkspaceClient, tree: Tree) -> None:
    """The parents, created and Ready, each followed by its own watch (not measured)."""
    await client.watch("root")
    await asyncio.gather(
        *(client.create_ready("root", tree.parent_name(index), tree.type_name) for index in range(tree.parents))
    )
    for index in range(tree.parents):
        await client.watch(f"root:{tree.parent_name(index)}")


async def create_leaves(client: WorkspaceClient, tree: Tree, *, concurrency: int) -> Result:
    async def one(index: int) -> None:
        await client.create_ready(*tree.leaf(index), tree.type_name)

    return await run("create workspace (POST → Ready)", one, count=tree.count, concurrency=concurrency)


async def delete_leaves(client: WorkspaceClient, tree: Tree, *, concurrency: int) -> Result:
    async def one(index: int) -> None:
        await client.delete_gone(*tree.leaf(index))

    return await run("delete workspace (DELETE → gone)", one, count=tree.count, concurrency=concurrency)


async def delete_parents(client: WorkspaceClient, tree: Tree) -> None:
    await asyncio.gather(*(client.delete_gone("root", tree.parent_name(index)) for index in range(tree.parents)))


def ready_count(client: WorkspaceClient) -> int:
    """Leaves Ready so far, for the memory sampler."""
    return sum(
        sum(1 for future in tracker.ready.values() if future.done())
        for path, tracker in client.trackers.items()
        if path != "root"
    )


async def _ok(request: Any) -> None:
    async with request as response:
        body = await response.read()
        if response.status >= 300:
            raise RuntimeError(f"{response.status}: {body[:300]!r}")
