"""Errors of the plugin's API calls as client-go reports them: a `Status` body becomes an `ApiError` with its
reason and message; any other error body a generic message by HTTP code; a connection failure a
`TransportError`."""

from __future__ import annotations

import json
from dataclasses import dataclass

_GENERIC_MESSAGES = {
    400: ("BadRequest", "the server rejected our request for an unknown reason"),
    401: ("Unauthorized", "the server has asked for the client to provide credentials"),
    404: ("NotFound", "the server could not find the requested resource"),
    405: ("MethodNotAllowed", "the server does not allow this method on the requested resource"),
    422: ("Invalid", "the server rejected our request due to an error in our request"),
    429: ("TooManyRequests", "the server has received too many requests and has asked us to try again later"),
    504: ("Timeout", "the server was unable to return a response in the time allotted, "
                     "but may still be processing the request"),
}


class ApiError(Exception):
    """An error answer from the server, classified like client-go's `StatusError`."""

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message

    def _is(self, reason: str, code: int) -> bool:
        return self.reason == reason or (self.reason in ("", "Unknown") and self.code == code)

    @property
    def is_forbidden(self) -> bool:
        return self._is("Forbidden", 403)

    @property
    def is_not_found(self) -> bool:
        return self._is("NotFound", 404)

    @property
    def is_already_exists(self) -> bool:
        return self.reason == "AlreadyExists"


class TransportError(Exception):
    """The request never got an HTTP answer (refused, TLS failure, ...)."""


@dataclass(frozen=True)
class Resource:
    """What a request is about, for client-go's generic error texts: `(get workspaces.tenancy.kcp.io x)`."""

    group_resource: str = ""
    name: str = ""


def _generic_error(code: int, method: str, resource: Resource, body: bytes, content_type: str) -> ApiError:
    is_text = not content_type or content_type.split(";", 1)[0].strip().startswith("text/")
    server_message = body[:1024].decode("utf-8", "replace").strip() if is_text else "unknown"
    reason, message = "Unknown", f"the server responded with the status code {code} but did not return more information"
    if code == 409:
        reason = "AlreadyExists" if method == "POST" else "Conflict"
        message = "the server reported a conflict"
    elif code in (403, 406, 415):
        reason = {403: "Forbidden", 406: "NotAcceptable", 415: "UnsupportedMediaType"}[code]
        message = server_message
    elif code in _GENERIC_MESSAGES:
        reason, message = _GENERIC_MESSAGES[code]
    elif code >= 500:
        reason = "InternalError"
        message = f'an error on the server ("{server_message}") has prevented the request from succeeding'
    if resource.group_resource and resource.name:
        message = f"{message} ({method.lower()} {resource.group_resource} {resource.name})"
    elif resource.group_resource:
        message = f"{message} ({method.lower()} {resource.group_resource})"
    return ApiError(code, reason, message)


def error_from_response(code: int, method: str, resource: Resource, body: bytes, content_type: str) -> ApiError:
    """A `Status` body as its own error, anything else as client-go's generic error for `code`."""
    try:
        status = json.loads(body) if body else None
    except ValueError:
        status = None
    if isinstance(status, dict) and status.get("kind") == "Status" and status.get("status") != "Success":
        return ApiError(int(status.get("code") or code), str(status.get("reason") or ""),
                        str(status.get("message") or ""))
    return _generic_error(code, method, resource, body, content_type)


