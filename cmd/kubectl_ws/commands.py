"""What each `kubectl ws` command does: use (and `.`, `-`, `:`, `~`), current, create, create-context, tree.

Each command follows kcp's plugin step for step: the same API calls in the same order (discovery
on the target, then a GET of the Workspace in its parent, a 403 there not being fatal), the same
kubeconfig rewrite, the same texts on stdout and stderr, the same errors. A `Session` carries what
every command needs: the kubeconfig loading rules, the merged kubeconfig, the effective connection
(`--context`, `--server`, ... and `--workspace` where kcp offers it) and the API client.
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
from kubectl_ws.claims import unresolved_claim_warnings
from kubectl_ws.client import ApiError, KcpClient, Transport, TransportError
from kubectl_ws.kubeconfig import (
    Config,
    Entry,
    KubeconfigError,
    LoadingRules,
    Overrides,
    RestConfig,
    client_config,
    modify_config,
)
from kubectl_ws.paths import (
    ROOT,
    ClusterURL,
    LogicalPath,
    PathError,
    absolute_name,
    expand_home,
    home_path_from_url,
    is_valid_path_segment_name,
    parse_cluster_url,
    preprocess,
    resolve_dots,
)
from kubectl_ws.tree import Node, render, tabwrite

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

    def __init__(self, options: ConnectionOptions, streams: Streams, *, environ: Mapping[str, str] | None = None,
                 sleep: Sleep = time.sleep, clock: Clock = time.monotonic) -> None:
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


class UseWorkspace:
    """`kubectl ws [use|cd] <target>`: print, switch, or go back, rewriting the kubeconfig."""

    def __init__(self, session: Session, *, short: bool = False) -> None:
        self.session = session
        self.short = short

    def run(self, argument: str) -> None:
        session = self.session
        starting = session.raw_config()
        client = session.client()
        pre = preprocess(argument, home_dir=session.home_dir, short=self.short)
        for note in pre.notes:
            session.streams.err.write(note + "\n")
        self._switch(pre.name, argument, starting, client)
        if pre.went_home_implicitly and not self.short:
            session.streams.err.write(CD_SEMANTICS_NOTE + "\n")

    def _switch(self, name: str, argument: str, starting: Config, client: KcpClient) -> None:
        current_context = starting.contexts.get(starting.current_context)
        if current_context is None:
            raise CommandError(f"current {go_quote(starting.current_context)} context not found")
        if name == "-":
            new = contexts.swap(starting, current_context)
            self.session.modify(new)
            server = contexts.current_server(new)
            self._check_api_bindings(client, server)
            print_current_workspace(self.session.streams.out, server, short=self.short, workspace_type=None)
            return
        if name == ":":
            base, current = self._current_cluster()
            self._commit(client, starting, current_context, base.with_path(current.top()), None)
            return
        if name == ".":
            host = self.session.rest_config().host
            print_current_workspace(self.session.streams.out, host, short=self.short, workspace_type=None)
            return
        if name == "~" or name.startswith("~:"):
            name = expand_home(name, self._home_path(client))

        base, current = self._current_cluster()
        full = absolute_name(name, current)
        path = resolve_dots(full)
        if not path.is_valid():
            raise CommandError(f"invalid workspace path: {argument}")

        # Does it exist? Discovery on the target, then the Workspace in the parent (a 403 there is fine).
        try:
            denied = not client.server_groups(path)
        except ApiError as error:
            if not error.is_forbidden:
                raise
            denied = True
        workspace_type: Mapping[str, Any] | None = None
        not_found = False
        if path == ROOT:
            workspace_type = {"name": "root"}
        else:
            parent, workspace_name = LogicalPath(full).split()
            if workspace_name and is_valid_path_segment_name(workspace_name):
                try:
                    workspace = client.get_workspace(parent, workspace_name)
                except ApiError as error:
                    not_found = error.is_not_found
                except TransportError:
                    pass
                else:
                    spec_type = (workspace.get("spec") or {}).get("type")
                    workspace_type = spec_type if isinstance(spec_type, dict) else None
        if denied and not_found:
            raise CommandError(f"workspace {go_quote(full)} not found")
        if denied:
            raise CommandError(f"access to workspace {go_quote(full)} denied")
        self._commit(client, starting, current_context, base.with_path(path), workspace_type)

    def _current_cluster(self) -> tuple[ClusterURL, LogicalPath]:
        host = self.session.rest_config().host
        try:
            return parse_cluster_url(host)
        except PathError:
            raise CommandError(f"current URL {go_quote(host)} does not point to a workspace") from None

    def _home_path(self, client: KcpClient) -> LogicalPath:
        home = client.get_workspace(ROOT, "~")
        url = str((home.get("spec") or {}).get("URL") or "")
        return home_path_from_url(url)

    def _commit(self, client: KcpClient, starting: Config, current_context: Entry, url: str,
                workspace_type: Mapping[str, Any] | None) -> None:
        self.session.modify(contexts.enter(starting, current_context, url))
        self._check_api_bindings(client, url)
        print_current_workspace(self.session.streams.out, url, short=self.short, workspace_type=workspace_type)

    def _check_api_bindings(self, client: KcpClient, host: str) -> None:
        """Warn about permission claims of the new workspace's APIBindings; failures are only reported."""
        err = self.session.streams.err
        try:
            _, path = parse_cluster_url(host)
            bindings = client.list_api_bindings(path)
        except ApiError as error:
            if not (error.is_forbidden or error.is_not_found):
                err.write(f"error checking APIBindings: {error}\n")
            bindings = []
        except (PathError, TransportError) as error:
            err.write(f"error checking APIBindings: {error}\n")
            bindings = []
        for warning in unresolved_claim_warnings(bindings):
            err.write(warning + "\n")


