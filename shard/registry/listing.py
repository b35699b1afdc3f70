"""List and watch of one resource in one logical cluster, with upstream resourceVersion semantics.

List: unset = latest, linearizable; "0" = any recent state; N (NotOlderThan) = a state at least as new
as N (wait, then 504); N with Exact = exactly revision N (410 once compacted).
Watch: unset or "0" = ADDED for the current state, then changes; N = changes after N; with
sendInitialEvents, a BOOKMARK annotated `k8s.io/initial-events-end` ends the initial state.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from apimachinery import errors
from shard.registry import keys, predicates
from shard.registry.context import RequestContext
from shard.registry.errors import translate
from shard.registry.options import ListRequest, WatchRequest, check_list, check_watch, parse_resource_version
from shard.registry.store import Store
from shard.storage import errors as storage_errors
from shard.storage import paging
from shard.storage.interface import ListOptions, ListResult, Predicate, WatchEvent

TOO_NEW_WAIT_SECONDS = 3.0
INITIAL_EVENTS_END = "k8s.io/initial-events-end"


async def list_objects(store: Store, ctx: RequestContext, request: ListRequest) -> dict[str, Any]:
    """The list response body (`<Kind>List`) for `request`."""
    check_list(request)
    predicate = predicates.build(store.resource, request.label_selector, request.field_selector)
    prefix = keys.collection_prefix(store.resource, ctx.cluster, ctx.namespace)
    try:
        revision = await _list_revision(store, request)
        result = await store.storage.list(
            prefix,
            ListOptions(
                revision=revision,
                limit=request.limit,
                continue_token=request.continue_token,
                predicate=predicate,
                consistent=request.resource_version != "0",
            ),
        )
    except storage_errors.ExpiredError as err:
        if request.continue_token:
            raise _expired_continue(prefix, request.continue_token) from None
        raise translate(err, store.resource, "") from None
    except storage_errors.StorageError as err:
        raise translate(err, store.resource, "") from None
    return _list_body(store, result)


EXPIRED_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. You can start a new list "
    "without the continue parameter, or use the continue token in this response to retrieve the remainder of the "
    "results. Continuing with the provided token results in an inconsistent list - objects that were created, "
    "modified, or deleted between the time the first chunk was returned and now may show up in the list."
)


def _expired_continue(prefix: str, token: str) -> errors.StatusError:
    """410 for a continue token whose snapshot was compacted, carrying a token that continues from the same
    key at the latest revision (upstream's inconsistent continuation)."""
    start = paging.decode_continue(prefix, token).start_key
    fresh = paging.encode_continue(prefix, paging.ContinueToken(paging.LATEST, start))
    error = errors.expired(EXPIRED_CONTINUE)
    error.extra_metadata["continue"] = fresh
    return error


async def _list_revision(store: Store, request: ListRequest) -> int:
    if request.continue_token or request.resource_version in ("", "0"):
        return 0
    revision = parse_resource_version(request.resource_version)
    if request.resource_version_match == "Exact":
        return revision
    await wait_for_revision(store, revision)
    return 0


async def wait_for_revision(store: Store, revision: int) -> None:
    """NotOlderThan a future revision: wait a little for it, then TooLargeResourceVersion (504)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TOO_NEW_WAIT_SECONDS
    current = await store.storage.current_revision()
    while current < revision:
        if loop.time() >= deadline:
            raise storage_errors.TooLargeResourceVersionError("", revision, current)
        await asyncio.sleep(0.1)
        current = await store.storage.current_revision()


def _list_body(store: Store, result: ListResult) -> dict[str, Any]:
    meta: dict[str, Any] = {"resourceVersion": str(result.revision)}
    if result.continue_token:
        meta["continue"] = result.continue_token
    if result.remaining_item_count is not None and result.continue_token:
        meta["remainingItemCount"] = result.remaining_item_count
    return {
        "kind": store.resource.list_kind,
        "apiVersion": store.resource.api_version,
        "metadata": meta,
        "items": [store.output(item) for item in result.items],
    }


@dataclass
class WatchStream:
    """The events of one watch, and `progress`: the revision up to which every change was delivered."""

    events: AsyncIterator[WatchEvent]
    progress: int = 0


def watch_objects(store: Store, ctx: RequestContext, request: WatchRequest) -> WatchStream:
    """Watch events as wire objects; BOOKMARK objects carry only kind, apiVersion and resourceVersion.

    Invalid options raise here, before the stream starts; storage errors (410 Expired) surface while
    iterating."""
    check_watch(request)
    predicate = predicates.build(store.resource, request.label_selector, request.field_selector)
    if request.resource_version not in ("", "0"):
        parse_resource_version(request.resource_version)
    prefix = keys.collection_prefix(store.resource, ctx.cluster, ctx.namespace)
    stream = WatchStream(_empty())
    stream.events = _watch(store, prefix, request, predicate, stream)
    return stream


async def _empty() -> AsyncIterator[WatchEvent]:
    return
    yield


async def _watch(
    store: Store, prefix: str, request: WatchRequest, predicate: Predicate | None, stream: WatchStream
) -> AsyncIterator[WatchEvent]:
    try:
        start, initial = await _initial_state(store, prefix, request, predicate)
        for event in initial:
            yield event
        stream.progress = start
        async for event in store.storage.watch(
            prefix, revision=start, predicate=predicate, bookmarks=request.allow_bookmarks
        ):
            stream.progress = max(stream.progress, event.revision)
            yield _wire_event(store, event)
    except storage_errors.StorageError as err:
        raise translate(err, store.resource, "") from None


async def _initial_state(
    store: Store, prefix: str, request: WatchRequest, predicate: Predicate | None
) -> tuple[int, list[WatchEvent]]:
    rv = request.resource_version
    wants_initial = request.send_initial_events if request.send_initial_events is not None else rv in ("", "0")
    if not wants_initial:
        return parse_resource_version(rv), []
    if rv not in ("", "0"):
        await wait_for_revision(store, parse_resource_version(rv))
    result = await store.storage.list(prefix, ListOptions(predicate=predicate, consistent=rv != "0"))
    events = [
        WatchEvent("ADDED", store.output(item), int(item["metadata"]["resourceVersion"])) for item in result.items
    ]
    if request.send_initial_events:
        events.append(bookmark(store, result.revision, initial_events_end=True))
    return result.revision, events


def bookmark(store: Store, revision: int, *, initial_events_end: bool = False) -> WatchEvent:
    meta: dict[str, Any] = {"resourceVersion": str(revision)}
    if initial_events_end:
        meta["annotations"] = {INITIAL_EVENTS_END: "true"}
    return WatchEvent(
        "BOOKMARK", {"kind": store.resource.kind, "apiVersion": store.resource.api_version, "metadata": meta}, revision
    )


def _wire_event(store: Store, event: WatchEvent) -> WatchEvent:
    if event.type == "BOOKMARK":
        return bookmark(store, event.revision)
    return WatchEvent(event.type, store.output(event.object), event.revision)
