"""Whether an `openAPIV3Schema` is structural, with upstream's field paths and messages.

A structural schema gives every specified field a `type` (or `x-kubernetes-int-or-string` /
`x-kubernetes-preserve-unknown-fields`) outside of `allOf`/`anyOf`/`oneOf`/`not`; those "value
validations" may only restrict, never introduce, fields. `validate_structural` returns the causes
sorted by their text as upstream sorts them, for example
`spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified
object fields`. `unsupported_construct` is upstream's conversion step (`id`, `$schema`, `$ref`,
`patternProperties`, `dependencies`, `additionalItems`, `definitions`, `items` arrays, and
`x-kubernetes-preserve-unknown-fields: false`), whose error upstream reports only when nothing else did.

Not covered: the pattern check compiles with Python's `re`, so its error text is Python's, and a few Go
RE2-only constructs are reported as invalid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from apimachinery.crd.fieldpath import child, index, key
from apimachinery.errors import Cause
from apimachinery.validation import field

Schema = Mapping[str, Any]

ROOT, ITEM, FIELD = "root", "item", "field"
_EMPTY_TYPE = {
    ROOT: "must not be empty at the root",
    ITEM: "must not be empty for specified array items",
    FIELD: "must not be empty for specified object fields",
}
_EMBEDDED_OBJECT = "must be object if x-kubernetes-embedded-resource is true"
_INT_OR_STRING_ANY_OF = [{"type": "integer"}, {"type": "string"}]
_UNSUPPORTED = (
    ("id", "id"),
    ("$schema", "schema"),
    ("$ref", "$ref"),
    ("patternProperties", "patternProperties"),
    ("dependencies", "dependencies"),
    ("additionalItems", "additionalItems"),
    ("definitions", "definitions"),
)
_NESTED_FORBIDDEN = (
    ("type", "must be empty to be structural"),
    ("title", "must be empty to be structural"),
    ("description", "must be empty to be structural"),
    ("nullable", "must be false to be structural"),
    ("x-kubernetes-preserve-unknown-fields", "must be false to be structural"),
    ("x-kubernetes-embedded-resource", "must be false to be structural"),
    ("x-kubernetes-int-or-string", "must be false to be structural"),
    ("x-kubernetes-list-map-keys", "must be empty to be structural"),
)
_NESTED_UNDEFINED = ("x-kubernetes-list-type", "x-kubernetes-map-type")


def validate_structural(schema: Schema, path: str) -> list[Cause]:
    """Every structural violation of `schema` found at `path`, sorted by `field: message` as upstream."""
    causes = _invariants(schema, ROOT, path) + _completeness(schema, path)
    return sorted(causes, key=field.error_text)


def unsupported_construct(schema: Any) -> str:
    """The message of upstream's schema conversion error, or "" when the schema converts."""
    if not isinstance(schema, Mapping):
        return ""
    for name, label in _UNSUPPORTED:
        if schema.get(name) not in (None, "", {}):
            return f"OpenAPIV3Schema '{label}' is not supported"
    if schema.get("x-kubernetes-preserve-unknown-fields") is False:
        return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined"
    if isinstance(schema.get("items"), list):
        return "OpenAPIV3Schema 'items' must be a schema, but is an array"
    return next(filter(None, (unsupported_construct(sub) for sub in subschemas(schema))), "")


def subschemas(schema: Schema) -> list[Any]:
    """Direct child schemas: properties, items, additionalProperties and the junctors."""
    out: list[Any] = list((schema.get("properties") or {}).values())
    items = schema.get("items")
    out += items if isinstance(items, list) else [items]
    out += [schema.get("additionalProperties"), schema.get("not")]
    for junctor in ("allOf", "anyOf", "oneOf"):
        out += schema.get(junctor) or []
    return [sub for sub in out if isinstance(sub, Mapping)]


def additional_properties(schema: Schema) -> tuple[bool, Schema | None]:
    """(declared, schema) of `additionalProperties`; `true` and `false` are declared without a schema."""
    value = schema.get("additionalProperties")
    if isinstance(value, Mapping):
        return True, value
    return isinstance(value, bool), None


