"""Kubeconfig files as kubectl (client-go `clientcmd`) reads, merges and rewrites them.

Loading follows clientcmd's rules: `--kubeconfig` alone, else every file of `KUBECONFIG` (first
file wins for a name, first non-empty `current-context` wins), else `~/.kube/config`; relative
file references are resolved against the file's directory and every entry remembers the file it
came from. Writing follows `clientcmd.ModifyConfig`: only entries that changed are written, each
into the file it came from (new ones into the default file), file references made relative again
where that needs no `../`, under `<file>.lock`, and each touched file is re-serialised the way
kubectl writes it (sorted keys, entries sorted by name). `client_config` applies the command-line
overrides (`--context`, `--server`, `--token`, ...) and yields what the HTTP client needs.

This module deliberately does not import `apimachinery.kubeconfig`: that module pulls in the PKI
code (`cryptography`), a cost every `kubectl ws` invocation (often a shell prompt) would pay.
"""

from __future__ import annotations

import base64
import binascii
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

CLUSTER_FILE_FIELDS = ("certificate-authority",)
USER_FILE_FIELDS = ("client-certificate", "client-key", "tokenFile")

_SECTIONS = (("clusters", "cluster"), ("contexts", "context"), ("users", "user"))


class KubeconfigError(Exception):
    """A kubeconfig that cannot be read, written, or used; the text is what the user sees."""


@dataclass(frozen=True, eq=True)
class Entry:
    """One named cluster, context or user: its fields and the file it came from ('' if none)."""

    data: Mapping[str, Any]
    origin: str = ""

    def get(self, key: str) -> str:
        value = self.data.get(key)
        return value if isinstance(value, str) else ""

    def with_fields(self, **changes: Any) -> Entry:
        """A copy with `changes` applied (a dash in a key is spelled `_`); the origin is kept."""
        data = dict(self.data)
        for key, value in changes.items():
            data[key.replace("_", "-")] = value
        return Entry(data, self.origin)


@dataclass
class Config:
    """The merged view of all kubeconfig files (clientcmd's `api.Config`)."""

    clusters: dict[str, Entry] = field(default_factory=dict)
    contexts: dict[str, Entry] = field(default_factory=dict)
    users: dict[str, Entry] = field(default_factory=dict)
    current_context: str = ""
    preferences: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> Config:
        """A copy whose maps may be changed freely (entries are immutable values)."""
        return Config(dict(self.clusters), dict(self.contexts), dict(self.users), self.current_context,
                      dict(self.preferences))

    def section(self, name: str) -> dict[str, Entry]:
        return {"clusters": self.clusters, "contexts": self.contexts, "users": self.users}[name]


# --- loading ---------------------------------------------------------------------------------------


def _home_dir(environ: Mapping[str, str]) -> str:
    return environ.get("HOME") or os.path.expanduser("~")


@dataclass(frozen=True)
class LoadingRules:
    """Which files make up the kubeconfig (clientcmd's `ClientConfigLoadingRules`)."""

    explicit_path: str = ""
    precedence: tuple[str, ...] = ()

    @classmethod
    def from_environment(cls, explicit_path: str | None, environ: Mapping[str, str]) -> LoadingRules:
        files: list[str] = []
        env_value = environ.get("KUBECONFIG", "")
        if env_value:
            for name in env_value.split(os.pathsep):
                if name and name not in files:
                    files.append(name)
        else:
            files.append(os.path.join(_home_dir(environ), ".kube", "config"))
        return cls(explicit_path or "", tuple(files))

    @property
    def is_explicit(self) -> bool:
        return bool(self.explicit_path)

    def loading_precedence(self) -> list[str]:
        return [self.explicit_path] if self.explicit_path else list(self.precedence)

    def default_filename(self) -> str:
        """Where new entries and `current-context` go: the explicit file, else the first existing one."""
        if self.explicit_path:
            return self.explicit_path
        for name in self.loading_precedence():
            if os.path.exists(name):
                return name
        return self.precedence[0] if self.precedence else ""

    def load(self) -> Config:
        """The merged config; a missing `--kubeconfig` file is an error, missing others are skipped."""
        if self.explicit_path and not os.path.exists(self.explicit_path):
            raise KubeconfigError(f"stat {self.explicit_path}: no such file or directory")
        merged = Config()
        for name in self.loading_precedence():
            if not os.path.exists(name):
                continue
            loaded = load_file(name)
            for section, _ in _SECTIONS:
                target = merged.section(section)
                for key, entry in loaded.section(section).items():
                    target.setdefault(key, entry)
            if not merged.current_context:
                merged.current_context = loaded.current_context
            if not merged.preferences:
                merged.preferences = loaded.preferences
        return merged


