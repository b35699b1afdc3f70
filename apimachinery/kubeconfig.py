"""Kubeconfig files: building the `kind: Config` document, writing it safely, and reading it back.

This module owns the kubeconfig layout kplane writes (clusters, users, contexts with inline
base64 `*-data` fields, `current-context`) and how it reaches the disk: atomically, mode 0600,
because it holds credentials. It knows nothing about how the credentials were made.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from apimachinery.pki import write_atomic

DEFAULT_ADMIN_USER = "kplane-admin"


class KubeconfigError(ValueError):
    """A kubeconfig that is inconsistent (dangling references) or not a kubeconfig at all."""


@dataclass(frozen=True)
class ClusterEntry:
    """A named API server endpoint and the CA that signs its serving certificate."""

    name: str
    server_url: str
    ca_pem: bytes


@dataclass(frozen=True)
class UserEntry:
    """A named set of credentials: a bearer token, a client certificate, or both."""

    name: str
    token: str | None = None
    client_cert_pem: bytes | None = None
    client_key_pem: bytes | None = None

    def __post_init__(self) -> None:
        if (self.client_cert_pem is None) != (self.client_key_pem is None):
            raise KubeconfigError(f"user {self.name!r}: a client certificate needs its key and vice versa")
        if self.token is None and self.client_cert_pem is None:
            raise KubeconfigError(f"user {self.name!r}: needs a token or a client certificate")


@dataclass(frozen=True)
class ContextEntry:
    """A named pairing of a cluster and a user."""

    name: str
    cluster: str
    user: str


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _cluster_dict(entry: ClusterEntry) -> dict[str, Any]:
    cluster = {"server": entry.server_url, "certificate-authority-data": _b64(entry.ca_pem)}
    return {"name": entry.name, "cluster": cluster}


def _user_dict(entry: UserEntry) -> dict[str, Any]:
    user: dict[str, str] = {}
    if entry.client_cert_pem is not None and entry.client_key_pem is not None:
        user["client-certificate-data"] = _b64(entry.client_cert_pem)
        user["client-key-data"] = _b64(entry.client_key_pem)
    if entry.token is not None:
        user["token"] = entry.token
    return {"name": entry.name, "user": user}


def _context_dict(entry: ContextEntry) -> dict[str, Any]:
    return {"name": entry.name, "context": {"cluster": entry.cluster, "user": entry.user}}


def _check_references(clusters: Sequence[ClusterEntry], users: Sequence[UserEntry],
                      contexts: Sequence[ContextEntry], current_context: str) -> None:
    cluster_names, user_names = {c.name for c in clusters}, {u.name for u in users}
    for context in contexts:
        if context.cluster not in cluster_names:
            raise KubeconfigError(f"context {context.name!r} names unknown cluster {context.cluster!r}")
        if context.user not in user_names:
            raise KubeconfigError(f"context {context.name!r} names unknown user {context.user!r}")
    if current_context not in {c.name for c in contexts}:
        raise KubeconfigError(f"current-context {current_context!r} is not one of the contexts")


def build_kubeconfig(*, clusters: Sequence[ClusterEntry], users: Sequence[UserEntry],
                     contexts: Sequence[ContextEntry], current_context: str) -> dict[str, Any]:
    """The kubeconfig document; every context must name a listed cluster and user."""
    _check_references(clusters, users, contexts, current_context)
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [_cluster_dict(c) for c in clusters],
        "users": [_user_dict(u) for u in users],
        "contexts": [_context_dict(c) for c in contexts],
        "current-context": current_context,
    }


def write_kubeconfig(path: Path, config: dict[str, Any]) -> None:
    """Write `config` as YAML to `path`, atomically and readable by the owner only (0600)."""
    text = yaml.safe_dump(config, sort_keys=False, default_flow_style=False)
    write_atomic(path, text.encode("utf-8"), mode=0o600)


def write_admin_kubeconfig(path: Path, *, server_url: str, ca_pem: bytes, context_name: str,
                           token: str | None, client_cert_pem: bytes | None,
                           client_key_pem: bytes | None, user_name: str = DEFAULT_ADMIN_USER) -> None:
    """A one-context kubeconfig: cluster `context_name` at `server_url`, user `user_name`, current."""
    user = UserEntry(name=user_name, token=token, client_cert_pem=client_cert_pem,
                     client_key_pem=client_key_pem)
    config = build_kubeconfig(
        clusters=[ClusterEntry(name=context_name, server_url=server_url, ca_pem=ca_pem)],
        users=[user],
        contexts=[ContextEntry(name=context_name, cluster=context_name, user=user_name)],
        current_context=context_name,
    )
    write_kubeconfig(path, config)


def load_kubeconfig(path: Path) -> dict[str, Any]:
    """Parse a kubeconfig file; anything but a mapping with `kind: Config` is a `KubeconfigError`."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or document.get("kind") != "Config":
        raise KubeconfigError(f"{path} is not a kubeconfig (expected a mapping with kind: Config)")
    return document


def decode_data(value: str) -> bytes:
    """The bytes of a base64 `*-data` field."""
    return base64.b64decode(value, validate=True)
