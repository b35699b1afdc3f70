"""The webhook client config of CRD conversion: exactly one of an https URL (no user, query or
fragment) or a service (name, namespace, port 1-65535, a path of DNS-subdomain segments).

Not covered: `caBundle` PEM parsing and the exact `url.Parse` error texts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from apimachinery.crd.fieldpath import child
from apimachinery.errors import Cause
from apimachinery.validation import field
from apimachinery.validation.names import is_dns1123_subdomain

Obj = Mapping[str, Any]
_URL_FORM = "; desired format: https://host[/path]"


def client_config_causes(config: Obj | None, path: str) -> list[Cause]:
    if config is None:
        return [field.required(path, "required when strategy is set to Webhook")]
    url, service = config.get("url"), config.get("service")
    if (url is None) == (service is None):
        return [field.required(path, "exactly one of url or service is required")]
    if url is not None:
        return webhook_url_causes(url, child(path, "url"))
    return webhook_service_causes(service or {}, child(path, "service"))


def webhook_url_causes(url: str, path: str) -> list[Cause]:
    try:
        parts = urlsplit(url)
    except ValueError as err:
        return [field.required(path, f"url must be a valid URL: {err}{_URL_FORM}")]
    causes: list[Cause] = []
    if parts.scheme != "https":
        causes.append(field.invalid(path, parts.scheme, "'https' is the only allowed URL scheme" + _URL_FORM))
    host = parts.netloc.rpartition("@")[2]
    if not host:
        causes.append(field.invalid(path, host, "host must be specified" + _URL_FORM))
    if "@" in parts.netloc:
        causes.append(
            field.invalid(path, parts.netloc.rpartition("@")[0], "user information is not permitted in the URL")
        )
    if parts.fragment:
        causes.append(field.invalid(path, parts.fragment, "fragments are not permitted in the URL"))
    if parts.query:
        causes.append(field.invalid(path, parts.query, "query parameters are not permitted in the URL"))
    return causes


def webhook_service_causes(service: Obj, path: str) -> list[Cause]:
    causes: list[Cause] = []
    if not service.get("name"):
        causes.append(field.required(child(path, "name"), "service name is required"))
    if not service.get("namespace"):
        causes.append(field.required(child(path, "namespace"), "service namespace is required"))
    port = service.get("port", 443)
    if not isinstance(port, int) or not 1 <= port <= 65535:
        causes.append(
            field.invalid(child(path, "port"), port, "port is not valid: must be between 1 and 65535, inclusive")
        )
    return causes + _service_path(service.get("path"), child(path, "path"))


def _service_path(url_path: str | None, path: str) -> list[Cause]:
    if url_path is None or url_path in ("", "/"):
        return []
    if url_path == "//":
        return [field.invalid(path, url_path, "segment[0] may not be empty")]
    causes: list[Cause] = []
    if not url_path.startswith("/"):
        causes.append(field.invalid(path, url_path, "must start with a '/'"))
    steps = url_path[1:].removesuffix("/").split("/")
    for i, step in enumerate(steps):
        if not step:
            causes.append(field.invalid(path, url_path, f"segment[{i}] may not be empty"))
        elif errs := is_dns1123_subdomain(step):
            causes.append(field.invalid(path, url_path, f"segment[{i}]: {', '.join(errs)}"))
    return causes
