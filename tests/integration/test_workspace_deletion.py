"""Deleting a workspace, seen from etcd itself (a live watch of the whole keyspace on the etcd this kplane
runs on): nothing of the workspace or its logical cluster is left, and the deletion of a leaf workspace on
this shard takes three etcd writes — the user's delete marks the Workspace, its LogicalCluster goes with
the whole content in one transaction, then the Workspace goes — never a deleting LogicalCluster."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType

from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.config import EtcdClientConfig
from shard.storage.etcd3.results import EVENT_DELETE
from tests.integration.harness import Kplane, Kubectl
from tests.integration.own_etcd import EtcdInThread
from tests.integration.test_workspaces import cluster_of, create_workspace, wait_ready

ALL_KEYS = b"\x00"  # with range_end "\0": every key
SETTLE_SECONDS = 10


@dataclass(frozen=True)
class Change:
    revision: int
    deleted: bool
    key: str


@dataclass
class EtcdRecorder:
    """Every change etcd makes while the block runs, from a watch on its own thread and event loop; on exit
    waits until the watch has reached the revision etcd is at."""

    endpoint: str
    changes: list[Change] = field(default_factory=list)
    _ready: threading.Event = field(default_factory=threading.Event)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> EtcdRecorder:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self._thread.start()
        assert self._ready.wait(30), "the etcd watch did not start"
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        self._stopping.set()
        assert self._thread is not None
        self._thread.join(SETTLE_SECONDS + 5)

    async def _run(self) -> None:
        async with EtcdClient(EtcdClientConfig(endpoint=self.endpoint)) as etcd_client:
            start = (await etcd_client.range(ALL_KEYS, range_end=ALL_KEYS, count_only=True)).revision
            watch = await etcd_client.watch(ALL_KEYS, range_end=ALL_KEYS, start_revision=start + 1)
            self._ready.set()
            await asyncio.to_thread(self._stopping.wait)
            end = (await etcd_client.range(ALL_KEYS, range_end=ALL_KEYS, count_only=True)).revision
            seen = start
            async with asyncio.timeout(SETTLE_SECONDS):
                async for batch in watch:
                    self.changes.extend(
                        Change(event.kv.mod_revision, event.type == EVENT_DELETE, event.kv.key.decode())
                        for event in batch.events
                    )
                    seen = max(seen, batch.revision)
                    if seen >= end:
                        break
            await watch.cancel()


def test_a_leaf_workspace_goes_in_three_etcd_writes_leaving_nothing(
    server: Kplane, ctl: Kubectl, etcd: EtcdInThread
) -> None:
    root = f"{server.base_url}/clusters/root"
    create_workspace(ctl, root, "leaf")
    wait_ready(ctl, root, "leaf")
    cluster = cluster_of(ctl, root, "leaf")
    ctl.ok("create", "cm", "data", "--from-literal=k=v", server=f"{root}:leaf")
    ctl.ok("create", "ns", "extra", server=f"{root}:leaf")
    workspace_key = "/registry/tenancy.kcp.io/workspaces/root/leaf"
    assert workspace_key in etcd.stored_keys()

    with EtcdRecorder(etcd.endpoint) as recorder:
        ctl.ok("delete", "workspace", "leaf", "--timeout=60s", server=root)
        time.sleep(4)  # past the last sweep (SWEEP_DELAY_SECONDS), which finds nothing left to delete

    assert [key for key in etcd.stored_keys() if f"/{cluster}/" in key or key == workspace_key] == []
    ours = [c for c in recorder.changes if f"/{cluster}/" in c.key or c.key == workspace_key]
    revisions = sorted({c.revision for c in ours})
    assert len(revisions) == 3, ours
    first, second, third = ([c for c in ours if c.revision == r] for r in revisions)
    assert first == [Change(revisions[0], False, workspace_key)]  # deletionTimestamp on the Workspace
    assert all(c.deleted for c in second) and f"/registry/core.kcp.io/logicalclusters/{cluster}/cluster" in {
        c.key for c in second
    }
    assert {f"/registry/core/configmaps/{cluster}/default/data", f"/registry/core/namespaces/{cluster}/extra"} <= {
        c.key for c in second
    }
    assert third == [Change(revisions[2], True, workspace_key)]
    assert ctl.run("get", "cm", server=f"{root}:leaf").returncode == 1
    assert ctl.run("get", "workspace", "leaf", server=root).returncode == 1
