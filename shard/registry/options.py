"""Options of list, watch and delete requests, validated the way upstream validates them."""

from __future__ import annotations

from dataclasses import dataclass

from apimachinery import errors


@dataclass(frozen=True)
class ListRequest:
    label_selector: str = ""
    field_selector: str = ""
    limit: int = 0
    continue_token: str = ""
    resource_version: str = ""
    resource_version_match: str = ""


@dataclass(frozen=True)
class WatchRequest:
    label_selector: str = ""
    field_selector: str = ""
    resource_version: str = ""
    resource_version_match: str = ""
    allow_bookmarks: bool = False
    send_initial_events: bool | None = None


@dataclass(frozen=True)
class DeleteRequest:
    propagation_policy: str = ""
    precondition_uid: str | None = None
    precondition_resource_version: str | None = None
    dry_run: bool = False
    grace_period_seconds: int | None = None


MATCHES = ("", "Exact", "NotOlderThan")
MAX_RESOURCE_VERSION = 2**64 - 1


def parse_resource_version(value: str) -> int:
    """A resourceVersion from a client: an unsigned 64-bit decimal etcd revision, else 400 as upstream."""
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_RESOURCE_VERSION:
        raise errors.bad_request(f'invalid resource version "{value}"')
    return int(value)


def check_list(request: ListRequest) -> None:
    causes: list[errors.Cause] = []
    match, rv = request.resource_version_match, request.resource_version
    if match not in MATCHES:
        causes.append(_not_supported("resourceVersionMatch", match, '"Exact", "NotOlderThan", ""'))
    elif match and request.continue_token:
        causes.append(_forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"))
    elif match and not rv:
        causes.append(
            _forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided")
        )
    elif match == "Exact" and rv == "0":
        causes.append(
            _forbidden("resourceVersionMatch", 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"')
        )
    _raise(causes)
    if request.continue_token and rv not in ("", "0"):
        raise errors.bad_request("specifying resource version is not allowed when using continue")
    if request.limit < 0:
        raise errors.bad_request("limit must be a non-negative integer")


def check_watch(request: WatchRequest) -> None:
    causes: list[errors.Cause] = []
    match = request.resource_version_match
    if request.send_initial_events is not None:
        if match != "NotOlderThan":
            causes.append(
                _forbidden(
                    "resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
                )
            )
        if request.send_initial_events and not request.allow_bookmarks:
            causes.append(
                _forbidden("allowWatchBookmarks", "sendInitialEvents requires setting allowWatchBookmarks to true")
            )
        if match and match != "NotOlderThan":
            causes.append(_not_supported("resourceVersionMatch", match, '"NotOlderThan"'))
    elif match:
        causes.append(
            _forbidden(
                "resourceVersionMatch",
                "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
            )
        )
    _raise(causes)


def _raise(causes: list[errors.Cause]) -> None:
    if causes:
        raise errors.invalid("ListOptions", "", causes, group="meta.k8s.io")


def _forbidden(field: str, message: str) -> errors.Cause:
    return errors.Cause("FieldValueForbidden", f"Forbidden: {message}", field)


def _not_supported(field: str, value: str, supported: str) -> errors.Cause:
    return errors.Cause("FieldValueNotSupported", f'Unsupported value: "{value}": supported values: {supported}', field)
