"""The shape of an object as field management needs it, read from a resource's OpenAPI-like schemas.

A `TypeRef` answers, at one position of an object: which map keys are declared fields, the type of a
field or list item, whether a map or list is atomic (a single leaf), and how a list's items are named
(`set`: by value, `map`: by the `x-kubernetes-list-map-keys`). Without `x-kubernetes-list-type`, a
`merge` patch strategy with a merge key makes a map list, without a key a set, as upstream converts
built-in schemas. Where nothing is declared (`x-kubernetes-preserve-unknown-fields`, untyped values)
the type is *deduced*: maps are granular with deduced values, lists are atomic, anything else a leaf.
The root's `metadata` is always ObjectMeta.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from apimachinery.apis.schema import META, meta_schemas

Schema = dict[str, Any]
OBJECT_META = f"{META}.ObjectMeta"
ListType = Literal["atomic", "set", "map"]


@dataclass(frozen=True)
class Definitions:
    """The named schemas of one resource; `$ref` values name one of them."""

    schemas: Mapping[str, Schema]

    def resolve(self, schema: Schema | None) -> Schema | None:
        seen = 0
        while schema is not None and seen < 32:
            target = _ref_name(schema)
            if target is None:
                return schema
            schema = self.schemas.get(target) or meta_schemas().get(target)
            seen += 1
        return schema


def _ref_name(schema: Schema) -> str | None:
    ref = schema.get("$ref")
    if ref is None and len(schema.get("allOf") or []) == 1 and isinstance(schema["allOf"][0], dict):
        ref = schema["allOf"][0].get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


@dataclass(frozen=True)
class TypeRef:
    """A position in a schema; `schema` None means deduced."""

    definitions: Definitions
    schema: Schema | None
    is_root: bool = False

    @classmethod
    def root(cls, schemas: Mapping[str, Schema], name: str) -> TypeRef:
        definitions = Definitions(schemas)
        return cls(definitions, definitions.resolve({"$ref": name}) or {}, is_root=True)

    def _at(self, schema: Schema | None) -> TypeRef:
        return TypeRef(self.definitions, self.definitions.resolve(schema) if schema is not None else None)

    @property
    def deduced(self) -> bool:
        return self.schema is None

    @property
    def natural_kind(self) -> Literal["map", "list", "scalar"]:
        """What a null at this position counts as: its schema's kind (maps where untyped)."""
        if self.schema is None:
            return "map"
        kind = self.schema.get("type")
        if kind == "object" or "properties" in self.schema or "additionalProperties" in self.schema:
            return "map"
        return "list" if kind == "array" else "scalar"

    # ---- maps ----------------------------------------------------------------------------------
    def properties(self) -> Mapping[str, Schema]:
        return (self.schema or {}).get("properties") or {}

    def has_field(self, name: str) -> bool:
        """Whether `name` is a declared field (a struct member, not a free map key)."""
        return name in self.properties()

    @property
    def is_resource(self) -> bool:
        """The root, or an embedded resource: apiVersion, kind and metadata (ObjectMeta) are implied."""
        return self.is_root or bool((self.schema or {}).get("x-kubernetes-embedded-resource"))

    def field(self, name: str) -> TypeRef:
        if self.is_resource and name == "metadata":
            return self._at({"$ref": OBJECT_META})
        declared = self.properties().get(name)
        if declared is not None:
            return self._at(declared)
        extra = (self.schema or {}).get("additionalProperties")
        if isinstance(extra, dict):
            return self._at(extra)
        return self._at(None)

    def map_atomic(self) -> bool:
        return (self.schema or {}).get("x-kubernetes-map-type") == "atomic"

    def closed(self) -> bool:
        """Whether keys other than the declared fields are an error (a struct with known fields only)."""
        schema = self.schema
        if schema is None or schema.get("x-kubernetes-preserve-unknown-fields"):
            return False
        return bool(schema.get("properties")) and not isinstance(schema.get("additionalProperties"), dict)

    # ---- lists ---------------------------------------------------------------------------------
    def list_type(self) -> ListType:
        schema = self.schema or {}
        if self.schema is None or schema.get("type") not in ("array", None) or "items" not in schema:
            return "atomic"
        declared = schema.get("x-kubernetes-list-type")
        if declared == "map":
            return "map" if self.list_keys() else "set"
        if declared in ("atomic", "set"):
            return "set" if declared == "set" else "atomic"
        if "merge" in str(schema.get("x-kubernetes-patch-strategy") or "").split(","):
            return "map" if self.list_keys() else "set"
        return "atomic"

    def list_keys(self) -> list[str]:
        schema = self.schema or {}
        keys = schema.get("x-kubernetes-list-map-keys")
        if isinstance(keys, list) and keys:
            return [str(key) for key in keys]
        merge_key = schema.get("x-kubernetes-patch-merge-key")
        return [str(merge_key)] if merge_key and "x-kubernetes-list-type" not in schema else []

    def items(self) -> TypeRef:
        items = (self.schema or {}).get("items")
        return self._at(items if isinstance(items, dict) else None)

    def key_default(self, name: str) -> Any:
        return (self.items().properties().get(name) or {}).get("default")
