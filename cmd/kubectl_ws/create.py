"""`kubectl ws create` / `kubectl create workspace` and `kubectl ws create-context`, as kcp's plugin does them:
the request, the wait until Ready, `--enter`, `--ignore-existing`, the texts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apimachinery.validation.field import go_quote
from kubectl_ws import contexts
from kubectl_ws.client import ApiError, KcpClient
from kubectl_ws.kubeconfig import KubeconfigError
from kubectl_ws.paths import (
    ROOT,
    LogicalPath,
    PathError,
    parse_cluster_url,
)
from kubectl_ws.session import READY_WAIT_TIMEOUT, CommandError, Session, type_string
from kubectl_ws.use import UseWorkspace


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
    operators = {
        Operator.IN: "In",
        Operator.NOT_IN: "NotIn",
        Operator.EXISTS: "Exists",
        Operator.DOES_NOT_EXIST: "DoesNotExist",
    }
    for requirement in requirements:
        if requirement.operator in (Operator.EQUALS, Operator.DOUBLE_EQUALS):
            match_labels[requirement.key] = requirement.values[0]
        elif requirement.operator in operators:
            expression: dict[str, Any] = {"key": requirement.key, "operator": operators[requirement.operator]}
            if requirement.values:
                expression["values"] = sorted(requirement.values)
            expressions.append(expression)
        elif requirement.operator in (Operator.GREATER_THAN, Operator.LESS_THAN):
            raise CommandError(
                f'invalid location selector: "{requirement.operator}" isn\'t supported in label selectors'
            )
        else:
            raise CommandError(
                f'invalid location selector: "{requirement.operator}" is not a valid label selector operator'
            )
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


def phase_of(workspace: Mapping[str, Any]) -> str:
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
        body = {
            "apiVersion": "tenancy.kcp.io/v1alpha1",
            "kind": "Workspace",
            "metadata": {"name": request.name},
            "spec": spec,
        }
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
        ready = phase_of(workspace) == "Ready"
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
                created = contexts.create_context(
                    starting,
                    name=request.create_context,
                    cluster_url=url,
                    overwrite=request.ignore_existing,
                    keep_current=not request.enter,
                )
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
            if phase_of(workspace) == "Ready":
                return workspace
            if self.session.clock() >= deadline:
                raise CommandError("context deadline exceeded")
            self.session.sleep(0.5)


def create_context(session: Session, *, name: str, overwrite: bool) -> None:
    """`kubectl ws create-context [name] [--overwrite]`: a named context for the current workspace."""
    created = contexts.create_context(
        session.raw_config(), name=name, cluster_url="", overwrite=overwrite, keep_current=False
    )
    session.modify(created.config)
    session.streams.out.write(created.message + "\n")


# --- tree ------------------------------------------------------------------------------------------
