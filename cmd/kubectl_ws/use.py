"""`kubectl ws <path>` (and `.`, `-`, `:`, `~`, `use`) and `kubectl ws current`, step for step as kcp's plugin:
discovery on the target, then a GET of the Workspace in its parent (a 403 there is not fatal), the same
kubeconfig rewrite, the same texts on stdout and stderr.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apimachinery.validation.field import go_quote
from kubectl_ws import contexts
from kubectl_ws.claims import unresolved_claim_warnings
from kubectl_ws.client import ApiError, KcpClient, TransportError
from kubectl_ws.kubeconfig import Config, Entry
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
from kubectl_ws.session import CD_SEMANTICS_NOTE, CommandError, Session, print_current_workspace


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

    def _commit(
        self,
        client: KcpClient,
        starting: Config,
        current_context: Entry,
        url: str,
        workspace_type: Mapping[str, Any] | None,
    ) -> None:
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
