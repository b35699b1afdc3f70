"""Workspace path arithmetic, pure: logical cluster paths, `.`/`..` resolution, and `/clusters/` URLs.

A workspace path is a colon-separated list of names (`root:org:team`), like a file path. This module
has kcp's `logicalcluster.Path` semantics (validity, parent, base, join, prefix), how the plugin
turns what the user typed into an absolute path (`~`, `/`→`:`, the legacy bare `root:` prefix,
relative names, `.` and `..`), and how a server URL `https://host[/prefix]/clusters/<path>` splits
into its base and its path. Nothing here does I/O; the home workspace, when needed, is looked up by
the caller and passed in.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit, urlunsplit

SEPARATOR = ":"
CLUSTERS_PREFIX = "/clusters/"

_NAME = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_PATH_RE = re.compile(f"^{_NAME}(:{_NAME})*$")

LEGACY_ROOT_NOTE = (
    "Note: Using 'root:' to define an absolute path is no longer supported. "
    "Instead, use ':root' to specify an absolute path."
)


class PathError(ValueError):
    """A path that cannot be formed (going above the top, a URL without a workspace)."""


@dataclass(frozen=True, order=True)
class LogicalPath:
    """A logical cluster path such as `root:org:team`; the empty path is "unset"."""

    value: str = ""

    def __str__(self) -> str:
        return self.value

    @property
    def empty(self) -> bool:
        return self.value == ""

    def is_valid(self) -> bool:
        """The wildcard `*`, or colon-separated DNS-label-like names."""
        return self.value == "*" or _PATH_RE.match(self.value) is not None

    def split(self) -> tuple[LogicalPath, str]:
        """(parent, last name); `system:` paths are never split, a single name has an empty parent."""
        if self.value.startswith("system:"):
            return LogicalPath(self.value), ""
        index = self.value.rfind(SEPARATOR)
        if index < 0:
            return LogicalPath(), self.value
        return LogicalPath(self.value[:index]), self.value[index + 1:]

    def parent(self) -> tuple[LogicalPath, bool]:
        """The parent path and whether there is one."""
        parent, _ = self.split()
        return parent, not parent.empty

    @property
    def base(self) -> str:
        return self.split()[1]

    def join(self, name: str) -> LogicalPath:
        return LogicalPath(name) if self.empty else LogicalPath(self.value + SEPARATOR + name)

    def has_prefix(self, other: LogicalPath) -> bool:
        if self == other or other.empty:
            return True
        if other.value.endswith(SEPARATOR):
            return self.value.startswith(other.value)
        return self.value.startswith(other.value + SEPARATOR)

    def request_path(self) -> str:
        """The URL path segment that addresses this logical cluster: `/clusters/<path>`."""
        return posixpath.normpath(posixpath.join("/clusters", self.value))

    def top(self) -> LogicalPath:
        """The top-most ancestor (the first name), e.g. `root` for `root:org:team`."""
        current = self
        while True:
            parent, has_parent = current.parent()
            if not has_parent:
                return current
            current = parent


ROOT = LogicalPath("root")


def resolve_dots(path: str) -> LogicalPath:
    """Drop `.` parts and apply `..` parts of a colon-separated path, left to right."""
    result = LogicalPath()
    for part in path.split(SEPARATOR):
        if part == ".":
            continue
        if part == "..":
            if result.empty:
                raise PathError("cannot go up from root")
            result, _ = result.parent()
            continue
        result = result.join(part)
    return result


@dataclass(frozen=True)
class ClusterURL:
    """A server URL with its `/clusters/<path>` part cut off (scheme, host, any prefix, query)."""

    parts: SplitResult

    def with_path(self, path: LogicalPath) -> str:
        """This URL pointing at `path`: `<prefix>/clusters/<path>` joined like Go's `path.Join`."""
        joined = _go_path_join(self.parts.path, path.request_path())
        return urlunsplit(self.parts._replace(path=joined))

    @property
    def base(self) -> str:
        """Scheme and host only, every path dropped: where the API client sends requests."""
        return urlunsplit((self.parts.scheme, self.parts.netloc, "", "", ""))


def _go_path_join(*elements: str) -> str:
    parts = [element for element in elements if element]
    if not parts:
        return ""
    cleaned = posixpath.normpath("/".join(parts))
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def parse_cluster_url(host: str) -> tuple[ClusterURL, LogicalPath]:
    """Split `host` at its first `/clusters/`; a URL without one, or with an invalid path, is an error."""
    try:
        parts = urlsplit(host)
    except ValueError as error:
        raise PathError(str(error)) from None
    index = parts.path.find(CLUSTERS_PREFIX)
    if index < 0:
        raise PathError(f"current cluster URL {host} is not pointing to a workspace")
    name = LogicalPath(parts.path[index + len(CLUSTERS_PREFIX):].split("/", 1)[0])
    if not name.is_valid():
        raise PathError(f'invalid cluster name: "{name}"')
    return ClusterURL(parts._replace(path=parts.path[:index])), name


def is_cluster_url(host: str) -> bool:
    try:
        parse_cluster_url(host)
    except PathError:
        return False
    return True


@dataclass(frozen=True)
class Preprocessed:
    """What the user typed, normalised: `name` plus any notes to print on stderr."""

    name: str
    notes: tuple[str, ...] = ()
    went_home_implicitly: bool = False


def preprocess(name: str, *, home_dir: str, short: bool) -> Preprocessed:
    """kcp's string-level rewriting of the argument before any lookup.

    A leading home directory (what the shell makes of `~`) becomes `~`, `/` becomes `:`, a bare
    `root` or `root:...` becomes absolute (with a note; the `root:` form only without `--short`), and
    nothing at all means the home workspace.
    """
    notes: list[str] = []
    if home_dir and name.startswith(home_dir):
        name = "~" + name[len(home_dir):]
    name = name.replace("/", SEPARATOR)
    if name == "root" or (name.startswith("root:") and not short):
        name = SEPARATOR + name
        notes.append(LEGACY_ROOT_NOTE)
    if name == "":
        return Preprocessed("~", tuple(notes), went_home_implicitly=True)
    return Preprocessed(name, tuple(notes))


def expand_home(name: str, home: LogicalPath) -> str:
    """`~` or `~:rest` as an absolute name (leading `:`) below the home workspace `home`."""
    return SEPARATOR + str(home) + name[1:]


def absolute_name(name: str, current: LogicalPath) -> str:
    """The absolute, not yet dot-resolved name: `:a:b` → `a:b`, relative `x` → `<current>:x`."""
    if name.startswith(SEPARATOR):
        return name[1:]
    return str(current.join(name))


def home_path_from_url(url: str) -> LogicalPath:
    """The home workspace path from its `spec.URL` (everything after `/clusters/`)."""
    path = urlsplit(url).path
    return LogicalPath(path[len(CLUSTERS_PREFIX):] if path.startswith(CLUSTERS_PREFIX) else path)


def is_valid_path_segment_name(name: str) -> bool:
    """client-go refuses resource names `.`, `..`, or containing `/` or `%` before sending a request."""
    return name not in (".", "..") and "/" not in name and "%" not in name
