"""The order of a merged list, as upstream produces it, and the `$setElementOrder` checks.

Owns `normalize_order` (patch items in patch order, server-only items in live order, woven together
where the live order places a server-only item before a patch item), `partition` (patch items versus
server-only items), `check_set_element_order`, and `live_view_after_merge`, which reproduces the live
list as upstream's in-place list edits leave it, so that `$setElementOrder` results match exactly.
"""

from __future__ import annotations

from typing import Any

from apimachinery.patch.failures import (
    DIRECTIVE,
    PatchFailure,
    bad_arg_type,
    find_by_key,
    go_equal,
    no_merge_key,
)
from apimachinery.validation.field import go_sprint


def _key_of(item: Any, merge_key: str, kind: type) -> Any:
    if kind is dict:
        return item.get(merge_key) if isinstance(item, dict) else None
    return item


def index_of(items: list[Any], wanted: Any, merge_key: str, kind: type) -> int:
    key = _key_of(wanted, merge_key, kind)
    return next((i for i, item in enumerate(items) if go_equal(_key_of(item, merge_key, kind), key)), -1)


def require_merge_keys(merge_key: str, *lists: list[Any]) -> None:
    for items in lists:
        for item in items:
            if not isinstance(item, dict):
                raise bad_arg_type("map[string]interface {}", item)
            if merge_key not in item:
                raise no_merge_key(item, merge_key)


def split_deletions(items: list[Any]) -> tuple[list[Any], list[Any]]:
    """Items to keep, and items carrying `$patch: delete`."""
    keep: list[Any] = []
    delete: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            raise bad_arg_type("map[string]interface {}", item)
        (delete if item.get(DIRECTIVE) == "delete" else keep).append(item)
    return keep, delete


def _sorted_by(items: list[Any], order: list[Any], merge_key: str, kind: type) -> list[Any]:
    deleted: list[Any] = []
    if kind is dict:
        require_merge_keys(merge_key, items, order)
        items, deleted = split_deletions(items)

    def position(item: Any) -> int:
        found = index_of(order, item, merge_key, kind)
        return found if found >= 0 else len(order)

    return sorted(items, key=position) + deleted


def _weave(
    server_only: list[Any], patch_items: list[Any], server_order: list[Any], merge_key: str, kind: type
) -> list[Any]:
    """Insert server-only items among patch items, before a patch item they preceded on the server."""
    out: list[Any] = []
    i = j = 0
    while i < len(server_only) or j < len(patch_items):
        if j >= len(patch_items):
            out.append(server_only[i])
            i += 1
        elif i >= len(server_only):
            out.append(patch_items[j])
            j += 1
        else:
            left = index_of(server_order, server_only[i], merge_key, kind)
            right = index_of(server_order, patch_items[j], merge_key, kind)
            if left >= 0 and right >= 0 and left < right:
                out.append(server_only[i])
                i += 1
            else:
                out.append(patch_items[j])
                j += 1
    return out


def normalize_order(
    patch_items: list[Any],
    server_only: list[Any],
    patch_order: list[Any],
    server_order: list[Any],
    merge_key: str,
    kind: type,
) -> list[Any]:
    """Patch items in patch order, server-only items in live order, woven together."""
    ordered_patch = _sorted_by(patch_items, patch_order, merge_key, kind)
    ordered_server = _sorted_by(server_only, server_order, merge_key, kind)
    return _weave(ordered_server, ordered_patch, server_order, merge_key, kind)


def partition(merged: list[Any], present: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    """Items that `present` names, and the others (server-only), each in merged order."""
    in_patch: list[Any] = []
    server_only: list[Any] = []
    for item in merged:
        if merge_key:
            if not isinstance(item, dict):
                raise bad_arg_type("map[string]interface {}", item)
            if merge_key not in item:
                raise no_merge_key(item, merge_key)
            found = find_by_key(present, merge_key, item[merge_key]) >= 0
        else:
            found = any(go_equal(item, other) for other in present)
        (in_patch if found else server_only).append(item)
    return in_patch, server_only


def live_view_after_merge(live: list[Any], patch: list[Any], merge_key: str) -> list[Any]:
    """The live list as upstream sees it after merging a list of objects into it.

    Upstream deletes `$patch: delete` items by shifting the live array in place and appends new items
    into the room that frees, so its later `$setElementOrder` pass orders server-only items against
    this altered array rather than the original one. Reproduced for identical orderings.
    """
    backing = list(live)
    length = len(backing)
    additions: list[Any] = []
    replace = False
    for item in patch:
        directive = item.get(DIRECTIVE) if isinstance(item, dict) else None
        if directive == "delete" and isinstance(item, dict) and merge_key in item:
            while (found := find_by_key(backing[:length], merge_key, item[merge_key])) >= 0:
                backing[found : length - 1] = backing[found + 1 : length]
                length -= 1
        elif directive == "replace":
            replace = True
        elif directive is None:
            additions.append(item)
    for item in [] if replace else additions:
        if (
            isinstance(item, dict)
            and merge_key in item
            and find_by_key(backing[:length], merge_key, item[merge_key]) < 0
        ):
            if length == len(backing):
                break
            backing[length] = item
            length += 1
    return backing


def check_set_element_order(patch_list: list[Any], order: list[Any], merge_key: str) -> None:
    """Every (non-deleted) patch item must appear in `$setElementOrder`, in the same relative order."""
    if not order or not patch_list:
        return
    items = split_deletions(patch_list)[0] if merge_key else patch_list
    at = seen = 0
    while at < len(items) and seen < len(order):
        if isinstance(items[at], dict) and DIRECTIVE in items[at]:
            at += 1
            continue
        if _same_entry(items[at], order[seen], merge_key):
            at += 1
        seen += 1
    if at < len(items) and seen >= len(order):
        raise PatchFailure(
            f"The order in patch list:\n{go_sprint(patch_list)}\n doesn't match $setElementOrder list:\n"
            f"{go_sprint(order)}\n"
        )


def _same_entry(left: Any, right: Any, merge_key: str) -> bool:
    if not merge_key:
        return go_equal(left, right)
    for side in (left, right):
        if not isinstance(side, dict):
            raise bad_arg_type("map[string]interface {}", side)
        if merge_key not in side:
            raise no_merge_key(side, merge_key)
    return go_equal(left[merge_key], right[merge_key])
