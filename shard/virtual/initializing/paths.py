"""URLs of the initializing virtual workspace:
`/services/initializingworkspaces/<initializer>[/clusters/<cluster or *>]/<api path>`. Pure parsing."""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "/services/initializingworkspaces/"
WILDCARD = "*"


@dataclass(frozen=True)
class VirtualPath:
    """`cluster` is a logical cluster name, `*` for every cluster, or "" (discovery at the root)."""

    initializer: str
    cluster: str
    api_path: str


def parse(path: str) -> VirtualPath | None:
    if not path.startswith(PREFIX):
        return None
    initializer, _, rest = path[len(PREFIX) :].partition("/")
    if not initializer:
        return None
    rest = "/" + rest
    if not rest.startswith("/clusters/"):
        return VirtualPath(initializer, "", rest)
    cluster, _, tail = rest[len("/clusters/") :].partition("/")
    if not cluster or (":" in cluster and cluster != WILDCARD):
        return None  # kcp accepts a logical cluster name here, never a workspace path
    return VirtualPath(initializer, cluster, "/" + tail)
