"""The kubeconfig rewrites of `kubectl ws`, pure: entering a workspace, `-`, and `create-context`.

kcp's plugin keeps two contexts of its own, `workspace.kcp.io/current` and
`workspace.kcp.io/previous`, each with a cluster entry of the same name:

* entering a workspace copies the current context's cluster (all its fields and the file it came
  from) to `workspace.kcp.io/current` with the new server URL, points a copy of the current
  context at it, and saves the context being left as `workspace.kcp.io/previous` (when it was
  the plugin's own context, its cluster moves along to `workspace.kcp.io/previous`);
* `-` swaps the two contexts, moving the cluster entries along the same way;
* the current context becomes `workspace.kcp.io/current` in both cases.

Each function takes the starting config and returns a new one; the caller persists the
difference. Error texts are kcp's.
"""

from __future__ import annotations

from dataclasses import dataclass

from apimachinery.validation.field import go_quote
from kubectl_ws.kubeconfig import Config, Entry
from kubectl_ws.paths import PathError, parse_cluster_url

CURRENT = "workspace.kcp.io/current"
PREVIOUS = "workspace.kcp.io/previous"


class RewriteError(Exception):
    """The kubeconfig lacks what a rewrite needs; the text is kcp's."""


def enter(starting: Config, current_context: Entry, server_url: str) -> Config:
    """Make `server_url` the current workspace, remembering `current_context` as the previous one."""
    old_cluster = starting.clusters.get(current_context.get("cluster"))
    if old_cluster is None:
        raise RewriteError(f"cluster {go_quote(current_context.get('cluster'))} not found in kubeconfig")
    new = starting.copy()
    new.clusters[CURRENT] = old_cluster.with_fields(server=server_url)
    new.contexts[CURRENT] = current_context.with_fields(cluster=CURRENT)
    previous = current_context
    if current_context.get("cluster") == CURRENT:
        previous = current_context.with_fields(cluster=PREVIOUS)
        new.clusters[PREVIOUS] = old_cluster
    new.contexts[PREVIOUS] = previous
    new.current_context = CURRENT
    return new


def swap(starting: Config, current_context: Entry) -> Config:
    """Go back to the previous workspace (`kubectl ws -`): current and previous trade places."""
    previous = starting.contexts.get(PREVIOUS)
    if previous is None:
        raise RewriteError("no previous workspace found in kubeconfig")
    new = starting.copy()
    current = current_context
    if current.get("cluster") == CURRENT:
        old_cluster = starting.clusters.get(CURRENT)
        if old_cluster is None:
            raise RewriteError(f"cluster {go_quote(current.get('cluster'))} not found in kubeconfig")
        current = current.with_fields(cluster=PREVIOUS)
        new.clusters[PREVIOUS] = old_cluster
    if previous.get("cluster") == PREVIOUS:
        previous_cluster = starting.clusters.get(PREVIOUS)
        if previous_cluster is None:
            # kcp names the current context's cluster here, not the previous one's.
            raise RewriteError(f"cluster {go_quote(current.get('cluster'))} not found in kubeconfig")
        previous = previous.with_fields(cluster=CURRENT)
        new.clusters[CURRENT] = previous_cluster
    new.contexts[CURRENT] = previous
    new.contexts[PREVIOUS] = current
    new.current_context = CURRENT
    return new


def current_server(config: Config) -> str:
    """The server URL of `workspace.kcp.io/current`'s cluster after a swap."""
    context = config.contexts[CURRENT]
    cluster = config.clusters.get(context.get("cluster"))
    if cluster is None:
        raise RewriteError(f"cluster {go_quote(context.get('cluster'))} not found in kubeconfig")
    return cluster.get("server")


@dataclass(frozen=True)
class CreatedContext:
    config: Config
    message: str


def create_context(starting: Config, *, name: str, cluster_url: str, overwrite: bool,
                   keep_current: bool) -> CreatedContext:
    """`kubectl ws create-context [name]`: a context (and cluster) of that name for the current workspace."""
    current_context = starting.contexts.get(starting.current_context)
    if current_context is None:
        raise RewriteError(f"current context {go_quote(starting.current_context)} is not found in kubeconfig")
    current_cluster = starting.clusters.get(current_context.get("cluster"))
    if current_cluster is None:
        raise RewriteError(f"current cluster {go_quote(current_context.get('cluster'))} is not found in kubeconfig")
    server = current_cluster.get("server")
    try:
        _, current_path = parse_cluster_url(server)
    except PathError:
        raise RewriteError(f"current URL {go_quote(server)} does not point to a workspace") from None
    name = name or str(current_path)
    existed_before = name in starting.contexts
    if existed_before and not overwrite:
        raise RewriteError(f"context {go_quote(name)} already exists in kubeconfig, use --overwrite to update it")
    new = starting.copy()
    new.clusters[name] = current_cluster.with_fields(server=cluster_url) if cluster_url else current_cluster
    new.contexts[name] = current_context.with_fields(cluster=name)
    new.current_context = starting.current_context if keep_current else name
    verb = "Updated" if existed_before else "Created"
    if keep_current or starting.current_context == name:
        message = f"{verb} context {go_quote(name)}."
    else:
        message = f"{verb} context {go_quote(name)} and switched to it."
    return CreatedContext(new, message)