def _invariants(s: Schema, level: str, path: str) -> list[Cause]:
    causes: list[Cause] = []
    items = s.get("items")
    if s.get("type") == "array" and items is None:
        causes.append(field.required(child(path, "items"), "must be specified"))
    if isinstance(items, Mapping):
        causes += _invariants(items, ITEM, child(path, "items"))
    for name, prop in (s.get("properties") or {}).items():
        causes += _invariants(prop, FIELD, key(child(path, "properties"), name))
    causes += _additional_properties(s, level, path)
    causes += _extensions(s, path)
    causes += _value_validation(s, _is_int_or_string_any_of(s), _is_int_or_string_all_of(s), path)
    causes += _type_rules(s, level, path)
    causes += _meta_rules(s, level, path)
    return causes


def _additional_properties(s: Schema, level: str, path: str) -> list[Cause]:
    declared, schema = additional_properties(s)
    if not declared:
        return []
    where = child(path, "additionalProperties")
    causes = [field.forbidden(where, "must not be used at the root")] if level == ROOT else []
    return causes + (_invariants(schema, FIELD, where) if schema is not None else [])


def _extensions(s: Schema, path: str) -> list[Cause]:
    if not s.get("x-kubernetes-int-or-string"):
        return []
    detail = "must be false if x-kubernetes-int-or-string is true"
    causes = []
    if s.get("x-kubernetes-preserve-unknown-fields"):
        causes.append(field.invalid(child(path, "x-kubernetes-preserve-unknown-fields"), True, detail))
    if s.get("x-kubernetes-embedded-resource"):
        causes.append(field.invalid(child(path, "x-kubernetes-embedded-resource"), True, detail))
    return causes


def _type_rules(s: Schema, level: str, path: str) -> list[Cause]:
    causes: list[Cause] = []
    type_ = s.get("type") or ""
    embedded = bool(s.get("x-kubernetes-embedded-resource"))
    type_path = child(path, "type")
    if embedded and type_ != "object":
        causes.append(
            field.invalid(type_path, type_, _EMBEDDED_OBJECT) if type_ else field.required(type_path, _EMBEDDED_OBJECT)
        )
    elif not type_ and not s.get("x-kubernetes-int-or-string") and not s.get("x-kubernetes-preserve-unknown-fields"):
        causes.append(field.required(type_path, _EMPTY_TYPE[level]))
    if embedded and additional_properties(s)[0]:
        causes.append(
            field.forbidden(
                child(path, "additionalProperties"), "must not be used if x-kubernetes-embedded-resource is set"
            )
        )
    if level == ROOT and type_ and type_ != "object":
        causes.append(field.invalid(type_path, type_, "must be object at the root"))
    return causes


def _meta_rules(s: Schema, level: str, path: str) -> list[Cause]:
    causes: list[Cause] = []
    embedded = bool(s.get("x-kubernetes-embedded-resource"))
    check = level == ROOT or embedded
    properties = s.get("properties") or {}
    for name in ("kind", "apiVersion"):
        if check and name in properties and (properties[name].get("type") or "") != "string":
            where = child(key(child(path, "properties"), name), "type")
            causes.append(field.invalid(where, properties[name].get("type") or "", "must be string"))
    if "metadata" in properties:
        causes += _metadata(properties["metadata"], check, level, key(child(path, "properties"), "metadata"))
    if embedded and not s.get("x-kubernetes-preserve-unknown-fields") and not properties:
        detail = (
            "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"
        )
        causes.append(field.required(child(path, "properties"), detail))
    return causes


def _metadata(s: Schema, check: bool, level: str, path: str) -> list[Cause]:
    causes: list[Cause] = []
    if check and s.get("type") != "object":
        causes.append(field.invalid(child(path, "type"), s.get("type") or "", "must be object"))
    if level == ROOT and _metadata_restricts_more_than_names(s):
        detail = "must not specify anything other than name and generateName, but metadata is implicitly specified"
        causes.append(field.forbidden(path, detail))
    return causes


def _metadata_restricts_more_than_names(s: Schema) -> bool:
    names = set(s.get("properties") or {})
    only_names = bool(names) and names <= {"name", "generateName"}
    ignored = {"type", "default"} | ({"properties"} if only_names else set())
    return any(_is_set(value) for name, value in s.items() if name not in ignored)


def _is_set(value: Any) -> bool:
    """A Go field that differs from its zero value (numbers count even when 0: they are pointers)."""
    return value is not None and value is not False and value not in ("", [], {})


def _is_int_or_string_any_of(s: Schema) -> bool:
    return list(s.get("anyOf") or []) == _INT_OR_STRING_ANY_OF


