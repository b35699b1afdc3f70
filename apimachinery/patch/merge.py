"""JSON merge patch (RFC 7386) as the API server applies `application/merge-patch+json`.

Owns `merge_patch`: an object patch merges key by key into the original, `null` deletes a key, any
non-object value replaces what was there. Nulls inside newly added objects are dropped, as upstream's
library drops them. Neither input is modified; unchanged subtrees of the original are shared with the
result (copy on write).
"""

from __future__ import annotations

from typing import Any

from apimachinery.errors import bad_request

INVALID_PATCH = "Invalid JSON Patch"


def merge_patch(original: Any, patch: Any) -> Any:
    """The patched document. A patch that is neither an object nor an array is a 400."""
    if isinstance(patch, list):
        return _prune_nulls(patch)
    if not isinstance(patch, dict):
        raise bad_request(INVALID_PATCH)
    if not isinstance(original, dict):
        return _prune_nulls(patch)
    return _merge_objects(original, patch)


def _merge_objects(original: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    result = dict(original)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
            continue
        current = result.get(key)
        if current is None or not isinstance(current, dict):
            result[key] = _prune_nulls(value)
        elif isinstance(value, dict):
            result[key] = _merge_objects(current, value)
        else:
            result[key] = value
    return result


def _prune_nulls(value: Any) -> Any:
    """Drop null members of objects, at any depth; null items of arrays stay."""
    if isinstance(value, dict):
        return {key: _prune_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_prune_nulls(item) for item in value]
    return value
