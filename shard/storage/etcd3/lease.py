"""Lease keep-alives over one LeaseKeepAlive stream per client, one request in flight at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import grpc

from apimachinery._generated.etcd import rpc_pb2
from shard.storage.etcd3.rpc_errors import translate


class LeaseKeepAliveStream:
    """Sends keep-alives and reads their answers in order; a broken stream is reopened on next use."""

    def __init__(self, open_stream: Callable[[], Any]) -> None:
        self._open_stream = open_stream
        self._call: Any = None
        self._lock = asyncio.Lock()

    async def keepalive(self, lease_id: int, *, timeout: float) -> int:
        """Refresh `lease_id`; returns its new TTL in seconds (<= 0: the lease no longer exists)."""
        async with self._lock:
            if self._call is None:
                self._call = self._open_stream()
            try:
                response = await asyncio.wait_for(self._roundtrip(self._call, lease_id), timeout)
            except (grpc.aio.AioRpcError, TimeoutError, EOFError) as err:
                self._drop()
                raise translate(err, f"lease/{lease_id}") from err
            return int(response.TTL)

    def close(self) -> None:
        self._drop()

    async def _roundtrip(self, call: Any, lease_id: int) -> rpc_pb2.LeaseKeepAliveResponse:
        await call.write(rpc_pb2.LeaseKeepAliveRequest(ID=lease_id))
        response = await call.read()
        if response is grpc.aio.EOF:
            raise EOFError("etcd closed the lease keep-alive stream")
        answer: rpc_pb2.LeaseKeepAliveResponse = response
        return answer

    def _drop(self) -> None:
        call, self._call = self._call, None
        if call is not None:
            call.cancel()
