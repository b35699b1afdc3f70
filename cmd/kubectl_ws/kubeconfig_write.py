"""Writing kubeconfig files as `clientcmd.ModifyConfig` does: only entries that changed are written, each
into the file it came from (new ones into the default file), file references made relative again where
that needs no `../`, under `<file>.lock`, each touched file re-serialised the way kubectl writes it
(sorted keys, entries sorted by name).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from kubectl_ws.kubeconfig import (
    CLUSTER_FILE_FIELDS,
    SECTIONS,
    USER_FILE_FIELDS,
    Config,
    KubeconfigError,
    LoadingRules,
    read_document,
)


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
    for section, _ in SECTIONS:
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
        for section, inner in SECTIONS:
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


