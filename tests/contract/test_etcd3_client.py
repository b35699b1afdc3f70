"""The etcd client and Etcd3Storage details behind the contract: wire format, one watch stream,
compaction, progress, fragments, leases, TLS and connection failures. Real etcd, no mocks."""

from __future__ import annotations

import asyncio
import dataclasses
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest
import pytest_asyncio

from apimachinery import pki
from shard.storage.errors import UnavailableError
from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.config import EtcdClientConfig, TLSConfig
from shard.storage.etcd3.embedded import EmbeddedEtcd, EmbeddedEtcdConfig, EmbeddedTLS, free_loopback_port
from shard.storage.etcd3.keys import prefix_range_end
from shard.storage.etcd3.results import create_revision_is, get_op, mod_revision_is, put_op
from shard.storage.etcd3.rpc_errors import RevisionCompactedError
from shard.storage.etcd3.store import Etcd3Storage

pytestmark = pytest.mark.asyncio(loop_scope="session")
TIMEOUT = 10.0


def metric(etcd: EmbeddedEtcd, name: str) -> float:
    text = urllib.request.urlopen(f"{etcd.endpoint}/metrics", timeout=5).read().decode()
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(name + " "))


@pytest_asyncio.fixture(loop_scope="session")
async def own_etcd(tmp_path: Path) -> AsyncIterator[EmbeddedEtcd]:
    """A dedicated etcd, for tests that need their own flags or stop it."""
    config = EmbeddedEtcdConfig(base_dir=tmp_path, unsafe_no_fsync=True, extra_args=("--max-request-bytes=65536",))
    async with EmbeddedEtcd(config) as etcd:
        yield etcd


async def test_objects_are_stored_without_resource_version(etcd_client: EtcdClient) -> None:
    storage = Etcd3Storage(etcd_client=etcd_client)
    created = await storage.create("/client-test/raw/a", {"metadata": {"name": "a", "resourceVersion": "5"}})
    stored = (await etcd_client.range(b"/client-test/raw/a")).kvs[0]
    assert orjson.loads(stored.value) == {"metadata": {"name": "a"}}
    assert created["metadata"]["resourceVersion"] == str(stored.mod_revision)


async def test_txn_compares_mod_revision(etcd_client: EtcdClient) -> None:
    key = b"/client-test/txn/a"
    created = await etcd_client.txn([create_revision_is(key, 0)], [put_op(key, b"1")])
    stale = await etcd_client.txn([mod_revision_is(key, created.revision - 1)], [put_op(key, b"2")], [get_op(key)])
    fresh = await etcd_client.txn([mod_revision_is(key, created.revision)], [put_op(key, b"3")])
    assert created.succeeded and not stale.succeeded and fresh.succeeded
    assert stale.responses[0].response_range.kvs[0].value == b"1"
    assert (await etcd_client.range(key)).kvs[0].value == b"3"


async def test_range_with_limit_reports_more_and_count(etcd_client: EtcdClient) -> None:
    for index in range(5):
        await etcd_client.put(b"/client-test/range/%d" % index, b"v")
    prefix = b"/client-test/range/"
    page = await etcd_client.range(prefix, range_end=prefix_range_end(prefix), limit=2)
    counted = await etcd_client.range(prefix, range_end=prefix_range_end(prefix), count_only=True)
    keys = await etcd_client.range(prefix, range_end=prefix_range_end(prefix), keys_only=True)
    assert (len(page.kvs), page.more, page.count, counted.count) == (2, True, 5, 5)
    assert not counted.kvs and all(kv.value == b"" for kv in keys.kvs) and len(keys.kvs) == 5


async def test_watches_share_one_grpc_stream(etcd_server: EmbeddedEtcd) -> None:
    async with EtcdClient(etcd_server.client_config()) as client:
        streams_before = await asyncio.to_thread(metric, etcd_server, "etcd_debugging_mvcc_watch_stream_total")
        start = (await client.status()).revision + 1
        keys = [b"/client-test/mux/%d" % index for index in range(3)]
        watches = [await client.watch(key, start_revision=start) for key in keys]
        revisions = [(await client.put(key, b"v")).revision for key in keys]
        async with asyncio.timeout(TIMEOUT):
            batches = [await anext(watch) for watch in watches]
        streams_after = await asyncio.to_thread(metric, etcd_server, "etcd_debugging_mvcc_watch_stream_total")
        for watch in watches:
            await watch.cancel()
    assert [batch.events[0].kv.mod_revision for batch in batches] == revisions
    assert streams_after - streams_before == 1


async def test_watch_from_compacted_revision_reports_compaction(etcd_client: EtcdClient) -> None:
    first = await etcd_client.put(b"/client-test/compacted/a", b"1")
    latest = await etcd_client.put(b"/client-test/compacted/a", b"2")
    await etcd_client.compact(latest.revision)
    watch = await etcd_client.watch(b"/client-test/compacted/a", start_revision=first.revision)
    with pytest.raises(RevisionCompactedError) as raised:
        async with asyncio.timeout(TIMEOUT):
            await anext(watch)
    assert raised.value.compact_revision == latest.revision


async def test_progress_notifications_surface_as_progress(etcd_client: EtcdClient) -> None:
    current = (await etcd_client.put(b"/client-test/elsewhere", b"v")).revision
    watch = await etcd_client.watch(b"/client-test/idle/", start_revision=current + 1, progress_notify=True)
    async with asyncio.timeout(TIMEOUT):
        batch = await anext(watch)
    await watch.cancel()
    assert batch.is_progress and batch.revision >= current


