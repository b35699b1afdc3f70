"""What a request path means: which logical cluster, and which API (discovery, OpenAPI, a resource…).

Paths are `/clusters/<cluster>/<api path>`; the API path follows upstream forms, including the legacy
`/watch/` prefix. Parsing is pure: no registry lookups here.
"""

from __future__ import annotations

from dataclasses import dataclass

NAMESPACE_SUBRESOURCES = ("status", "finalize")
VERBS_BY_METHOD = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


@dataclass(frozen=True)
class ResourcePath:
    """A resource request: `/api/v1/namespaces/ns/configmaps/name/status` and friends."""

    group: str
    version: str
    resource: str
    namespace: str = ""
    name: str = ""
    subresource: str = ""
    legacy_watch: bool = False


@dataclass(frozen=True)
class ApiPath:
    """Anything else under a cluster: discovery, OpenAPI, version, health; `kind` names which."""

    kind: str
    group: str = ""
    version: str = ""
    rest: str = ""


def split_cluster(path: str) -> tuple[str, str] | None:
    """`/clusters/root/api/v1` → (`root`, `/api/v1`); None if the path is not under /clusters/."""
    if not path.startswith("/clusters/"):
        return None
    rest = path[len("/clusters/") :]
    cluster, _, tail = rest.partition("/")
    return cluster, "/" + tail


def parse(api_path: str) -> ResourcePath | ApiPath | None:
    parts = [p for p in api_path.split("/") if p]
    if not parts:
        return ApiPath("root")
    head = parts[0]
    if head == "api":
        return _parse_group("", parts[1:], legacy=True)
    if head == "apis":
        if len(parts) == 1:
            return ApiPath("apis")
        return _parse_group(parts[1], parts[2:], legacy=False)
    if head == "openapi":
        return ApiPath("openapi", rest="/".join(parts[1:]))
    if head == "version" and len(parts) == 1:
        return ApiPath("version")
    if head in ("healthz", "livez", "readyz", "metrics") and len(parts) <= 2:
        return ApiPath(head, rest="/".join(parts[1:]))
    return None


def _parse_group(group: str, parts: list[str], *, legacy: bool) -> ResourcePath | ApiPath | None:
    if not parts:
        return ApiPath("api" if legacy else "group", group=group)
    version, rest = parts[0], parts[1:]
    if not rest:
        return ApiPath("group_version", group=group, version=version)
    watch = rest[0] == "watch"
    if watch:
        rest = rest[1:]
    namespace = ""
    if len(rest) == 3 and rest[0] == "namespaces" and rest[2] in NAMESPACE_SUBRESOURCES:
        return ResourcePath(group, version, "namespaces", name=rest[1], subresource=rest[2], legacy_watch=watch)
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    elif len(rest) == 2 and rest[0] == "namespaces" and not watch:
        return ResourcePath(group, version, "namespaces", name=rest[1])
    if not rest or len(rest) > 3:
        if namespace and not rest:
            return ResourcePath(group, version, "namespaces", name=namespace, legacy_watch=watch)
        return None
    name = rest[1] if len(rest) > 1 else ""
    subresource = rest[2] if len(rest) > 2 else ""
    return ResourcePath(group, version, rest[0], namespace, name, subresource, legacy_watch=watch)
