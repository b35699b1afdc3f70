"""Translation of a CRD's OpenAPI schema to a draft-04 JSON Schema for the fastjsonschema fast path.

The fast path may only say "valid" when the full walk (`kubeopenapi`) finds nothing, so the translation
is never more lenient: `nullable` adds `null` to `type`, `x-kubernetes-int-or-string` is
`integer|string`, kept formats become custom formats (`k8s:<name>`), numeric formats become ranges,
`enum` loses `null` (upstream never accepts `null` for an enum). Constructs where both would disagree
(non-integral bounds, compound enum values, `uniqueItems`, formats without a type, patterns Python
cannot compile) make the schema `NotFast`: the caller then always walks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from apimachinery.crd import formats
from apimachinery.crd.kubeopenapi import go_pattern, schema_types
from apimachinery.crd.openapi_numbers import numeric_type, range_error

Schema = Mapping[str, Any]
DRAFT4 = "http://json-schema.org/draft-04/schema#"
FORMAT_PREFIX = "k8s:"
_RANGES = {
    "int32": (-(1 << 31), (1 << 31) - 1),
    "int64": (-(1 << 63), (1 << 63) - 1),
    "float": (-3.4028234663852886e38, 3.4028234663852886e38),
}
_COPIED = ("maxLength", "minLength", "maxItems", "minItems", "maxProperties", "minProperties", "required")
_UNSUPPORTED = ("uniqueItems", "patternProperties", "dependencies", "additionalItems", "$ref", "definitions")


class NotFast(Exception):
    """The schema has a construct the fast path cannot judge exactly like the full walk."""


def format_checkers() -> dict[str, formats.Checker]:
    """The `formats=` argument for `fastjsonschema.compile` matching `to_json_schema`'s names."""
    return {FORMAT_PREFIX + name: check for name, check in formats.CHECKERS.items()}


def to_json_schema(schema: Schema) -> dict[str, Any]:
    """The draft-04 equivalent of `schema`; raises NotFast when there is none."""
    return {"$schema": DRAFT4, **_node(schema)}


def _node(s: Schema) -> dict[str, Any]:
    if any(s.get(name) for name in _UNSUPPORTED) or isinstance(s.get("items"), list):
        raise NotFast
    out: dict[str, Any] = {name: s[name] for name in _COPIED if s.get(name) is not None}
    all_of: list[dict[str, Any]] = [_node(sub) for sub in s.get("allOf") or []]
    types = schema_types(s)
    if types:
        out["type"] = types + (["null"] if s.get("nullable") else [])
    fmt = formats.kept_format(types[0] if len(types) == 1 else "", s.get("format") or "")
    if fmt and not types:
        raise NotFast  # kube-openapi then type-checks non-strings against the format name
    all_of += _numeric(s, types, fmt)
    if fmt and formats.checker(fmt) is not None:
        out["format"] = FORMAT_PREFIX + formats.normalize(fmt)
    if s.get("pattern"):
        out["pattern"] = _pattern(s["pattern"])
    if "enum" in s:
        all_of += _enum(s["enum"], out)
    out.update(_structure(s))
    if all_of:
        out["allOf"] = all_of
    return out


def _numeric(s: Schema, types: list[str], fmt: str) -> list[dict[str, Any]]:
    type_name, number_format = numeric_type(types, fmt)
    constraints: list[dict[str, Any]] = []
    for name, label in (("maximum", "Maximum boundary"), ("minimum", "Minimum boundary"), ("multipleOf", "MultipleOf")):
        limit = s.get(name)
        if limit is None:
            continue
        if not float(limit).is_integer() or range_error(limit, type_name, number_format, label, "") is not None:
            raise NotFast
        if name == "multipleOf" and limit <= 0:
            raise NotFast
        constraints.append({name: int(limit), **_exclusive(s, name)})
    bounds = _RANGES.get(number_format or ("int64" if type_name == "integer" else ""))
    if bounds:
        constraints.append({"minimum": bounds[0], "maximum": bounds[1]})
    return constraints


def _exclusive(s: Schema, name: str) -> dict[str, Any]:
    key = {"maximum": "exclusiveMaximum", "minimum": "exclusiveMinimum"}.get(name)
    return {key: True} if key and s.get(key) else {}


def _pattern(pattern: str) -> str:
    translated = go_pattern(pattern)
    try:
        re.compile(translated)
    except re.error as error:
        raise NotFast from error
    return translated


def _enum(values: list[Any], out: dict[str, Any]) -> list[dict[str, Any]]:
    kept = [v for v in values if v is not None]
    if any(isinstance(v, (Mapping, list)) for v in kept):
        raise NotFast
    if not kept:
        return [{"not": {}}]
    out["enum"] = kept
    return []


def _structure(s: Schema) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(s.get("items"), Mapping):
        out["items"] = _node(s["items"])
    if s.get("properties"):
        out["properties"] = {name: _node(sub) for name, sub in s["properties"].items()}
    additional = s.get("additionalProperties")
    if additional is False:
        out["additionalProperties"] = False
    elif isinstance(additional, Mapping):
        out["additionalProperties"] = _node(additional)
    for junctor in ("anyOf", "oneOf"):
        if s.get(junctor):
            out[junctor] = [_node(sub) for sub in s[junctor]]
    if isinstance(s.get("not"), Mapping):
        out["not"] = _node(s["not"])
    return out
