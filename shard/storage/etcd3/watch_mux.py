"""All watches of one etcd client, multiplexed on ONE bidirectional Watch stream by watch id.

The client picks every watch id itself (1, 2, ...), so responses are routed without waiting for
etcd's `created` acknowledgements. Responses become WatchBatch items on the watch's own queue:
events (fragments of one revision are joined first), or progress (no events) when etcd reports
that the watch has seen everything up to the header revision. A canceled watch ends with
RevisionCompactedError (compact_revision set) or WatchCanceledError; a broken stream ends every
watch with UnavailableError, and the next watch opens a new stream. Resuming is the caller's job.

Progress comes from etcd's per-watch progress notifications (ordered with the events) and,
when `progress_interval` is set, from periodic progress requests. A progress request is answered
with watch id -1 for the whole stream, so at most one request is outstanding, and its answer only
counts for watches whose creation etcd acknowledged before the request was sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from apimachinery._generated.etcd import rpc_pb2
from shard.storage.errors import UnavailableError
from shard.storage.etcd3.results import Event, WatchBatch
from shard.storage.etcd3.rpc_errors import (
    RevisionCompactedError,
    WatchCanceledError,
    WatchLaggedError,
    translate,
)

StreamOpener = Callable[[AsyncIterator[rpc_pb2.WatchRequest]], Any]
STREAM_PROGRESS_ID = -1
_END = object()


class Watch:
    """One watch on the shared stream: an async iterator of WatchBatch, ended by `cancel()`."""

    def __init__(self, mux: WatchMux, watch_id: int, key: str, max_pending: int, *, wants_progress: bool) -> None:
        self.watch_id = watch_id
        self.key = key
        self.wants_progress = wants_progress
        self.acked_after_requests: int | None = None  # progress requests sent before etcd's `created`
        self._mux = mux
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._fragments: list[Event] = []
        self._max_pending = max_pending
        self._ended = False

    def __aiter__(self) -> Watch:
        return self

    async def __anext__(self) -> WatchBatch:
        if self._ended and self._queue.empty():
            raise StopAsyncIteration
        item = await self._queue.get()
        if item is _END:
            raise StopAsyncIteration
        if isinstance(item, BaseException):
            raise item
        batch: WatchBatch = item
        return batch

    async def __aenter__(self) -> Watch:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.cancel()

    async def cancel(self) -> None:
        """Stop the watch at etcd; the iterator ends after what is already queued."""
        if not self._ended:
            self._finish(_END)
            self._mux.cancel(self)

    def on_response(self, response: rpc_pb2.WatchResponse) -> None:
        """Route one etcd response for this watch (never raises)."""
        if response.canceled:
            self._finish(self._cancel_error(response))
        elif response.created and not response.events:
            self.acked_after_requests = self._mux.progress_requests_sent
        elif response.fragment:
            self._fragments.extend(response.events)
        else:
            events = [*self._fragments, *response.events] if self._fragments else list(response.events)
            self._fragments = []
            self.push(WatchBatch(events=events, revision=response.header.revision))

    def push(self, batch: WatchBatch) -> None:
        if self._ended:
            return
        if self._queue.qsize() >= self._max_pending:
            self.fail(WatchLaggedError(self.key, self._max_pending))
            self._mux.cancel(self)
            return
        self._queue.put_nowait(batch)

    def fail(self, error: BaseException) -> None:
        self._finish(error)

    def _finish(self, item: object) -> None:
        if not self._ended:
            self._ended = True
            self._queue.put_nowait(item)

    def _cancel_error(self, response: rpc_pb2.WatchResponse) -> Exception:
        if response.compact_revision:
            return RevisionCompactedError(self.key, 0, response.compact_revision)
        return WatchCanceledError(self.key, f"etcd canceled the watch: {response.cancel_reason or 'no reason'}")


class WatchMux:
    """Opens the shared stream on demand, routes responses, sends creates, cancels and progress requests."""

    def __init__(self, open_stream: StreamOpener, *, progress_interval: float | None, max_pending: int) -> None:
        self._open_stream = open_stream
        self._progress_interval = progress_interval
        self._max_pending = max_pending
        self._watches: dict[int, Watch] = {}
        self._next_id = 1
        self._outbox: asyncio.Queue[rpc_pb2.WatchRequest | None] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.progress_requests_sent = 0
        self._outstanding_request: int | None = None

    async def watch(self, create: rpc_pb2.WatchCreateRequest, key: str) -> Watch:
        """Register a watch and send its create request; responses start flowing to it."""
        outbox = self._ensure_stream()
        watch = Watch(self, self._next_id, key, self._max_pending, wants_progress=create.progress_notify)
        self._next_id += 1
        self._watches[watch.watch_id] = watch
        request = rpc_pb2.WatchCreateRequest()
        request.CopyFrom(create)
        request.watch_id = watch.watch_id
        outbox.put_nowait(rpc_pb2.WatchRequest(create_request=request))
        return watch

    def cancel(self, watch: Watch) -> None:
        if self._watches.pop(watch.watch_id, None) is not None and self._outbox is not None:
            cancel = rpc_pb2.WatchCancelRequest(watch_id=watch.watch_id)
            self._outbox.put_nowait(rpc_pb2.WatchRequest(cancel_request=cancel))

    async def close(self) -> None:
        """End every watch (UnavailableError) and the stream."""
        self._reset(UnavailableError("", "etcd client closed"))
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _ensure_stream(self) -> asyncio.Queue[rpc_pb2.WatchRequest | None]:
        if self._outbox is not None:
            return self._outbox
        outbox: asyncio.Queue[rpc_pb2.WatchRequest | None] = asyncio.Queue()
        self._outbox = outbox
        call = self._open_stream(_drain(outbox))
        self._tasks = [t for t in self._tasks if not t.done()]
        self._tasks.append(asyncio.create_task(self._read(call, outbox), name="etcd-watch-reader"))
        if self._progress_interval is not None:
            ticker = self._request_progress_every(self._progress_interval, outbox)
            self._tasks.append(asyncio.create_task(ticker, name="etcd-watch-progress"))
        return outbox

    async def _read(self, call: Any, outbox: asyncio.Queue[rpc_pb2.WatchRequest | None]) -> None:
        error: BaseException = UnavailableError("", "etcd closed the watch stream")
        try:
            async for response in call:
                self._dispatch(response)
        except asyncio.CancelledError:
            call.cancel()
            raise
        except Exception as err:  # every stream failure ends the watches
            error = err
        if self._outbox is outbox:
            self._reset(error)

    def _dispatch(self, response: rpc_pb2.WatchResponse) -> None:
        if response.watch_id == STREAM_PROGRESS_ID and not response.created and not response.canceled:
            self._on_stream_progress(response.header.revision)
            return
        watch = self._watches.get(response.watch_id)
        if watch is None:
            return
        watch.on_response(response)
        if response.canceled:
            self._watches.pop(response.watch_id, None)

    def _on_stream_progress(self, revision: int) -> None:
        request, self._outstanding_request = self._outstanding_request, None
        if request is None:
            return
        for watch in list(self._watches.values()):
            acked = watch.acked_after_requests
            if watch.wants_progress and acked is not None and acked < request:
                watch.push(WatchBatch(events=(), revision=revision))

    async def _request_progress_every(
        self, interval: float, outbox: asyncio.Queue[rpc_pb2.WatchRequest | None]
    ) -> None:
        while self._outbox is outbox:
            await asyncio.sleep(interval)
            if self._outstanding_request is None and any(w.wants_progress for w in self._watches.values()):
                self.progress_requests_sent += 1
                self._outstanding_request = self.progress_requests_sent
                outbox.put_nowait(rpc_pb2.WatchRequest(progress_request=rpc_pb2.WatchProgressRequest()))

    def _reset(self, error: BaseException) -> None:
        outbox, self._outbox = self._outbox, None
        self._outstanding_request = None
        if outbox is not None:
            outbox.put_nowait(None)
        watches, self._watches = self._watches, {}
        for watch in watches.values():
            watch.fail(translate(error, watch.key))


async def _drain(outbox: asyncio.Queue[rpc_pb2.WatchRequest | None]) -> AsyncIterator[rpc_pb2.WatchRequest]:
    """The request side of the stream: whatever is queued, until None."""
    while True:
        request = await outbox.get()
        if request is None:
            return
        yield request
