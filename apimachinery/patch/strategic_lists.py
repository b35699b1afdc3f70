"""Merging a patch list into a live list under the `merge` strategy.

Owns `merge_lists`: lists of scalars merge as sets (or lose items for `$deleteFromPrimitiveList`),
lists of objects merge item by item on the merge key, honouring `$patch: delete` and
`$patch: replace` items; the result is ordered by `ordering.normalize_order`. Merging two matched
objects is delegated to the `merge_map` callable the caller passes in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apimachinery.patch.failures import (
    DIRECTIVE,
    PatchFailure,
    element_kind,
    find_by_key,
    go_equal,
    no_merge_key,
)
from apimachinery.patch.meta import PatchMeta
from apimachinery.patch.ordering import normalize_order, partition
from apimachinery.validation.field import go_sprint

MapMerger = Callable[[dict[str, Any] | None, dict[str, Any], PatchMeta], dict[str, Any]]


def _deduplicate(items: list[Any]) -> list[Any]:
    """Upstream's in-place dedup: a duplicate is overwritten by the last item, the list shortened."""
    out = list(items)
    last = len(out) - 1
    i = 0
    while i < last:
        j = i + 1
        while j <= last:
            if go_equal(out[i], out[j]):
                out[j] = out[last]
                out.pop()
                last -= 1
            else:
                j += 1
        i += 1
    return out


def _apply_item_directives(
    original: list[Any], patch: list[Any], merge_key: str
) -> tuple[list[Any], list[Any]]:
    """Handle `$patch` items: delete drops matching live items, replace discards the live list."""
    plain: list[Any] = []
    replace = False
    for item in patch:
        if DIRECTIVE not in item:
            plain.append(item)
        elif item[DIRECTIVE] == "delete":
            if merge_key not in item:
                raise no_merge_key(item, merge_key)
            original = [
                o for o in original if not (merge_key in o and go_equal(o[merge_key], item[merge_key]))
            ]
        elif item[DIRECTIVE] == "replace":
            replace = True
        elif item[DIRECTIVE] == "merge":
            raise PatchFailure("merging lists cannot yet be specified in the patch")
        else:
            raise PatchFailure(f"unknown patch type: {go_sprint(item[DIRECTIVE])} in map: {go_sprint(item)}")
    return (plain, []) if replace else (original, plain)


def _merge_objects(
    original: list[Any], patch: list[Any], merge_key: str, item_meta: PatchMeta, merge_map: MapMerger
) -> list[Any]:
    merged = list(original)
    for item in patch:
        if merge_key not in item:
            raise no_merge_key(item, merge_key)
        found = find_by_key(merged, merge_key, item[merge_key])
        if found >= 0:
            merged[found] = merge_map(merged[found], item, item_meta)
        else:
            merged.append(item)
    return merged


def merge_lists(
    original: list[Any],
    patch: list[Any],
    item_meta: PatchMeta,
    merge_key: str,
    *,
    delete_list: bool,
    merge_map: MapMerger,
) -> list[Any]:
    """A `merge`-strategy list (or a `$deleteFromPrimitiveList`) applied to the live list."""
    if not original and not patch:
        return original
    kind = element_kind(original, patch)
    if kind is not dict:
        if delete_list:
            return [item for item in original if not any(go_equal(item, gone) for gone in patch)]
        merged = _deduplicate(original + patch)
    else:
        if not merge_key:
            raise PatchFailure(f"cannot merge lists without merge key for {item_meta.name}")
        original, patch = _apply_item_directives(original, patch, merge_key)
        merged = _merge_objects(original, patch, merge_key, item_meta, merge_map)
    in_patch, server_only = partition(merged, patch, merge_key)
    return normalize_order(in_patch, server_only, patch, original, merge_key, kind)
