"""Whether to ask etcd for watch progress, decided from its version.

Before etcd 3.4.31 / 3.5.13 the answer to a progress request could overtake events still queued
for a watcher (etcd issue #15220), so a bookmark built from it could skip events. On those
versions kplane relies on etcd's periodic per-watch progress notifications instead, which are
ordered with the events (their period is etcd's --experimental-watch-progress-notify-interval).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from shard.storage.etcd3.config import EtcdClientConfig

FIXED_IN = {(3, 4): 31, (3, 5): 13}


class _HasVersion(Protocol):
    @property
    def version(self) -> str: ...


def progress_requests_are_ordered(version: str) -> bool:
    """True if etcd `version` ("3.5.13") answers progress requests in order with events."""
    try:
        major, minor, patch = (int(part) for part in version.split("-")[0].split(".")[:3])
    except ValueError:
        return False
    if (major, minor) in FIXED_IN:
        return patch >= FIXED_IN[(major, minor)]
    return (major, minor) > (3, 5)


async def progress_request_interval(
    config: EtcdClientConfig, status: Callable[[], Awaitable[_HasVersion]]
) -> float | None:
    """The period of progress requests for a new watch stream, or None for none at all.

    In "auto" mode this asks etcd for its version (errors propagate: the watch cannot start anyway).
    """
    if config.progress_requests == "off":
        return None
    if config.progress_requests == "on":
        return config.progress_request_interval
    version = (await status()).version
    return config.progress_request_interval if progress_requests_are_ordered(version) else None