def read_document(path: str) -> dict[str, Any]:
    """The raw YAML mapping of one file; a missing or empty file is an empty mapping."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise KubeconfigError(f'error loading config file "{path}": {error.strerror}') from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise KubeconfigError(f'error loading config file "{path}": {error}') from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise KubeconfigError(f'error loading config file "{path}": not a kubeconfig mapping')
    return document


def _named_entries(document: Mapping[str, Any], section: str, inner: str) -> Iterator[tuple[str, dict[str, Any]]]:
    items = document.get(section) or []
    if not isinstance(items, list):
        return
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            body = item.get(inner)
            yield item["name"], dict(body) if isinstance(body, dict) else {}


def _resolve(data: dict[str, Any], fields: Sequence[str], base: str) -> dict[str, Any]:
    resolved = dict(data)
    for key in fields:
        value = resolved.get(key)
        if isinstance(value, str) and value and not os.path.isabs(value):
            resolved[key] = os.path.join(base, value)
    return resolved


def load_file(path: str) -> Config:
    """One file as a config: entries carry `path` as their origin, file references made absolute."""
    document = read_document(path)
    base = os.path.abspath(os.path.dirname(path))
    config = Config()
    for section, inner in _SECTIONS:
        fields = {"clusters": CLUSTER_FILE_FIELDS, "users": USER_FILE_FIELDS}.get(section, ())
        for name, data in _named_entries(document, section, inner):
            config.section(section)[name] = Entry(_resolve(data, fields, base), path)
    current = document.get("current-context")
    config.current_context = current if isinstance(current, str) else ""
    preferences = document.get("preferences")
    config.preferences = dict(preferences) if isinstance(preferences, dict) else {}
    return config


# --- writing ---------------------------------------------------------------------------------------


def _relativize(data: Mapping[str, Any], fields: Sequence[str], destination: str) -> dict[str, Any]:
    base = os.path.abspath(os.path.dirname(destination))
    result = dict(data)
    for key in fields:
        value = result.get(key)
        if not isinstance(value, str) or not value:
            continue
        relative = os.path.relpath(value, base) if os.path.isabs(value) else value
        if relative.startswith("../"):
            if os.path.isabs(value):
                continue
            raise KubeconfigError(f"{value} requires backsteps and is not absolute")
        result[key] = relative
    return result


def _set_named(document: dict[str, Any], section: str, inner: str, name: str, data: Mapping[str, Any] | None) -> None:
    items = [item for item in (document.get(section) or []) if isinstance(item, dict)]
    kept = [item for item in items if item.get("name") != name]
    if data is not None:
        kept.append({"name": name, inner: dict(data)})
    document[section] = kept


class _Dumper(yaml.SafeDumper):
    """Go's YAML writer quotes with double quotes where PyYAML would use single ones (`current-context: ""`)."""

    def choose_scalar_style(self) -> str:
        style: str = super().choose_scalar_style()
        return '"' if style == "'" else style


def serialize(document: Mapping[str, Any]) -> str:
    """A kubeconfig document as kubectl writes it: sorted keys, entries sorted by name, no line folding."""
    sections = ("clusters", "contexts", "users")
    out: dict[str, Any] = {key: value for key, value in document.items() if key not in sections}
    out["apiVersion"] = out.get("apiVersion") or "v1"
    out["kind"] = out.get("kind") or "Config"
    out.setdefault("preferences", {})
    if out.get("current-context") is None:
        out["current-context"] = ""
    for section, _ in _SECTIONS:
        items = [item for item in (document.get(section) or []) if isinstance(item, dict)]
        out[section] = sorted(items, key=lambda item: str(item.get("name", ""))) or None
    return yaml.dump(out, Dumper=_Dumper, sort_keys=True, default_flow_style=False, width=1 << 30,
                     allow_unicode=True)


def _write(path: str, text: str) -> None:
    """Write in place of `path` (through a symlink, keeping the mode; new files are 0600), atomically."""
    target = os.path.realpath(path)
    directory = os.path.dirname(target) or "."
    os.makedirs(directory, mode=0o755, exist_ok=True)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o600
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


@contextmanager
def _locked(files: Sequence[str]) -> Iterator[None]:
    """clientcmd's lock: `<file>.lock` created exclusively for every file, in sorted order."""
    taken: list[str] = []
    try:
        for name in sorted(files):
            directory = os.path.dirname(name)
            if directory:
                os.makedirs(directory, mode=0o755, exist_ok=True)
            lock = name + ".lock"
            try:
                os.close(os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            except FileExistsError:
                raise KubeconfigError(f"open {lock}: file exists") from None
            taken.append(lock)
        yield
    finally:
        for lock in taken:
            Path(lock).unlink(missing_ok=True)


def modify_config(rules: LoadingRules, starting: Config, new: Config) -> None:
    """Persist the differences between `starting` and `new` as `clientcmd.ModifyConfig(..., true)` does."""
    with _locked(rules.loading_precedence()):
        documents: dict[str, dict[str, Any]] = {}

        def document_for(path: str) -> dict[str, Any]:
            if path not in documents:
                documents[path] = read_document(path)
            return documents[path]

        if starting.current_context != new.current_context:
            document_for(_current_context_file(rules, new.current_context))["current-context"] = new.current_context
        default = rules.default_filename()
        for section, inner in _SECTIONS:
            old_entries, new_entries = starting.section(section), new.section(section)
            fields = {"clusters": CLUSTER_FILE_FIELDS, "users": USER_FILE_FIELDS}.get(section, ())
            for name, entry in new_entries.items():
                if old_entries.get(name) == entry:
                    continue
                destination = entry.origin or default
                data = _relativize(entry.data, fields, destination) if fields else dict(entry.data)
                _set_named(document_for(destination), section, inner, name, data)
            for name, entry in old_entries.items():
                if name not in new_entries:
                    _set_named(document_for(entry.origin or default), section, inner, name, None)
        for path, document in documents.items():
            _write(path, serialize(document))


def _current_context_file(rules: LoadingRules, current_context: str) -> str:
    if rules.is_explicit or current_context:
        return rules.default_filename()
    for name in rules.loading_precedence():
        if os.path.exists(name) and read_document(name).get("current-context"):
            return name
    raise KubeconfigError("no config found to write context")


# --- client configuration --------------------------------------------------------------------------


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