def current_workspace(session: Session, *, short: bool) -> None:
    """`kubectl ws current [--short]`: the workspace the effective connection points at."""
    print_current_workspace(session.streams.out, session.rest_config().host, short=short, workspace_type=None)


# --- create ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateRequest:
    name: str
    type: str = ""
    enter: bool = False
    ignore_existing: bool = False
    location_selector: str = ""
    create_context: str = ""
    ready_wait_timeout: float = READY_WAIT_TIMEOUT


def parse_location_selector(text: str) -> dict[str, Any] | None:
    """`--location-selector` as a `metav1.LabelSelector` (kcp's `ParseToLabelSelector`)."""
    if not text:
        return None
    from apimachinery.selectors.label_parser import parse_requirements
    from apimachinery.selectors.requirement import Operator

    quoted = go_quote(text)
    try:
        requirements = parse_requirements(text)
    except ValueError as error:
        raise CommandError(f"invalid location selector: couldn't parse the selector string {quoted}: {error}") from None
    match_labels: dict[str, str] = {}
    expressions: list[dict[str, Any]] = []
    operators = {Operator.IN: "In", Operator.NOT_IN: "NotIn", Operator.EXISTS: "Exists",
                 Operator.DOES_NOT_EXIST: "DoesNotExist"}
    for requirement in requirements:
        if requirement.operator in (Operator.EQUALS, Operator.DOUBLE_EQUALS):
            match_labels[requirement.key] = requirement.values[0]
        elif requirement.operator in operators:
            expression: dict[str, Any] = {"key": requirement.key, "operator": operators[requirement.operator]}
            if requirement.values:
                expression["values"] = sorted(requirement.values)
            expressions.append(expression)
        elif requirement.operator in (Operator.GREATER_THAN, Operator.LESS_THAN):
            raise CommandError(f'invalid location selector: "{requirement.operator}" '
                               "isn't supported in label selectors")
        else:
            raise CommandError(f'invalid location selector: "{requirement.operator}" '
                               "is not a valid label selector operator")
    selector: dict[str, Any] = {}
    if match_labels:
        selector["matchLabels"] = match_labels
    if expressions:
        selector["matchExpressions"] = expressions
    return selector


def structured_type(text: str) -> dict[str, str] | None:
    """`--type org` → `{name: org}` (path defaulted by the server); `root:org` → `{name, path: root}`."""
    if not text:
        return None
    path, _, name = text.rpartition(":")
    reference = {"name": name.lower()}
    if path:
        reference["path"] = path
    return reference


def _phase(workspace: Mapping[str, Any]) -> str:
    return str((workspace.get("status") or {}).get("phase") or "")


