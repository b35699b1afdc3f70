"""Strategic merge patch (`application/strategic-merge-patch+json`) for built-in kinds.

Owns `strategic_merge_patch`: the patch merges into the live object like a JSON merge patch, except
where the kind's `PatchMeta` says otherwise (lists merged by key or as sets, fields replaced whole),
and it honours the directives: `$patch: replace|delete` in an object, `$patch: replace|delete` items
in a merging list, `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>` and `$retainKeys`;
`null` deletes a field. Results, orderings and error texts follow upstream's implementation; an
error is raised as the `StatusError` the API server answers with (400, 422 or 500). Inputs are not
modified. `patch_meta_for(group, kind)` (None → answer 415) is re-exported from `strategies`.
"""

from __future__ import annotations

from typing import Any

from apimachinery.errors import StatusError, bad_request
from apimachinery.patch.failures import (
    BAD_PRIMITIVE_LIST,
    BAD_RETAIN_KEYS,
    BAD_SET_ELEMENT_ORDER,
    DIRECTIVE,
    PatchFailure,
    bad_arg_type,
    element_kind,
    go_equal,
)
from apimachinery.patch.meta import FieldMeta, PatchMeta, Strategy
from apimachinery.patch.ordering import (
    check_set_element_order,
    live_view_after_merge,
    normalize_order,
    partition,
)
from apimachinery.patch.strategic_lists import merge_lists
from apimachinery.patch.strategies import patch_meta_for
from apimachinery.validation.field import go_sprint

__all__ = ["strategic_merge_patch", "patch_meta_for", "PatchMeta"]

DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"
SET_ELEMENT_ORDER = "$setElementOrder"
RETAIN_KEYS = "$retainKeys"
_JSON_KINDS = {list: "array", str: "string", bool: "bool", int: "number", float: "number"}


def strategic_merge_patch(original: dict[str, Any], patch: Any, meta: PatchMeta) -> dict[str, Any]:
    """The live object with the patch applied; a bad patch raises the API server's `StatusError`."""
    if patch is None:
        patch = {}
    if not isinstance(patch, dict):
        kind = _JSON_KINDS.get(type(patch), "value")
        raise bad_request(f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}")
    try:
        return merge_map(_clone(original), _clone(patch), meta)
    except PatchFailure as failure:
        raise failure.to_status() from None
    except RecursionError:
        raise StatusError(500, "", "patch is nested too deeply") from None


