"""`kubectl ws tree`: walk the workspaces below the current one and print them as kcp's plugin does."""

from __future__ import annotations

from apimachinery.validation.field import go_quote
from kubectl_ws.client import ApiError, KcpClient, TransportError
from kubectl_ws.create import phase_of
from kubectl_ws.paths import (
    LogicalPath,
    PathError,
    parse_cluster_url,
)
from kubectl_ws.session import CommandError, Session
from kubectl_ws.tree import Node, render, tabwrite


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
            label = self._label(client, name, child, phase_of(workspace)) if self.wide else name
            self._populate(client, node.add(label), child, name)
