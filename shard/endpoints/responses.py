"""The only writer of objects and Status to the wire: JSON or YAML bodies, Status errors, warnings."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from apimachinery.errors import StatusError
from shard.endpoints.negotiation import JSON, Representation, encode

WARNINGS_KEY = "kplane.warnings"


def object_response(
    request: web.Request, representation: Representation, data: Any, *, status: int = 200
) -> web.Response:
    response = web.Response(
        body=encode(representation, data), status=status, content_type=representation.content_type.split(";")[0]
    )
    response.headers["Content-Type"] = representation.content_type
    add_warnings(request, response)
    return response


def json_response(data: Any, *, status: int = 200, content_type: str = JSON) -> web.Response:
    response = web.Response(body=orjson.dumps(data), status=status)
    response.headers["Content-Type"] = content_type
    return response


def status_response(error: StatusError) -> web.Response:
    response = json_response(error.to_status(), status=error.code)
    if error.retry_after_seconds:
        response.headers["Retry-After"] = str(error.retry_after_seconds)
    return response


def success_status(details: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


def warn(request: web.Request, message: str) -> None:
    """Queue a `Warning: 299 - "<message>"` header for this request's response."""
    request.setdefault(WARNINGS_KEY, []).append(message)


def add_warnings(request: web.Request, response: web.StreamResponse) -> None:
    for message in request.get(WARNINGS_KEY, []):
        escaped = message.replace("\\", "\\\\").replace('"', '\\"')
        response.headers.add("Warning", f'299 - "{escaped}"')
