"""Query parameters and DeleteOptions of resource requests, parsed and validated as upstream does."""

from __future__ import annotations

from typing import Any

from multidict import MultiMapping

from apimachinery import errors
from shard.registry.context import WriteOptions
from shard.registry.options import DeleteRequest, ListRequest, WatchRequest

FIELD_VALIDATIONS = ("Strict", "Warn", "Ignore")


def truthy(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1")


def integer(query: MultiMapping[str], name: str, default: int = 0) -> int:
    raw = query.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise errors.bad_request(f'invalid value for {name}: "{raw}"') from None


def dry_run(values: list[str]) -> bool:
    for value in values:
        if value != "All":
            raise errors.bad_request(f'Invalid dry run value: "{value}"; supported values: "All"')
    return bool(values)


def write_options(query: MultiMapping[str]) -> WriteOptions:
    validation = query.get("fieldValidation", "") or "Warn"
    if validation not in FIELD_VALIDATIONS:
        raise errors.bad_request(f'fieldValidation must be one of "Strict", "Warn", "Ignore"; got "{validation}"')
    return WriteOptions(
        dry_run=dry_run(query.getall("dryRun", [])),
        field_manager=query.get("fieldManager", ""),
        field_validation=validation,
    )


def list_request(query: MultiMapping[str]) -> ListRequest:
    return ListRequest(
        label_selector=query.get("labelSelector", ""),
        field_selector=query.get("fieldSelector", ""),
        limit=integer(query, "limit"),
        continue_token=query.get("continue", ""),
        resource_version=query.get("resourceVersion", ""),
        resource_version_match=query.get("resourceVersionMatch", ""),
    )


def watch_request(query: MultiMapping[str]) -> WatchRequest:
    send = query.get("sendInitialEvents")
    return WatchRequest(
        label_selector=query.get("labelSelector", ""),
        field_selector=query.get("fieldSelector", ""),
        resource_version=query.get("resourceVersion", ""),
        resource_version_match=query.get("resourceVersionMatch", ""),
        allow_bookmarks=truthy(query.get("allowWatchBookmarks")),
        send_initial_events=None if send is None else truthy(send),
    )


def delete_request(query: MultiMapping[str], body: Any) -> DeleteRequest:
    """DeleteOptions from the body (JSON or protobuf, already decoded) or, failing that, the query."""
    options: dict[str, Any] = body if isinstance(body, dict) else {}
    preconditions = options.get("preconditions") or {}
    dry_run_values = [str(v) for v in options.get("dryRun") or query.getall("dryRun", None) or []]
    grace = options.get("gracePeriodSeconds", query.get("gracePeriodSeconds"))
    policy = options.get("propagationPolicy") or query.get("propagationPolicy", "")
    if policy and policy not in ("Background", "Foreground", "Orphan"):
        raise errors.bad_request(
            f'propagationPolicy: Unsupported value: "{policy}": supported values: "Foreground", "Background", "Orphan"'
        )
    return DeleteRequest(
        propagation_policy=policy,
        precondition_uid=preconditions.get("uid"),
        precondition_resource_version=preconditions.get("resourceVersion"),
        dry_run=dry_run(dry_run_values),
        grace_period_seconds=None if grace in (None, "") else int(grace),
    )
