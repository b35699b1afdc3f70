"""Discovery and OpenAPI documents of one logical cluster's catalog, cached per catalog.

A cluster's catalog object is replaced whenever its CRDs change, so a cache entry keyed by the catalog's
identity (holding the catalog, so the identity cannot be reused) is never stale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

from apimachinery import errors
from apimachinery.apis.catalog import Catalog
from shard.endpoints import discovery, openapi
from shard.endpoints.requestinfo import ApiPath
from shard.endpoints.responses import json_response

ROOT_PATHS = ["/api", "/api/v1", "/apis", "/openapi/v2", "/openapi/v3", "/version"]
CACHED_CATALOGS = 64


@dataclass
class _Cached:
    catalog: Catalog
    bodies: dict[str, bytes] = field(default_factory=dict)


@dataclass
class Documents:
    _cache: dict[int, _Cached] = field(default_factory=dict)

    def serve(self, request: web.Request, path: ApiPath, catalog: Catalog) -> web.StreamResponse:
        if path.kind in ("api", "apis"):
            return self._discovery_root(request, catalog, legacy=path.kind == "api")
        if path.kind == "group":
            return _found(discovery.api_group(catalog, path.group))
        if path.kind == "group_version":
            return _found(discovery.api_resource_list(catalog, path.group, path.version))
        if path.kind == "openapi":
            return self._openapi(request, catalog, path.rest)
        if path.kind == "root":
            return json_response({"paths": ROOT_PATHS})
        raise errors.resource_not_found_path()

    def _discovery_root(self, request: web.Request, catalog: Catalog, *, legacy: bool) -> web.StreamResponse:
        version = discovery.aggregated_version(request.headers.get("Accept", ""))
        if version:
            body = discovery.aggregated(catalog, legacy=legacy, version=version)
            return json_response(body, content_type=discovery.aggregated_content_type(version))
        host = request.host or ""
        return json_response(discovery.api_versions(host) if legacy else discovery.api_group_list(catalog))

    def _openapi(self, request: web.Request, catalog: Catalog, rest: str) -> web.StreamResponse:
        if rest == "v2":
            accept = request.headers.get("Accept", "")
            if accept and "json" not in accept and "*/*" not in accept:
                raise errors.not_acceptable("only application/json is served for /openapi/v2")
            return self._cached(catalog, rest, lambda: openapi.v2_document(catalog))
        if rest == "v3":
            return self._cached(catalog, rest, lambda: openapi.v3_index(catalog))
        group, version = _group_version(rest[3:]) if rest.startswith("v3/") else ("", "")
        if not version or not catalog.in_group_version(group, version):
            raise errors.resource_not_found_path()
        return self._cached(catalog, rest, lambda: openapi.v3_document(catalog, group, version))

    def _cached(self, catalog: Catalog, name: str, build: Any) -> web.Response:
        entry = self._cache.get(id(catalog))
        if entry is None or entry.catalog is not catalog:
            if len(self._cache) >= CACHED_CATALOGS:
                self._cache.pop(next(iter(self._cache)))
            entry = self._cache[id(catalog)] = _Cached(catalog)
        if name not in entry.bodies:
            entry.bodies[name] = orjson.dumps(build())
        response = web.Response(body=entry.bodies[name])
        response.headers["Content-Type"] = "application/json"
        return response


def _group_version(gv: str) -> tuple[str, str]:
    parts = gv.split("/")
    if parts[0] == "api" and len(parts) == 2:
        return "", parts[1]
    if parts[0] == "apis" and len(parts) == 3:
        return parts[1], parts[2]
    return "", ""


def _found(body: dict[str, Any] | None) -> web.Response:
    if body is None:
        raise errors.resource_not_found_path()
    return json_response(body)
