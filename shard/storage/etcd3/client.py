"""A thin async etcd v3 client on grpc.aio: KV, Watch (multiplexed), Lease, Compact, Status.

It speaks etcd's protobuf messages (see results.py for the typed results) and translates every
gRPC failure once (rpc_errors.py): connection problems are UnavailableError. Construct it inside a
running event loop; close it with `await close()` or `async with`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import grpc

from apimachinery._generated.etcd import rpc_pb2, rpc_pb2_grpc
from shard.storage.etcd3.config import EtcdClientConfig
from shard.storage.etcd3.lease import LeaseKeepAliveStream
from shard.storage.etcd3.progress import progress_request_interval
from shard.storage.etcd3.results import (
    Compare,
    DeleteResult,
    Lease,
    PutResult,
    RangeResult,
    RequestOp,
    Status,
    TxnResult,
)
from shard.storage.etcd3.rpc_errors import translate
from shard.storage.etcd3.watch_mux import Watch, WatchMux

Response = TypeVar("Response")

ChannelOptions = tuple[tuple[str, int | str], ...]

CHANNEL_OPTIONS: ChannelOptions = (
    ("grpc.max_receive_message_length", -1),
    ("grpc.max_send_message_length", -1),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 2_000),
)


def open_channel(config: EtcdClientConfig) -> Any:
    """An insecure or TLS grpc.aio channel to `config.endpoint`."""
    if not config.uses_tls():
        return grpc.aio.insecure_channel(config.target(), options=CHANNEL_OPTIONS)
    root, key, chain = config.tls.read() if config.tls is not None else (None, None, None)
    credentials = grpc.ssl_channel_credentials(root_certificates=root, private_key=key, certificate_chain=chain)
    options = CHANNEL_OPTIONS
    if config.tls is not None and config.tls.server_name:
        options = (*options, ("grpc.ssl_target_name_override", config.tls.server_name))
    return grpc.aio.secure_channel(config.target(), credentials, options=options)


class EtcdClient:
    """One channel to etcd; every watch shares one stream, every keep-alive another."""

    def __init__(self, config: EtcdClientConfig) -> None:
        self.config = config
        self._channel = open_channel(config)
        self._kv: Any = rpc_pb2_grpc.KVStub(self._channel)  # type: ignore[no-untyped-call]
        self._watch: Any = rpc_pb2_grpc.WatchStub(self._channel)  # type: ignore[no-untyped-call]
        self._lease: Any = rpc_pb2_grpc.LeaseStub(self._channel)  # type: ignore[no-untyped-call]
        self._maintenance: Any = rpc_pb2_grpc.MaintenanceStub(self._channel)  # type: ignore[no-untyped-call]
        self._keepalives = LeaseKeepAliveStream(lambda: self._lease.LeaseKeepAlive())
        self._watch_mux: WatchMux | None = None

    async def __aenter__(self) -> EtcdClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """End every watch and keep-alive stream, then the channel."""
        if self._watch_mux is not None:
            await self._watch_mux.close()
        self._keepalives.close()
        await self._channel.close()

    async def range(
        self,
        key: bytes,
        *,
        range_end: bytes = b"",
        revision: int = 0,
        limit: int = 0,
        keys_only: bool = False,
        count_only: bool = False,
        serializable: bool = False,
    ) -> RangeResult:
        """Keys in [key, range_end) (just `key` if range_end is empty) at `revision` (0: latest)."""
        request = rpc_pb2.RangeRequest(
            key=key,
            range_end=range_end,
            revision=revision,
            limit=limit,
            keys_only=keys_only,
            count_only=count_only,
            serializable=serializable,
        )
        response: rpc_pb2.RangeResponse = await self._call(self._kv.Range, request, key, revision)
        return RangeResult(
            kvs=response.kvs, revision=response.header.revision, more=response.more, count=response.count
        )

    async def put(self, key: bytes, value: bytes, *, lease: int = 0, prev_kv: bool = False) -> PutResult:
        request = rpc_pb2.PutRequest(key=key, value=value, lease=lease, prev_kv=prev_kv)
        response: rpc_pb2.PutResponse = await self._call(self._kv.Put, request, key)
        previous = response.prev_kv if response.HasField("prev_kv") else None
        return PutResult(revision=response.header.revision, prev_kv=previous)

    async def delete(self, key: bytes, *, range_end: bytes = b"", prev_kv: bool = False) -> DeleteResult:
        request = rpc_pb2.DeleteRangeRequest(key=key, range_end=range_end, prev_kv=prev_kv)
        response: rpc_pb2.DeleteRangeResponse = await self._call(self._kv.DeleteRange, request, key)
        return DeleteResult(revision=response.header.revision, deleted=response.deleted, prev_kvs=response.prev_kvs)

    async def txn(
        self, compares: Sequence[Compare], success: Sequence[RequestOp], failure: Sequence[RequestOp] = ()
    ) -> TxnResult:
        """If every compare holds, apply `success`, else `failure`; atomically, at one revision."""
        request = rpc_pb2.TxnRequest(compare=compares, success=success, failure=failure)
        key = compares[0]["key"] if compares else b""
        response: rpc_pb2.TxnResponse = await self._call(self._kv.Txn, request, key)
        return TxnResult(succeeded=response.succeeded, revision=response.header.revision, responses=response.responses)

    async def compact(self, revision: int, *, physical: bool = True) -> None:
        """Drop history before `revision` (reads and watches below it then fail as compacted)."""
        request = rpc_pb2.CompactionRequest(revision=revision, physical=physical)
        await self._call(self._kv.Compact, request, b"", revision)

    async def status(self, *, timeout: float | None = None) -> Status:
        """The answering member's version, revision and raft state."""
        response: rpc_pb2.StatusResponse = await self._call(
            self._maintenance.Status, rpc_pb2.StatusRequest(), b"", timeout=timeout
        )
        return Status(
            version=response.version,
            revision=response.header.revision,
            db_size=response.dbSize,
            leader=response.leader,
            member_id=response.header.member_id,
            raft_index=response.raftIndex,
            raft_term=response.raftTerm,
        )

    async def lease_grant(self, ttl: int, *, lease_id: int = 0) -> Lease:
        request = rpc_pb2.LeaseGrantRequest(TTL=ttl, ID=lease_id)
        response: rpc_pb2.LeaseGrantResponse = await self._call(self._lease.LeaseGrant, request, b"lease")
        return Lease(id=response.ID, ttl=response.TTL)

    async def lease_revoke(self, lease_id: int) -> None:
        request = rpc_pb2.LeaseRevokeRequest(ID=lease_id)
        await self._call(self._lease.LeaseRevoke, request, b"lease")

    async def lease_keepalive(self, lease_id: int) -> int:
        """Refresh a lease once; returns its TTL (<= 0 if it expired or never existed)."""
        return await self._keepalives.keepalive(lease_id, timeout=self.config.request_timeout)

    async def watch(
        self,
        key: bytes,
        *,
        range_end: bytes = b"",
        start_revision: int = 0,
        prev_kv: bool = False,
        progress_notify: bool = False,
        fragment: bool = True,
    ) -> Watch:
        """Watch [key, range_end) from `start_revision` (inclusive; 0: from now) on the shared stream."""
        mux = await self._ensure_watch_mux()
        create = rpc_pb2.WatchCreateRequest(
            key=key,
            range_end=range_end,
            start_revision=start_revision,
            prev_kv=prev_kv,
            progress_notify=progress_notify,
            fragment=fragment,
        )
        return await mux.watch(create, key.decode(errors="replace"))

    async def _ensure_watch_mux(self) -> WatchMux:
        if self._watch_mux is None:
            interval = await progress_request_interval(self.config, self.status)
            if self._watch_mux is None:
                self._watch_mux = WatchMux(
                    lambda requests: self._watch.Watch(requests),
                    progress_interval=interval,
                    max_pending=self.config.max_pending_watch_batches,
                )
        return self._watch_mux

    async def _call(
        self,
        method: Callable[..., Awaitable[Response]],
        request: object,
        key: bytes,
        revision: int = 0,
        *,
        timeout: float | None = None,
    ) -> Response:
        try:
            return await method(request, timeout=timeout or self.config.request_timeout)
        except grpc.aio.AioRpcError as err:
            raise translate(err, key.decode(errors="replace"), revision) from err
        except grpc.aio.UsageError as err:
            raise translate(err, key.decode(errors="replace"), revision) from err
