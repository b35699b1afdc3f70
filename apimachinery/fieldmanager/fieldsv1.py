"""FieldSet ↔ the `fieldsV1` JSON of a managedFields entry.

Each key is an encoded path element (`f:`, `k:`, `v:`, `i:`); its value is `{}` for a member with no
children, and an object of its children otherwise, where `".": {}` says that the element itself is also
a member. Keys are written in element order. Decoding skips keys with an unknown prefix, as upstream.
"""

from __future__ import annotations

from typing import Any

from apimachinery.fieldmanager.fieldset import FieldSet
from apimachinery.fieldmanager.path import decode_element


class FieldsV1Error(ValueError):
    """fieldsV1 that is not an object of encoded path elements."""


def encode(fields: FieldSet) -> dict[str, Any]:
    return _encode_node(fields, include_self=False)


def _encode_node(node: FieldSet, *, include_self: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if include_self and not node.empty():
        out["."] = {}
    for element in sorted(node.members | {pe for pe, child in node.children.items() if not child.empty()}):
        child = node.children.get(element)
        if child is None or child.empty():
            out[element.encoded()] = {}
        else:
            out[element.encoded()] = _encode_node(child, include_self=element in node.members)
    return out


def decode(raw: Any) -> FieldSet:
    """fieldsV1 JSON (None means empty) → FieldSet; FieldsV1Error if it cannot be read."""
    if raw is None:
        return FieldSet()
    if not isinstance(raw, dict):
        raise FieldsV1Error(f"fieldsV1 must be an object, got {type(raw).__name__}")
    children, _ = _decode_node(raw)
    return children or FieldSet()


def _decode_node(raw: dict[str, Any]) -> tuple[FieldSet | None, bool]:
    """(children or None, whether the node itself is a member). An empty object is a member."""
    children: FieldSet | None = None
    is_member = False
    for key, value in raw.items():
        if key == ".":
            is_member = True
            continue
        try:
            element = decode_element(key)
        except ValueError as err:
            raise FieldsV1Error(f"parsing key as path element: {err}") from None
        if element is None:
            continue
        if not isinstance(value, dict):
            raise FieldsV1Error(f"the value of {key!r} must be an object")
        grandchildren, child_is_member = _decode_node(value)
        if child_is_member or grandchildren is not None:
            children = children or FieldSet()
        if children is not None and child_is_member:
            children.members.add(element)
        if children is not None and grandchildren is not None:
            existing = children.children.get(element)
            children.children[element] = existing.union(grandchildren) if existing else grandchildren
    if children is None:
        is_member = True
    return children, is_member
