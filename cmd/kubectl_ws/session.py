"""What every `kubectl ws` command needs: the kubeconfig loading rules, the merged kubeconfig, the effective
connection (`--context`, `--server`, ... and `--workspace` where kcp offers it) and the API client (a
`Session`), plus the texts and errors the commands share.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO
from urllib.parse import urlsplit

from apimachinery.validation.field import go_quote
from kubectl_ws import contexts
from kubectl_ws.client import ApiError, KcpClient, Transport, TransportError
from kubectl_ws.kubeconfig import Config, KubeconfigError, LoadingRules
from kubectl_ws.kubeconfig_write import modify_config
from kubectl_ws.paths import (
    LogicalPath,
    PathError,
    absolute_name,
    parse_cluster_url,
    resolve_dots,
)
from kubectl_ws.restconfig import Overrides, RestConfig, client_config

CD_SEMANTICS_NOTE = (
    "Note: 'kubectl ws' now matches 'cd' semantics: go to home workspace. "
    "'kubectl ws -' to go back. 'kubectl ws .' to print current workspace."
)
READY_WAIT_TIMEOUT = 60.0

Clock = Callable[[], float]
Sleep = Callable[[float], None]

# Errors whose text is printed as `Error: <text>` and end the command with exit code 1.
USER_ERRORS = (KubeconfigError, contexts.RewriteError, PathError, ApiError, TransportError)


class CommandError(Exception):
    """A failure of a command; the text is kcp's."""


@dataclass
class Streams:
    out: TextIO
    err: TextIO


@dataclass(frozen=True)
class ConnectionOptions:
    """The connection flags: `--kubeconfig`, the kubectl overrides, and `--workspace` (create, tree)."""

    kubeconfig: str = ""
    overrides: Overrides = field(default_factory=Overrides)
    workspace: str = ""


class Session:
    """The kubeconfig and API access of one command invocation."""

    def __init__(
        self,
        options: ConnectionOptions,
        streams: Streams,
        *,
        environ: Mapping[str, str] | None = None,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        self.options = options
        self.streams = streams
        self.environ = dict(os.environ if environ is None else environ)
        self.sleep = sleep
        self.clock = clock
        self.rules = LoadingRules.from_environment(options.kubeconfig or None, self.environ)
        self._raw: Config | None = None
        self._client: KcpClient | None = None

    @property
    def home_dir(self) -> str:
        return self.environ.get("HOME", "")

    def raw_config(self) -> Config:
        """The merged kubeconfig as the files say (no overrides applied)."""
        if self._raw is None:
            self._raw = self.rules.load()
        return self._raw

    def rest_config(self) -> RestConfig:
        """The effective connection, including a `--workspace` redirect of the server URL."""
        rest = client_config(self.raw_config(), self.options.overrides)
        if self.options.workspace:
            rest = rest.with_host(workspace_override(rest.host, self.options.workspace))
        return rest

    def client(self) -> KcpClient:
        if self._client is None:
            rest = self.rest_config()
            parts = urlsplit(rest.host)
            self._client = KcpClient(Transport(rest, sleep=self.sleep), f"{parts.scheme}://{parts.netloc}")
        return self._client

    def modify(self, new: Config) -> None:
        modify_config(self.rules, self.raw_config(), new)
        self._raw = None


def workspace_override(host: str, workspace: str) -> str:
    """`--workspace`: the server URL moved to `workspace`, absolute (`:root:x`) or relative to `host`."""
    try:
        base, current = parse_cluster_url(host)
    except PathError as error:
        raise CommandError(f"current URL {go_quote(host)} does not point to a workspace: {error}") from None
    name = absolute_name(workspace, current)
    try:
        path = resolve_dots(name)
    except PathError:
        raise CommandError("cannot go above the root workspace") from None
    if not path.is_valid():
        raise CommandError(f"invalid workspace path: {workspace}")
    return base.with_path(path)


def type_string(reference: Mapping[str, Any] | None) -> str:
    """A workspace type reference `{name, path}` as kcp prints it: `root:organization`."""
    reference = reference or {}
    return str(LogicalPath(str(reference.get("path") or "")).join(str(reference.get("name") or "")))


def print_current_workspace(out: TextIO, host: str, *, short: bool, workspace_type: Mapping[str, Any] | None) -> None:
    """`Current workspace is '<path>' (type <type>).`, the path alone with `--short`, or the URL."""
    try:
        _, path = parse_cluster_url(host)
    except PathError:
        if not short:
            out.write(f"Current workspace is the URL {go_quote(host)}.\n")
        return
    if short:
        out.write(f"{path}\n")
        return
    message = f"Current workspace is '{path}'"
    if workspace_type is not None:
        message += f" (type {type_string(workspace_type)})"
    out.write(message + ".\n")


# --- use -------------------------------------------------------------------------------------------
