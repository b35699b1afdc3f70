"""Decoding of request data into a built-in kind, as upstream decodes JSON into the kind's Go struct.

A typed object has nowhere to keep a field its schema does not declare: the decoder drops it, and under
fieldValidation Strict or Warn reports it (`unknown field "spec.foo"`); it reports a repeated known field
(`duplicate field "spec.paused"`) and, inside maps and untyped values, a repeated key. Errors come in the
order the Go decoder meets them, each once, at most 100. A field both unknown and repeated counts once,
as unknown, and nothing inside an unknown field is looked at.

Keys are visited in document order for a body just parsed (a `Pairs` object replays its repeated keys),
or sorted where upstream decodes JSON it wrote itself from a map (YAML converted to JSON, patched
objects): `sort_all`, or only the objects in `sorted_ids`. A repeated field is decoded into the value
already there, as Go does: structs and list items merge field by field, maps gain keys, anything else
is replaced. Schema kinds: `properties` is a struct, `additionalProperties` a map, `items` a list,
`x-kubernetes-preserve-unknown-fields` an untyped value, an object schema with neither is opaque (a type
that decodes itself, such as FieldsV1). A value of the wrong type is left alone (not an unknown field).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from apimachinery.apis.types import ResourceDefinition, Schema
from apimachinery.serializers.duplicates import Pairs, plain
from apimachinery.serializers.strict import MAX_DECODER_ERRORS, duplicate_field, unknown_field

SCALAR_TYPES = frozenset({"string", "integer", "number", "boolean"})


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class TypedDecoder:
    """One decoding; `errors` holds the strict errors, `unknown` the dropped paths (see `prune`)."""

    def __init__(
        self,
        schemas: Mapping[str, Schema],
        *,
        repeated: bool = False,
        sort_all: bool = False,
        sorted_ids: Collection[int] = (),
        limit: int = MAX_DECODER_ERRORS,
    ) -> None:
        self.schemas = schemas
        self.repeated = repeated  # some object of the input is a `Pairs`
        self.sort_all = sort_all
        self.sorted_ids = sorted_ids
        self.limit = limit
        self.errors: list[str] = []
        self.unknown: list[str] = []
        self._reported: set[str] = set()
        self._removals: list[tuple[dict[str, Any], str]] = []

    def decode(self, value: Any, schema: Schema, path: str = "") -> Any:
        """The decoded value; unknown fields of plain objects stay until `prune` (so it can be shown)."""
        schema = self._resolve(schema)
        if isinstance(value, dict):
            if schema.get("x-kubernetes-preserve-unknown-fields"):
                return self._untyped(value, path)
            properties = schema.get("properties")
            if properties is not None:
                return self._struct(value, properties, path)
            additional = schema.get("additionalProperties")
            if isinstance(additional, dict):
                return self._map(value, additional, path)
            return plain(value) if self.repeated else value
        if isinstance(value, list):
            if schema.get("x-kubernetes-preserve-unknown-fields"):
                return self._untyped(value, path)
            items = schema.get("items")
            if not isinstance(items, dict):
                return plain(value) if self.repeated else value
            for index, item in enumerate(value):
                if isinstance(item, (dict, list)):
                    value[index] = self.decode(item, items, f"{path}[{index}]")
        return value

    def prune(self) -> None:
        """Drop the unknown fields found in plain objects."""
        for obj, key in self._removals:
            obj.pop(key, None)
        self._removals.clear()

    # ---- kinds of schema -------------------------------------------------------------------------
    def _resolve(self, schema: Schema) -> Schema:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"]]
        return schema

    def _keys(self, obj: dict[str, Any]) -> Iterable[str]:
        return sorted(obj) if self.sort_all or id(obj) in self.sorted_ids else list(obj)

    def _struct(self, obj: dict[str, Any], properties: Mapping[str, Schema], path: str) -> dict[str, Any]:
        if isinstance(obj, Pairs):
            return self._struct_pairs(obj, properties, path)
        for key in self._keys(obj):
            schema = properties.get(key)
            if schema is None:
                self._unknown(_child(path, key))
                self._removals.append((obj, key))
                continue
            item = obj[key]
            if isinstance(item, (dict, list)):
                obj[key] = self.decode(item, schema, _child(path, key))
        return obj

    def _struct_pairs(self, obj: Pairs, properties: Mapping[str, Schema], path: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, item in obj.pairs:
            schema = properties.get(key)
            if schema is None:
                self._unknown(_child(path, key))
                continue
            if key in out:
                self._error(duplicate_field(_child(path, key)))
            if isinstance(item, (dict, list)):
                item = self.decode(item, schema, _child(path, key))
            out[key] = self._into(out[key], item, schema) if key in out else item
        return out

    def _map(self, obj: dict[str, Any], schema: Schema, path: str) -> dict[str, Any]:
        if isinstance(obj, Pairs):
            out: dict[str, Any] = {}
            for key, item in obj.pairs:
                if key in out:
                    self._error(duplicate_field(_child(path, key)))
                out[key] = self.decode(item, schema, _child(path, key)) if isinstance(item, (dict, list)) else item
            return out
        if self._resolve(schema).get("type") in SCALAR_TYPES:
            return obj  # nothing can be unknown or repeated below
        for key in self._keys(obj):
            item = obj[key]
            if isinstance(item, (dict, list)):
                obj[key] = self.decode(item, schema, _child(path, key))
        return obj

    def _untyped(self, value: Any, path: str) -> Any:
        """An `interface{}`: every repeated key is reported, nothing is unknown."""
        if not self.repeated:
            return value
        if isinstance(value, Pairs):
            out: dict[str, Any] = {}
            for key, item in value.pairs:
                if key in out:
                    self._error(duplicate_field(_child(path, key)))
                out[key] = self._untyped(item, _child(path, key))
            return out
        if isinstance(value, dict):
            return {key: self._untyped(item, _child(path, key)) for key, item in value.items()}
        if isinstance(value, list):
            return [self._untyped(item, f"{path}[{index}]") for index, item in enumerate(value)]
        return value

    def _into(self, old: Any, new: Any, schema: Schema) -> Any:
        """`new` decoded into the existing `old`, as Go's decoder does for a repeated field."""
        schema = self._resolve(schema)
        if new is None or schema.get("x-kubernetes-preserve-unknown-fields"):
            return new
        if isinstance(old, dict) and isinstance(new, dict):
            properties = schema.get("properties")
            if properties is not None:
                for key, item in new.items():
                    known = properties.get(key)
                    if known is not None:  # an unknown field of `new` is dropped, not carried over
                        old[key] = self._into(old[key], item, known) if key in old else item
                return old
            if isinstance(schema.get("additionalProperties"), dict):
                old.update(new)
                return old
        if isinstance(old, list) and isinstance(new, list) and isinstance(schema.get("items"), dict):
            items = schema["items"]
            return [self._into(old[i], item, items) if i < len(old) else item for i, item in enumerate(new)]
        return new

    # ---- errors ----------------------------------------------------------------------------------
    def _unknown(self, path: str) -> None:
        if self._error(unknown_field(path)):
            self.unknown.append(path)

    def _error(self, text: str) -> bool:
        if text in self._reported:
            return False
        self._reported.add(text)
        if len(self.errors) < self.limit:
            self.errors.append(text)
        return True


def decode_typed(
    resource: ResourceDefinition, obj: dict[str, Any], *, repeated: bool = False, sort_all: bool = False
) -> tuple[dict[str, Any], list[str]]:
    """The object as its Go type would keep it (unknown fields dropped), and the strict errors."""
    decoder = TypedDecoder(resource.schemas, repeated=repeated, sort_all=sort_all)
    decoded = decoder.decode(obj, resource.schemas[resource.schema_name])
    decoder.prune()
    return decoded, decoder.errors


def unknown_fields(resource: ResourceDefinition, obj: Mapping[str, Any]) -> list[str]:
    """Dotted paths of undeclared fields, in document order, as upstream reports them (`spec.foo`)."""
    decoder = TypedDecoder(resource.schemas, limit=0)
    decoder.decode(dict(obj), resource.schemas[resource.schema_name])
    return decoder.unknown
