"""Kubeconfig files as kubectl (client-go `clientcmd`) reads, merges and rewrites them.

Loading follows clientcmd's rules: `--kubeconfig` alone, else every file of `KUBECONFIG` (first
file wins for a name, first non-empty `current-context` wins), else `~/.kube/config`; relative
file references are resolved against the file's directory and every entry remembers the file it
came from. Writing is in kubeconfig_write.py, the command-line overrides and the HTTP client's view in
restconfig.py.

This module deliberately does not import `apimachinery.kubeconfig`: that module pulls in the PKI
code (`cryptography`), a cost every `kubectl ws` invocation (often a shell prompt) would pay.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CLUSTER_FILE_FIELDS = ("certificate-authority",)
USER_FILE_FIELDS = ("client-certificate", "client-key", "tokenFile")

SECTIONS = (("clusters", "cluster"), ("contexts", "context"), ("users", "user"))


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
            for section, _ in SECTIONS:
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


def named_entries(document: Mapping[str, Any], section: str, inner: str) -> Iterator[tuple[str, dict[str, Any]]]:
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
    for section, inner in SECTIONS:
        fields = {"clusters": CLUSTER_FILE_FIELDS, "users": USER_FILE_FIELDS}.get(section, ())
        for name, data in named_entries(document, section, inner):
            config.section(section)[name] = Entry(_resolve(data, fields, base), path)
    current = document.get("current-context")
    config.current_context = current if isinstance(current, str) else ""
    preferences = document.get("preferences")
    config.preferences = dict(preferences) if isinstance(preferences, dict) else {}
    return config


# --- writing ---------------------------------------------------------------------------------------


