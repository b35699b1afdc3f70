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


def parse_resource_version(value: str) -> int:
    """A resourceVersion from a client: a decimal etcd revision, else 400 as upstream."""
    try:
        revision = int(value)
    except ValueError:
        raise errors.bad_request(f'invalid resource version "{value}"') from None
    if revision < 0:
        raise errors.bad_request(f'invalid resource version "{value}"')
    return revision


def check_list(request: ListRequest) -> None:
    if request.resource_version_match not in MATCHES:
        raise _invalid_list("resourceVersionMatch", request.resource_version_match,
                            'supported values: "Exact", "NotOlderThan"')
    if request.resource_version_match and not request.resource_version:
        raise _forbidden_list("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided")
    if request.resource_version_match == "Exact" and request.resource_version == "0":
        raise _forbidden_list("resourceVersionMatch",
                              'resourceVersionMatch "exact" is forbidden for resourceVersion "0"')
    if request.continue_token and request.resource_version not in ("", "0"):
        raise _forbidden_list("resourceVersion", "specifying resource version is not allowed when using continue")
    if request.limit < 0:
        raise errors.bad_request("limit must be a non-negative integer")


def check_watch(request: WatchRequest) -> None:
    if request.send_initial_events is not None:
        if request.resource_version_match != "NotOlderThan":
            raise _forbidden_list("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch "
                                  "to NotOlderThan")
        if not request.allow_bookmarks and request.send_initial_events:
            raise _forbidden_list("allowWatchBookmarks", "sendInitialEvents requires setting allowWatchBookmarks "
                                  "to true")
        return
    if request.resource_version_match:
        raise _forbidden_list("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless "
                              "sendInitialEvents is provided")


def _forbidden_list(field: str, message: str) -> errors.StatusError:
    cause = errors.Cause("FieldValueForbidden", f"Forbidden: {message}", field)
    return errors.invalid("ListOptions", "", [cause], group="meta.k8s.io")


def _invalid_list(field: str, value: str, detail: str) -> errors.StatusError:
    cause = errors.Cause("FieldValueNotSupported", f'Unsupported value: "{value}": {detail}', field)
    return errors.invalid("ListOptions", "", [cause], group="meta.k8s.io")