def _clone(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _clone(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clone(item) for item in value]
    return value


def merge_map(original: dict[str, Any] | None, patch: dict[str, Any], meta: PatchMeta) -> dict[str, Any]:
    """Merge `patch` into `original` (both owned by the caller and modified in place)."""
    if DIRECTIVE in patch:
        return _map_directive(patch)
    target = {} if original is None else original
    _apply_retain_keys(target, patch)
    _apply_element_orders(target, patch, meta)
    for key, value in list(patch.items()):
        _merge_field(target, key, value, meta)
    return target


def _map_directive(patch: dict[str, Any]) -> dict[str, Any]:
    directive = patch[DIRECTIVE]
    if directive == "replace":
        del patch[DIRECTIVE]
        return patch
    if directive == "delete":
        return {}
    raise PatchFailure(f"unknown patch type: {go_sprint(directive)} in map: {go_sprint(patch)}")


def _apply_retain_keys(original: dict[str, Any], patch: dict[str, Any]) -> None:
    """`$retainKeys`: drop live fields not listed; every field the patch sets must be listed."""
    if RETAIN_KEYS not in patch:
        return
    retained = patch.pop(RETAIN_KEYS)
    if not isinstance(retained, list):
        raise PatchFailure(BAD_RETAIN_KEYS)
    for key, value in patch.items():
        if value is None or key.startswith((DELETE_FROM_PRIMITIVE_LIST, SET_ELEMENT_ORDER)):
            continue
        if not any(go_equal(key, kept) for kept in retained):
            raise PatchFailure(BAD_RETAIN_KEYS)
    for key in list(original):
        if not any(go_equal(key, kept) for kept in retained):
            del original[key]


def _directive_target(key: str, prefix: str, error: str) -> str:
    head, slash, rest = key.partition("/")
    if not slash or head != prefix:
        raise PatchFailure(error)
    return rest


def _list_or_fail(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise bad_arg_type("[]interface {}", value)
    return value


def _apply_element_orders(original: dict[str, Any], patch: dict[str, Any], meta: PatchMeta) -> None:
    """Process each `$setElementOrder/<field>` together with the patch's `<field>`."""
    for key in [k for k in patch if k.startswith(SET_ELEMENT_ORDER)]:
        order = _list_or_fail(patch.pop(key))
        name = _directive_target(key, SET_ELEMENT_ORDER, BAD_SET_ELEMENT_ORDER)
        live = _list_or_fail(original[name]) if name in original else None
        patched = _list_or_fail(patch[name]) if name in patch else None
        rule = meta.field(name)
        check_set_element_order(patched or [], order, rule.merge_key)
        if live is None and patched is None:
            continue
        merged = _ordered_merge(live, patched, rule)
        items, server_only = partition(merged, order, rule.merge_key)
        kind = element_kind(live or [], patched or [])
        server_order = live or []
        if kind is dict and live and patched and rule.strategy is Strategy.MERGE:
            server_order = live_view_after_merge(live, patched, rule.merge_key)
        original[name] = normalize_order(items, server_only, order, server_order, rule.merge_key, kind)
        patch.pop(name, None)


def _ordered_merge(live: list[Any] | None, patched: list[Any] | None, rule: FieldMeta) -> list[Any]:
    if patched is None:
        return live or []
    if live is None:
        cleaned, _ = _remove_directives(patched)
        result: list[Any] = cleaned
        return result
    return _merge_list_field(live, patched, rule, delete_list=False)


def _merge_list_field(
    live: list[Any], patched: list[Any], rule: FieldMeta, *, delete_list: bool
) -> list[Any]:
    if rule.strategy is Strategy.MERGE or delete_list:
        return merge_lists(
            live, patched, rule.item, rule.merge_key, delete_list=delete_list, merge_map=merge_map
        )
    return patched


def _merge_field(original: dict[str, Any], key: str, value: Any, meta: PatchMeta) -> None:
    delete_list = key.startswith(DELETE_FROM_PRIMITIVE_LIST)
    if delete_list:
        key = _directive_target(key, DELETE_FROM_PRIMITIVE_LIST, BAD_PRIMITIVE_LIST)
    if value is None:
        original.pop(key, None)
        return
    if key not in original or _go_kind(original[key]) is not _go_kind(value):
        if not delete_list:
            _set_cleaned(original, key, value)
        return
    rule = meta.field(key)
    live = original[key]
    if isinstance(live, dict):
        sub = rule.meta if rule.meta is not None else PatchMeta()
        original[key] = value if rule.strategy is Strategy.REPLACE else merge_map(live, value, sub)
    elif isinstance(live, list):
        original[key] = _merge_list_field(live, value, rule, delete_list=delete_list)
    else:
        _set_cleaned(original, key, value)


def _go_kind(value: Any) -> type:
    return dict if isinstance(value, dict) else type(value)


def _set_cleaned(original: dict[str, Any], key: str, value: Any) -> None:
    """Take a patch value that has nothing to merge with: nulls dropped, directive objects removed."""
    _discard_nulls(value)
    cleaned, keep = _remove_directives(value)
    if keep:
        original[key] = cleaned
    else:
        original.pop(key, None)


def _discard_nulls(value: Any) -> None:
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is None]:
            del value[key]
        for item in value.values():
            _discard_nulls(item)
    elif isinstance(value, list):
        for item in value:
            _discard_nulls(item)


def _remove_directives(value: Any) -> tuple[Any, bool]:
    """Objects carrying `$patch` vanish (from their parent object or list); the rest is kept."""
    if isinstance(value, dict):
        if DIRECTIVE in value:
            return None, False
        for key in list(value):
            cleaned, keep = _remove_directives(value[key])
            if keep:
                value[key] = cleaned
            else:
                del value[key]
        return value, True
    if isinstance(value, list):
        kept = [cleaned for cleaned, keep in map(_remove_directives, value) if keep]
        return kept, True
    return value, True