class CreateWorkspace:
    """`kubectl create workspace <name>` (and the deprecated `kubectl ws create`)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def run(self, request: CreateRequest) -> None:
        session, out = self.session, self.session.streams.out
        selector = parse_location_selector(request.location_selector)
        client = session.client()
        host = session.rest_config().host
        try:
            _, current = parse_cluster_url(host)
        except PathError:
            raise CommandError(f"current URL {go_quote(host)} does not point to a workspace") from None
        if request.ignore_existing and request.type and not LogicalPath(request.type).has_prefix(ROOT):
            raise CommandError("--ignore-existing must not be used with non-absolute type path")

        wanted_type = structured_type(request.type)
        spec: dict[str, Any] = {}
        if wanted_type is not None:
            spec["type"] = wanted_type
        if selector is not None:
            spec["location"] = {"selector": selector}
        body = {"apiVersion": "tenancy.kcp.io/v1alpha1", "kind": "Workspace", "metadata": {"name": request.name},
                "spec": spec}
        pre_existing = False
        try:
            workspace = client.create_workspace(current, body)
        except ApiError as error:
            if not (error.is_already_exists and request.ignore_existing):
                raise
            pre_existing = True
            workspace = client.get_workspace(current, request.name)

        actual_type = (workspace.get("spec") or {}).get("type") or {}
        reference = f"Workspace {go_quote(request.name)} (type {type_string(actual_type)})"
        ready = _phase(workspace) == "Ready"
        if pre_existing:
            if wanted_type is not None and (
                (actual_type.get("name", "") != "" and actual_type.get("name", "") != wanted_type["name"])
                or actual_type.get("path", "") != wanted_type.get("path", "")
            ):
                raise CommandError(
                    f"workspace {go_quote(request.name)} cannot be created with type {type_string(wanted_type)}, "
                    f"it already exists with different type {type_string(actual_type)}"
                )
            if not ready and request.ready_wait_timeout > 0:
                out.write(f"{reference} already exists. Waiting for it to be ready...\n")
            else:
                out.write(f"{reference} already exists.\n")
        elif not ready and request.ready_wait_timeout > 0:
            out.write(f"{reference} created. Waiting for it to be ready...\n")
        elif not ready:
            raise CommandError(f"{reference} created but is not ready to use")

        name = str((workspace.get("metadata") or {}).get("name") or request.name)
        self._wait_visible(client, current, name)
        if not ready:
            workspace = self._wait_ready(client, current, name, request.ready_wait_timeout)
        out.write(f"{reference} is ready to use.\n")

        if request.create_context:
            starting = session.raw_config()
            url = str((workspace.get("spec") or {}).get("URL") or "")
            try:
                created = contexts.create_context(starting, name=request.create_context, cluster_url=url,
                                                  overwrite=request.ignore_existing, keep_current=not request.enter)
                session.modify(created.config)
            except (contexts.RewriteError, KubeconfigError) as error:
                raise CommandError(f"failed to create context: {error}") from None
            out.write(created.message + "\n")
            return
        if request.enter:
            UseWorkspace(session).run(name)

    def _wait_visible(self, client: KcpClient, current: LogicalPath, name: str) -> None:
        """kcp polls (100ms, 5s) until the new Workspace can be read back."""
        deadline = self.session.clock() + 5.0
        while True:
            try:
                client.get_workspace(current, name)
                return
            except ApiError as error:
                if not error.is_not_found:
                    raise
            if self.session.clock() >= deadline:
                raise CommandError("context deadline exceeded")
            self.session.sleep(0.1)

    def _wait_ready(self, client: KcpClient, current: LogicalPath, name: str, timeout: float) -> dict[str, Any]:
        """kcp polls (500ms, one minute) until the Workspace's phase is Ready."""
        deadline = self.session.clock() + timeout
        while True:
            workspace = client.get_workspace(current, name)
            if _phase(workspace) == "Ready":
                return workspace
            if self.session.clock() >= deadline:
                raise CommandError("context deadline exceeded")
            self.session.sleep(0.5)


def create_context(session: Session, *, name: str, overwrite: bool) -> None:
    """`kubectl ws create-context [name] [--overwrite]`: a named context for the current workspace."""
    created = contexts.create_context(session.raw_config(), name=name, cluster_url="", overwrite=overwrite,
                                      keep_current=False)
    session.modify(created.config)
    session.streams.out.write(created.message + "\n")


# --- tree ------------------------------------------------------------------------------------------


class WorkspaceTree:
    """`kubectl ws tree [--full] [--wide]`: the current workspace and everything below it."""

    def __init__(self, session: Session, *, full: bool = False, wide: bool = False) -> None:
        self.session = session
        self.full = full
        self.wide = wide

    def run(self) -> None:
        client = self.session.client()
        host = self.session.rest_config().host
        out = self.session.streams.out
        try:
            _, current = parse_cluster_url(host)
        except PathError:
            out.write(f"current context URL {go_quote(host)} does not point directly to a kcp workspace\n")
            return
        name = str(current) if self.full else str(current).rsplit(":", 1)[-1]
        top = Node(self._label(client, name, current, "") if self.wide else name)
        self._populate(client, top, current, name)
        text = render(top)
        out.write(tabwrite(text) if self.wide else text + "\n")

    def _label(self, client: KcpClient, name: str, path: LogicalPath, workspace_phase: str) -> str:
        lc_phase = "Unknown"
        try:
            phase = str((client.get_logical_cluster(path).get("status") or {}).get("phase") or "")
        except (ApiError, TransportError):
            phase = ""
        if phase:
            lc_phase = phase
        return f"{name}\tws={workspace_phase or '-'}\tlc={lc_phase}"

    def _populate(self, client: KcpClient, node: Node, parent: LogicalPath, parent_name: str) -> None:
        try:
            workspaces = client.list_workspaces(parent)
        except ApiError as error:
            if error.is_not_found:
                return
            raise
        for workspace in workspaces:
            metadata = workspace.get("metadata") or {}
            spec = workspace.get("spec") or {}
            if metadata.get("deletionTimestamp"):
                continue
            name = str(metadata.get("name") or "")
            if self.full:
                name = f"{parent_name}:{name}"
            if spec.get("mount") is not None:
                node.add(name + " [m]")
                continue
            url = str(spec.get("URL") or "")
            try:
                _, child = parse_cluster_url(url)
            except PathError:
                raise CommandError(f"current config context URL {go_quote(url)} does not point to workspace") from None
            label = self._label(client, name, child, _phase(workspace)) if self.wide else name
            self._populate(client, node.add(label), child, name)
