"""A typed, read-only view of a structural openAPIV3Schema, as the CEL validator needs it.

Owns `SchemaNode` (one schema level: its type, children, list/map semantics, bounds and its
`x-kubernetes-validations` entries as `RuleSpec`s), the CEL property-name escaping of upstream
`k8s.io/apiserver/pkg/cel.Escape`, and `with_type_and_object_meta`, which gives a resource root the
`apiVersion`, `kind` and `metadata.{name,generateName}` fields rules may always read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from apimachinery.validation.field import GoStruct

_RESERVED = frozenset(
    [
        "true",
        "false",
        "null",
        "in",
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "package",
        "namespace",
        "return",
        "var",
        "void",
        "while",
    ]
)
_IDENT = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_EXPAND = re.compile(r"__|[-./]")
_EXPANSIONS = {"__": "__underscores__", ".": "__dot__", "-": "__dash__", "/": "__slash__"}


@lru_cache(maxsize=4096)
def escape_property(name: str) -> str | None:
    """The CEL field name of a property (`foo-bar` -> `foo__dash__bar`), or None when it cannot be named."""
    if not name or name[0].isdigit():
        return None
    if name in _RESERVED:
        return f"__{name}__"
    escaped = _EXPAND.sub(lambda match: _EXPANSIONS[match.group(0)], name)
    return escaped if _IDENT.fullmatch(escaped) else None


@dataclass(frozen=True)
class RuleSpec:
    """One `x-kubernetes-validations` entry, with the defaults of an absent field."""

    rule: str
    message: str = ""
    message_expression: str = ""
    reason: str | None = None
    field_path: str = ""
    optional_old_self: bool | None = None

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RuleSpec:
        reason = raw.get("reason")
        optional = raw.get("optionalOldSelf")
        return cls(
            rule=str(raw.get("rule") or ""),
            message=str(raw.get("message") or ""),
            message_expression=str(raw.get("messageExpression") or ""),
            reason=None if reason is None else str(reason),
            field_path=str(raw.get("fieldPath") or ""),
            optional_old_self=None if optional is None else bool(optional),
        )

    def go_value(self) -> GoStruct:
        """The internal `apiextensions.ValidationRule` as upstream JSON-renders it in `Invalid value: ...`."""
        return GoStruct(
            Rule=self.rule,
            Message=self.message,
            MessageExpression=self.message_expression,
            Reason=self.reason,
            FieldPath=self.field_path,
            OptionalOldSelf=self.optional_old_self,
        )

    def error_string(self) -> str:
        """`ruleErrorString`: the trimmed message when there is one, else the trimmed rule."""
        return self.message.strip() or self.rule.strip()


@dataclass(frozen=True, eq=False)
class SchemaNode:
    """One level of a structural schema. Absent keywords take their zero value."""

    type: str = ""
    format: str = ""
    properties: Mapping[str, SchemaNode] = field(default_factory=dict)
    items: SchemaNode | None = None
    additional_properties: SchemaNode | None = None
    all_of: tuple[SchemaNode, ...] = ()
    int_or_string: bool = False
    preserve_unknown: bool = False
    embedded_resource: bool = False
    list_type: str = ""
    list_map_keys: tuple[str, ...] = ()
    map_type: str = ""
    max_items: int | None = None
    max_length: int | None = None
    max_properties: int | None = None
    required: tuple[str, ...] = ()
    enum: tuple[Any, ...] = ()
    has_default: bool = False
    rules: tuple[RuleSpec, ...] = ()

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> SchemaNode:
        """Build the view of `raw` and of every nested schema below it."""
        items = raw.get("items")
        additional = raw.get("additionalProperties")
        return cls(
            type=str(raw.get("type") or ""),
            format=str(raw.get("format") or ""),
            properties={name: cls.from_dict(sub) for name, sub in (raw.get("properties") or {}).items()},
            items=cls.from_dict(items) if isinstance(items, Mapping) else None,
            additional_properties=cls.from_dict(additional) if isinstance(additional, Mapping) else None,
            all_of=tuple(cls.from_dict(sub) for sub in raw.get("allOf") or ()),
            int_or_string=bool(raw.get("x-kubernetes-int-or-string")),
            preserve_unknown=bool(raw.get("x-kubernetes-preserve-unknown-fields")),
            embedded_resource=bool(raw.get("x-kubernetes-embedded-resource")),
            list_type=str(raw.get("x-kubernetes-list-type") or ""),
            list_map_keys=tuple(raw.get("x-kubernetes-list-map-keys") or ()),
            map_type=str(raw.get("x-kubernetes-map-type") or ""),
            max_items=_optional_int(raw.get("maxItems")),
            max_length=_optional_int(raw.get("maxLength")),
            max_properties=_optional_int(raw.get("maxProperties")),
            required=tuple(raw.get("required") or ()),
            enum=tuple(raw.get("enum") or ()),
            has_default="default" in raw,
            rules=tuple(RuleSpec.from_dict(rule) for rule in raw.get("x-kubernetes-validations") or ()),
        )

    def has_rules_below(self) -> bool:
        """Whether this level or any level under it carries `x-kubernetes-validations`."""
        children = [*self.properties.values(), *self.all_of]
        children += [child for child in (self.items, self.additional_properties) if child is not None]
        return bool(self.rules) or any(child.has_rules_below() for child in children)


def _optional_int(value: Any) -> int | None:
    return None if value is None or isinstance(value, bool) else int(value)


_STRING = SchemaNode(type="string")
_OBJECT_META = SchemaNode(type="object", properties={"name": _STRING, "generateName": _STRING})


def with_type_and_object_meta(node: SchemaNode) -> SchemaNode:
    """Upstream `WithTypeAndObjectMeta`: a resource root always exposes kind, apiVersion and metadata names."""
    props = node.properties
    metadata = props.get("metadata")
    if (
        _is(props.get("kind"), "string")
        and _is(props.get("apiVersion"), "string")
        and metadata is not None
        and metadata.type == "object"
        and _is(metadata.properties.get("name"), "string")
        and _is(metadata.properties.get("generateName"), "string")
    ):
        return node
    merged = {**props, "kind": _STRING, "apiVersion": _STRING, "metadata": _OBJECT_META}
    return replace(node, properties=merged)


def _is(node: SchemaNode | None, type_name: str) -> bool:
    return node is not None and node.type == type_name
