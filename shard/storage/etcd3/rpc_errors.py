"""gRPC failures of etcd calls, translated once into what the store can act on.

Connection problems (unavailable, deadline exceeded, channel closed) become UnavailableError. The two
revision errors etcd reports as OUT_OF_RANGE become RevisionCompactedError / FutureRevisionError, which
the store turns into ExpiredError / TooLargeResourceVersionError. Anything else is a plain StorageError.
"""

from __future__ import annotations

from typing import Any

import grpc

from shard.storage.errors import StorageError, UnavailableError

_UNAVAILABLE_CODES = frozenset(
    {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.CANCELLED}
)


class RevisionCompactedError(Exception):
    """The requested revision is older than etcd's compaction point."""

    def __init__(self, key: str, revision: int, compact_revision: int = 0) -> None:
        super().__init__(f"revision {revision} of {key} has been compacted ({compact_revision})")
        self.key = key
        self.revision = revision
        self.compact_revision = compact_revision


class FutureRevisionError(Exception):
    """The requested revision is newer than etcd's current revision."""

    def __init__(self, key: str, revision: int) -> None:
        super().__init__(f"revision {revision} of {key} is a future revision")
        self.key = key
        self.revision = revision


class WatchLaggedError(Exception):
    """The consumer of a watch fell too far behind the stream; the watch was ended."""

    def __init__(self, key: str, pending: int) -> None:
        super().__init__(f"watch on {key} ended: its consumer is {pending} responses behind")
        self.key = key


class WatchCanceledError(StorageError):
    """etcd canceled a watch for a reason other than compaction (cancel_reason says why)."""


def translate(err: Any, key: str, revision: int = 0) -> Exception:
    """The exception to raise for a failed call about `key` (an AioRpcError or a closed-channel error)."""
    if isinstance(err, UnavailableError):
        return UnavailableError(key, str(err))
    if not isinstance(err, grpc.aio.AioRpcError):
        return UnavailableError(key, f"etcd: {err}")
    code, details = err.code(), err.details() or ""
    if code in _UNAVAILABLE_CODES:
        return UnavailableError(key, f"etcd unavailable: {code.name}: {details}")
    if code == grpc.StatusCode.OUT_OF_RANGE and "compacted" in details:
        return RevisionCompactedError(key, revision)
    if code == grpc.StatusCode.OUT_OF_RANGE and "future revision" in details:
        return FutureRevisionError(key, revision)
    return StorageError(key, f"etcd: {code.name}: {details}")
