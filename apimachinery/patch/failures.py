"""The errors of strategic merge patch, and the Go value semantics its checks rely on.

Owns `PatchFailure` (an error with upstream's text; `to_status()` answers 400 for malformed directives,
422 for lists of lists, and 500 with no reason for everything else, as the API server does), the
directive names, and the helpers that compare and classify decoded JSON values the way Go's
`interface{}` comparisons and type switches do.
"""

from __future__ import annotations

from typing import Any

from apimachinery.errors import StatusError, bad_request
from apimachinery.validation.field import go_sprint, go_type_name

DIRECTIVE = "$patch"

BAD_PRIMITIVE_LIST = "invalid patch format of primitive list"
BAD_RETAIN_KEYS = "invalid patch format of retainKeys"
BAD_SET_ELEMENT_ORDER = "invalid patch format of setElementOrder list"
NO_LIST_OF_LISTS = "lists of lists are not supported"
_BAD_REQUEST_TEXTS = {BAD_PRIMITIVE_LIST, BAD_RETAIN_KEYS, BAD_SET_ELEMENT_ORDER}
_INVALID_TEXTS = {NO_LIST_OF_LISTS}


class PatchFailure(Exception):
    """A patch the algorithm rejects; `to_status()` answers as the API server does for that error."""

    def to_status(self) -> StatusError:
        message = str(self)
        if message in _BAD_REQUEST_TEXTS:
            return bad_request(message)
        if message in _INVALID_TEXTS:
            return StatusError(
                422, "Invalid", "the server rejected our request due to an error in our request"
            )
        return StatusError(500, "", message)


def bad_arg_type(expected: str, actual: Any) -> PatchFailure:
    return PatchFailure(f"expected a {expected}, but received a {go_type_name(actual)}")


def no_merge_key(item: dict[str, Any], merge_key: str) -> PatchFailure:
    return PatchFailure(f"map: {go_sprint(item)} does not contain declared merge key: {merge_key}")


def go_equal(left: Any, right: Any) -> bool:
    """Go's `==` on two decoded JSON scalars: same type and same value."""
    return type(left) is type(right) and left == right


def _kind(value: Any) -> type:
    return dict if isinstance(value, dict) else type(value)


def element_kind(*lists: list[Any]) -> type:
    """The one element type of the given lists (dict for objects); mixed types or nesting fail."""
    kind: type | None = None
    for items in lists:
        for item in items:
            if kind is None:
                kind = _kind(item)
                if kind is list:
                    raise PatchFailure(NO_LIST_OF_LISTS)
            elif kind is not _kind(item):
                raise PatchFailure(f"list element types are not identical: {go_sprint(list(lists))}")
    if kind is None:
        raise PatchFailure("no elements in any of the given slices")
    return kind


def find_by_key(items: list[Any], merge_key: str, value: Any) -> int:
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise PatchFailure(f"value for key {index} is not a map")
        if merge_key in item and go_equal(item[merge_key], value):
            return index
    return -1
