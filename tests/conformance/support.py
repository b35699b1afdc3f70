"""Small black-box helpers for the conformance suite: raw HTTP calls, streaming watches, polling, kubectl lookup.

Everything here talks to a running kplane over HTTPS only; nothing imports server code.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from tests.integration.harness import Kplane, kubectl_binary, request_raw

ROOT = "/clusters/root"


def short_id() -> str:
    return uuid.uuid4().hex[:8]


def core(path: str) -> str:
    """A path under the core group of the root logical cluster."""
    return f"{ROOT}/api/v1{path}"


def group(group_version: str, path: str) -> str:
    return f"{ROOT}/apis/{group_version}{path}"


def query(path: str, **params: Any) -> str:
    """Append query parameters (None values are left out)."""
    kept = {k: v for k, v in params.items() if v is not None}
    return f"{path}?{urlencode(kept, quote_via=quote)}" if kept else path


@dataclass
class Reply:
    status: int
    body: Any
    raw: bytes
    warnings: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        return str(self.body.get("message", "")) if isinstance(self.body, dict) else ""

    def __repr__(self) -> str:
        return f"Reply({self.status}, {self.raw[:600]!r}, warnings={self.warnings})"


_WARNING = re.compile(r'\s*(\d{3})\s+(\S+)\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?\s*,?')


def parse_warnings(values: list[str] | None) -> list[str]:
    """Decode RFC 7234 Warning headers (one or several per header line) into their texts."""
    texts: list[str] = []
    for value in values or []:
        position = 0
        while position < len(value):
            match = _WARNING.match(value, position)
            if not match:
                break
            texts.append(re.sub(r"\\(.)", r"\1", match.group(3)))
            position = match.end()
    return texts


def call(
    kplane: Kplane,
    method: str,
    path: str,
    body: Any = None,
    content_type: str = "application/json",
    accept: str = "",
) -> Reply:
    """One HTTPS request as the admin; `body` may be bytes/str (sent verbatim) or a JSON-able value."""
    if isinstance(body, str):
        body = body.encode()
    status, headers, raw = request_raw(kplane, method, path, body, content_type=content_type, accept=accept)
    try:
        decoded = json.loads(raw) if raw else {}
    except ValueError:
        decoded = None
    return Reply(status, decoded, raw, parse_warnings(headers.get_all("Warning") if headers else None))


def ok(reply: Reply, *statuses: int) -> Any:
    assert reply.status in (statuses or (200, 201)), reply
    return reply.body


def wait_until(check: Callable[[], Any], timeout: float = 30, interval: float = 0.2, what: str = "condition") -> Any:
    """Poll `check` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last value: {last!r})")


def strip_server_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """A deep copy without resourceVersion and managedFields, which the control plane sets."""
    copy = json.loads(json.dumps(obj))
    copy.get("metadata", {}).pop("resourceVersion", None)
    copy.get("metadata", {}).pop("managedFields", None)
    return copy


class Watch:
    """A streaming JSON watch over its own HTTPS connection; events are queued by a reader thread."""

    def __init__(self, kplane: Kplane, path: str) -> None:
        context = ssl.create_default_context(cafile=str(kplane.ca_file))
        self.path = path
        self.connection = http.client.HTTPSConnection("127.0.0.1", kplane.port, context=context, timeout=60)
        self.connection.request(
            "GET", path, headers={"Authorization": f"Bearer {kplane.token}", "Accept": "application/json"}
        )
        self.response = self.connection.getresponse()
        if self.response.status != 200:
            raise AssertionError(f"watch {path} answered {self.response.status}: {self.response.read()[:500]!r}")
        self.events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.received: list[dict[str, Any]] = []
        self._closed = False
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        try:
            while True:
                line = self.response.readline()
                if not line:
                    break
                if line.strip():
                    self.events.put(json.loads(line))
        except Exception:  # noqa: BLE001 - closing the connection from another thread ends the read any way it likes
            pass
        finally:
            self.events.put(None)

    def next(self, timeout: float = 10) -> dict[str, Any]:
        """The next event; fails if none arrives in time or the server closes the stream."""
        try:
            event = self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no watch event on {self.path} within {timeout}s") from None
        if event is None:
            self.events.put(None)
            raise AssertionError(f"watch {self.path} was closed by the server")
        self.received.append(event)
        return event

    def expect(self, kind: str, obj: dict[str, Any] | None = None, timeout: float = 10) -> dict[str, Any]:
        """Read events until one of type `kind` (equal to `obj` if given) arrives, like upstream's waitForEvent."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.next(max(0.01, deadline - time.monotonic()))
            if event["type"] == kind and (obj is None or event["object"] == obj):
                return event

    def expect_nothing(self, wait: float = 0.3) -> None:
        """No event at all arrives within `wait` seconds."""
        try:
            event = self.events.get(timeout=wait)
        except queue.Empty:
            return
        if event is not None:
            self.received.append(event)
        raise AssertionError(f"unexpected watch event on {self.path}: {event}")

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if self.connection.sock is not None:
                self.connection.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()
        self._thread.join(timeout=5)


def summary(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["type"], e["object"].get("metadata", {}).get("name", "")) for e in events]


# --- kubectl binaries -------------------------------------------------------------------------------------------


def _client_version(binary: str) -> str | None:
    try:
        result = subprocess.run(
            [binary, "version", "--client", "-o", "json"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    try:
        return str(json.loads(result.stdout)["clientVersion"]["gitVersion"])
    except (ValueError, KeyError):
        return None


def _versioned_siblings(dispatcher: str) -> list[str]:
    """kubectl.1.NN binaries installed next to the Google Cloud SDK dispatcher, newest first."""
    directory = Path(os.path.realpath(dispatcher)).parent
    found = []
    for candidate in directory.glob("kubectl.1.*"):
        match = re.fullmatch(r"kubectl\.1\.(\d+)", candidate.name)
        if match and os.access(candidate, os.X_OK):
            found.append((int(match.group(1)), str(candidate)))
    return [path for _, path in sorted(found, reverse=True)]


def kubectl_binaries() -> list[tuple[str, str]]:
    """(test id, binary) for the venv kubectl plus one other kubectl found on PATH, if it works.

    The kubectl on PATH on dev machines is the gcloud dispatcher, which picks a binary from the server version;
    it is replaced by the newest versioned binary next to it (kubectl.1.33, ...), called directly.
    """
    venv = kubectl_binary()
    binaries = [(f"venv-{_client_version(venv) or 'kubectl'}", venv)]
    other = shutil.which("kubectl")
    if not other or os.path.realpath(other) == os.path.realpath(venv):
        return binaries
    version = _client_version(other)
    candidates = [other] if version and "dispatcher" not in version else []
    if version is None or "dispatcher" in (version or ""):
        candidates = _versioned_siblings(other)
    for candidate in candidates:
        candidate_version = _client_version(candidate)
        if candidate_version and "dispatcher" not in candidate_version:
            binaries.append((f"path-{candidate_version}", candidate))
            break
    return binaries
