"""Connection settings of the etcd client (endpoint, TLS, timeouts, watch progress)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

ProgressRequests = Literal["auto", "on", "off"]


@dataclass(frozen=True)
class TLSConfig:
    """Files for a TLS connection to etcd: the CA that signed etcd's serving cert, and our client cert."""

    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    server_name: str | None = None

    def read(self) -> tuple[bytes | None, bytes | None, bytes | None]:
        """(root CA, client key, client cert chain) as PEM bytes, None where not configured."""

        def load(path: Path | None) -> bytes | None:
            return path.read_bytes() if path is not None else None

        return load(self.ca_file), load(self.key_file), load(self.cert_file)


@dataclass(frozen=True)
class EtcdClientConfig:
    """Where etcd is and how to talk to it.

    endpoint: "host:port", "http://host:port" or "https://host:port" (https requires `tls`).
    request_timeout: deadline of every unary call, in seconds; an expired deadline is UnavailableError.
    progress_requests: whether the watch stream asks etcd for progress (bookmarks) every
      `progress_request_interval` seconds. "auto" does it only on etcd versions whose progress
      responses are ordered with events (3.4.31+, 3.5.13+, 3.6+); older ones rely on etcd's periodic
      progress notifications (--experimental-watch-progress-notify-interval).
    max_pending_watch_batches: a watch whose consumer falls this many responses behind is ended.
    """

    endpoint: str
    tls: TLSConfig | None = None
    request_timeout: float = 30.0
    progress_requests: ProgressRequests = "auto"
    progress_request_interval: float = 1.0
    max_pending_watch_batches: int = 10_000

    def target(self) -> str:
        """The gRPC target (host:port) of `endpoint`."""
        for scheme in ("http://", "https://"):
            if self.endpoint.startswith(scheme):
                return self.endpoint[len(scheme) :].rstrip("/")
        return self.endpoint

    def uses_tls(self) -> bool:
        return self.tls is not None or self.endpoint.startswith("https://")
