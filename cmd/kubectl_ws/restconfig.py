"""From a merged kubeconfig and kubectl's command-line overrides (`--context`, `--server`, `--token`, ...) to
what the HTTP client needs (`RestConfig`), as client-go's `clientcmd` computes it.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kubectl_ws.kubeconfig import Config, KubeconfigError


@dataclass(frozen=True)
class Overrides:
    """The kubectl connection flags kcp's plugins accept (clientcmd's `ConfigOverrides` subset)."""

    context: str = ""
    user: str = ""
    namespace: str = ""
    server: str = ""
    certificate_authority: str = ""
    insecure_skip_tls_verify: bool = False
    tls_server_name: str = ""
    token: str = ""
    username: str = ""
    password: str = ""


@dataclass(frozen=True)
class ExecConfig:
    """A client-go credential plugin (`users[].user.exec`)."""

    command: str
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    api_version: str = "client.authentication.k8s.io/v1"


@dataclass(frozen=True)
class RestConfig:
    """How to reach and authenticate to the server (client-go's `rest.Config`, the parts used here)."""

    host: str
    ca_file: str = ""
    ca_data: bytes = b""
    insecure: bool = False
    server_name: str = ""
    cert_file: str = ""
    cert_data: bytes = b""
    key_file: str = ""
    key_data: bytes = b""
    token: str = ""
    username: str = ""
    password: str = ""
    impersonate_user: str = ""
    impersonate_uid: str = ""
    impersonate_groups: tuple[str, ...] = ()
    impersonate_extra: tuple[tuple[str, tuple[str, ...]], ...] = ()
    proxy_url: str = ""
    exec_config: ExecConfig | None = None

    def with_host(self, host: str) -> RestConfig:
        return replace(self, host=host)


def _decode(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not value:
        return b""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise KubeconfigError(f"illegal base64 data in {what}") from None


def _exec_config(data: Any) -> ExecConfig | None:
    if not isinstance(data, dict) or not data.get("command"):
        return None
    env = tuple((str(item.get("name", "")), str(item.get("value", ""))) for item in data.get("env") or []
                if isinstance(item, dict))
    return ExecConfig(str(data["command"]), tuple(str(arg) for arg in data.get("args") or []), env,
                      str(data.get("apiVersion") or "client.authentication.k8s.io/v1"))


def _default_scheme(server: str, tls: bool) -> str:
    if "://" in server:
        return server
    return ("https://" if tls else "http://") + server


def client_config(config: Config, overrides: Overrides) -> RestConfig:
    """The effective connection for the current (or `--context`) context with all overrides applied."""
    context_name = overrides.context or config.current_context
    errors: list[str] = []
    context = config.contexts.get(context_name) if context_name else None
    if overrides.context and context is None:
        errors.append(f"context was not found for specified context: {overrides.context}")
    context_data = dict(context.data) if context else {}
    if overrides.user:
        context_data["user"] = overrides.user
    cluster_name = str(context_data.get("cluster") or "")
    user_name = str(context_data.get("user") or "")
    cluster = dict(config.clusters[cluster_name].data) if cluster_name in config.clusters else {}
    user = dict(config.users[user_name].data) if user_name in config.users else {}
    if user_name and user_name not in config.users and overrides.user:
        errors.append(f'auth info "{user_name}" does not exist')

    if overrides.server:
        cluster["server"] = overrides.server
    if overrides.insecure_skip_tls_verify or overrides.certificate_authority:
        cluster["insecure-skip-tls-verify"] = overrides.insecure_skip_tls_verify
        cluster["certificate-authority"] = overrides.certificate_authority
        cluster.pop("certificate-authority-data", None)
    if overrides.tls_server_name or overrides.server:
        cluster["tls-server-name"] = overrides.tls_server_name
    for key, value in (("token", overrides.token), ("username", overrides.username),
                       ("password", overrides.password)):
        if value:
            user[key] = value

    server = cluster.get("server")
    if not errors and not (isinstance(server, str) and server):
        if not config.clusters and not config.contexts and not config.users and not overrides.server:
            errors.append("no configuration has been provided, try setting KUBERNETES_MASTER environment variable")
        elif cluster_name:
            errors.append(f'no server found for cluster "{cluster_name}"')
        else:
            errors.append("default cluster has no server defined")
    if errors:
        raise KubeconfigError("invalid configuration: " + (errors[0] if len(errors) == 1 else f"[{', '.join(errors)}]"))

    token = str(user.get("token") or "")
    token_file = str(user.get("tokenFile") or "")
    if not token and token_file:
        try:
            token = Path(token_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise KubeconfigError(f"open {token_file}: {error.strerror}") from None
    extra = user.get("as-user-extra") or {}
    ca_data = _decode(cluster.get("certificate-authority-data"), "certificate-authority-data")
    cert_data = _decode(user.get("client-certificate-data"), "client-certificate-data")
    key_data = _decode(user.get("client-key-data"), "client-key-data")
    ca_file = str(cluster.get("certificate-authority") or "")
    insecure = bool(cluster.get("insecure-skip-tls-verify"))
    tls = bool(ca_data or ca_file or insecure or cert_data or user.get("client-certificate"))
    return RestConfig(
        host=_default_scheme(str(server), tls),
        ca_file=ca_file,
        ca_data=ca_data,
        insecure=insecure,
        server_name=str(cluster.get("tls-server-name") or ""),
        cert_file=str(user.get("client-certificate") or ""),
        cert_data=cert_data,
        key_file=str(user.get("client-key") or ""),
        key_data=key_data,
        token=token,
        username=str(user.get("username") or ""),
        password=str(user.get("password") or ""),
        impersonate_user=str(user.get("as") or ""),
        impersonate_uid=str(user.get("as-uid") or ""),
        impersonate_groups=tuple(str(group) for group in user.get("as-groups") or []),
        impersonate_extra=tuple((str(key), tuple(str(v) for v in values or []))
                                for key, values in extra.items()) if isinstance(extra, dict) else (),
        proxy_url=str(cluster.get("proxy-url") or ""),
        exec_config=_exec_config(user.get("exec")),
    )