def _is_int_or_string_all_of(s: Schema) -> bool:
    all_of = s.get("allOf") or []
    return bool(all_of) and list(all_of[0].get("anyOf") or []) == _INT_OR_STRING_ANY_OF


def _value_validation(v: Schema, skip_any_of: bool, skip_first_all_of_any_of: bool, path: str) -> list[Cause]:
    causes: list[Cause] = []
    if not skip_any_of:
        for i, sub in enumerate(v.get("anyOf") or []):
            causes += _nested(sub, False, index(child(path, "anyOf"), i))
    for i, sub in enumerate(v.get("allOf") or []):
        causes += _nested(sub, skip_first_all_of_any_of and i == 0, index(child(path, "allOf"), i))
    for i, sub in enumerate(v.get("oneOf") or []):
        causes += _nested(sub, False, index(child(path, "oneOf"), i))
    if isinstance(v.get("not"), Mapping):
        causes += _nested(v["not"], False, child(path, "not"))
    return causes + _pattern(v, path)


def _pattern(v: Schema, path: str) -> list[Cause]:
    pattern = v.get("pattern")
    if not pattern:
        return []
    try:
        re.compile(pattern)
    except re.error as err:
        detail = f"must be a valid regular expression, but isn't: error parsing regexp: {err}"
        return [field.invalid(child(path, "pattern"), pattern, detail)]
    return []


def _nested(v: Schema, skip_any_of: bool, path: str) -> list[Cause]:
    causes = _value_validation(v, skip_any_of, False, path)
    if isinstance(v.get("items"), Mapping):
        causes += _nested(v["items"], False, child(path, "items"))
    for name, prop in (v.get("properties") or {}).items():
        causes += _nested(prop, False, key(child(path, "properties"), name))
    additional = v.get("additionalProperties")
    if isinstance(additional, Mapping) or additional is True:
        causes.append(field.forbidden(child(path, "additionalProperties"), "must be undefined to be structural"))
    return causes + _nested_forbidden(v, path)


def _nested_forbidden(v: Schema, path: str) -> list[Cause]:
    causes: list[Cause] = []
    if v.get("default") is not None:
        causes.append(field.forbidden(child(path, "default"), "must be undefined to be structural"))
    for name, detail in _NESTED_FORBIDDEN:
        if v.get(name):
            causes.append(field.forbidden(child(path, name), detail))
    for name in _NESTED_UNDEFINED:
        if v.get(name) is not None:
            causes.append(field.forbidden(child(path, name), "must be undefined to be structural"))
    if v.get("x-kubernetes-validations"):
        causes.append(field.forbidden(child(path, "x-kubernetes-validations"), "must be empty to be structural"))
    if "metadata" in (v.get("properties") or {}):
        where = key(child(path, "properties"), "metadata")
        causes.append(field.forbidden(where, "must not be specified in a nested context"))
    return causes


def _completeness(s: Schema, path: str) -> list[Cause]:
    """Value validations may only name fields the structural part of the schema specifies."""
    return _junctor_completeness(s, s, path, path)


def _junctor_completeness(v: Schema, s: Schema | None, s_path: str, v_path: str) -> list[Cause]:
    causes: list[Cause] = []
    if isinstance(v.get("not"), Mapping):
        causes += _nested_completeness(v["not"], s, s_path, child(v_path, "not"))
    for junctor in ("allOf", "anyOf", "oneOf"):
        for i, sub in enumerate(v.get(junctor) or []):
            causes += _nested_completeness(sub, s, s_path, index(child(v_path, junctor), i))
    return causes


def _nested_completeness(v: Schema, s: Schema | None, s_path: str, v_path: str) -> list[Cause]:
    if s is None:
        return [field.required(s_path, f"because it is defined in {v_path}")]
    causes = _junctor_completeness(v, s, s_path, v_path)
    if isinstance(v.get("items"), Mapping):
        items = s.get("items") if isinstance(s.get("items"), Mapping) else None
        causes += _nested_completeness(v["items"], items, child(s_path, "items"), child(v_path, "items"))
    s_properties = s.get("properties") or {}
    for name, sub in (v.get("properties") or {}).items():
        where = key(child(s_path, "properties"), name)
        defined_in = key(child(v_path, "properties"), name)
        if name not in s_properties:
            causes.append(field.required(where, f"because it is defined in {defined_in}"))
        else:
            causes += _nested_completeness(sub, s_properties[name], where, defined_in)
    return causes