async def test_progress_requests_answer_watches_that_want_progress(own_etcd: EmbeddedEtcd) -> None:
    # own_etcd notifies progress by itself only every 5 s; progress within 2 s comes from our requests.
    config = dataclasses.replace(own_etcd.client_config(), progress_requests="on", progress_request_interval=0.1)
    async with EtcdClient(config) as client:
        current = (await client.put(b"/client-test/requested/elsewhere", b"v")).revision
        wanting = await client.watch(b"/client-test/requested/a", start_revision=current + 1, progress_notify=True)
        silent = await client.watch(b"/client-test/requested/b", start_revision=current + 1)
        async with asyncio.timeout(2.0):
            batch = await anext(wanting)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.5):
                await anext(silent)
    assert batch.is_progress and batch.revision >= current


async def test_fragmented_revision_arrives_as_one_batch(own_etcd: EmbeddedEtcd) -> None:
    # etcd splits a watch response above max-request-bytes + 512 KiB (576 KiB here): deleting 32 keys
    # of 20 KB in one request makes one revision whose events carry 640 KB of prev_kv.
    prefix = b"/client-test/fragment/"
    keys = [prefix + b"%02d" % index for index in range(32)]
    async with EtcdClient(own_etcd.client_config()) as client:
        for key in keys:
            start = await client.put(key, b"x" * 20_000)
        watch = await client.watch(
            prefix, range_end=prefix_range_end(prefix), start_revision=start.revision + 1, prev_kv=True
        )
        deleted = await client.delete(prefix, range_end=prefix_range_end(prefix))
        async with asyncio.timeout(TIMEOUT):
            batch = await anext(watch)
        await watch.cancel()
    assert [(event.kv.key, event.kv.mod_revision) for event in batch.events] == [
        (key, deleted.revision) for key in keys
    ]
    assert all(len(event.prev_kv.value) == 20_000 for event in batch.events)


async def test_lease_grant_keepalive_revoke(etcd_client: EtcdClient) -> None:
    lease = await etcd_client.lease_grant(30)
    await etcd_client.put(b"/client-test/lease/a", b"v", lease=lease.id)
    assert lease.ttl == 30 and 0 < await etcd_client.lease_keepalive(lease.id) <= 30
    await etcd_client.lease_revoke(lease.id)
    assert not (await etcd_client.range(b"/client-test/lease/a")).kvs
    assert await etcd_client.lease_keepalive(lease.id) <= 0


async def test_status_reports_version_and_revision(etcd_client: EtcdClient) -> None:
    revision = (await etcd_client.put(b"/client-test/status", b"v")).revision
    status = await etcd_client.status()
    assert status.version.startswith("3.") and status.revision >= revision and status.leader


async def test_unreachable_etcd_is_unavailable() -> None:
    config = EtcdClientConfig(endpoint=f"127.0.0.1:{free_loopback_port()}", request_timeout=2.0)
    async with EtcdClient(config) as client:
        with pytest.raises(UnavailableError):
            await client.range(b"/a")
        with pytest.raises(UnavailableError):
            await Etcd3Storage(etcd_client=client).get("/a")


async def test_watches_end_unavailable_when_etcd_stops(own_etcd: EmbeddedEtcd) -> None:
    async with EtcdClient(own_etcd.client_config()) as client:
        storage = Etcd3Storage(etcd_client=client)
        events = storage.watch("/client-test/stop/", revision=await storage.current_revision())
        pending = asyncio.ensure_future(anext(events))
        await asyncio.sleep(0.2)
        await own_etcd.stop()
        with pytest.raises(UnavailableError):
            async with asyncio.timeout(TIMEOUT):
                await pending


def write_pki(directory: Path) -> tuple[EmbeddedTLS, TLSConfig]:
    ca = pki.create_ca("etcd-test-ca")
    serving = pki.issue_serving_cert(ca, hosts=["127.0.0.1"])
    client = pki.issue_client_cert(ca, user="kplane")
    files = {
        "ca.crt": pki.cert_to_pem(ca.cert),
        "server.crt": pki.cert_to_pem(serving.cert),
        "server.key": pki.key_to_pem(serving.key),
        "client.crt": pki.cert_to_pem(client.cert),
        "client.key": pki.key_to_pem(client.key),
    }
    for name, data in files.items():
        (directory / name).write_bytes(data)
    client_tls = TLSConfig(
        ca_file=directory / "ca.crt", cert_file=directory / "client.crt", key_file=directory / "client.key"
    )
    server_tls = EmbeddedTLS(
        cert_file=directory / "server.crt",
        key_file=directory / "server.key",
        client_ca_file=directory / "ca.crt",
        client=client_tls,
    )
    return server_tls, client_tls


async def test_tls_with_client_certificate(tmp_path: Path) -> None:
    server_tls, client_tls = write_pki(tmp_path)
    config = EmbeddedEtcdConfig(base_dir=tmp_path, unsafe_no_fsync=True, tls=server_tls)
    async with EmbeddedEtcd(config) as etcd:
        assert etcd.endpoint.startswith("https://")
        async with EtcdClient(etcd.client_config()) as client:
            await client.put(b"/tls/a", b"v")
            assert (await client.range(b"/tls/a")).kvs[0].value == b"v"
        without_cert = dataclasses.replace(
            etcd.client_config(), tls=TLSConfig(ca_file=client_tls.ca_file), request_timeout=2.0
        )
        async with EtcdClient(without_cert) as client:
            with pytest.raises(UnavailableError):
                await client.range(b"/tls/a")
