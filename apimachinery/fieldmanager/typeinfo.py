"""The shape of an object as field management needs it, read from a resource's OpenAPI-like schemas.

A `TypeRef` answers, at one position of an object: which map keys are declared fields, the type of a
field or list item, whether a map or list is atomic (a single leaf), and how a list's items are named
(`set`: by value, `map`: by the `x-kubernetes-list-map-keys`). Without `x-kubernetes-list-type`, a
`merge` patch strategy with a merge key makes a map list, without a key a set, as upstream converts
built-in schemas. Where nothing is declared (`x-kubernetes-preserve-unknown-fields`, untyped values)
the type is *deduced*: maps are granular with deduced values, lists are atomic, anything else a leaf.
The root's `metadata` is always ObjectMeta.

Schemas are never changed once a resource is defined, so a resource's root TypeRef is kept (for the
last ROOTS_KEPT schema sets asked about) and every TypeRef remembers the positions below it it has
resolved: a write walks every field of its object, and resolving each position again for every write
was a fifth of the field manager's time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from apimachinery.apis.schema import META, meta_schemas

Schema = dict[str, Any]
OBJECT_META = f"{META}.ObjectMeta"
ListType = Literal["atomic", "set", "map"]
ROOTS_KEPT = 512


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
    # positions below this one, once resolved: declared fields (and metadata) by name, and under
    # _OTHER_FIELDS / _ITEMS the type of any other map key and of list items
    _fields: dict[str, TypeRef] = dataclasses.field(default_factory=dict, compare=False, repr=False)
    _below: dict[str, TypeRef] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def root(cls, schemas: Mapping[str, Schema], name: str) -> TypeRef:
        key = (id(schemas), name)
        kept = _roots.get(key)
        if kept is not None and kept.definitions.schemas is schemas:
            return kept
        definitions = Definitions(schemas)
        root = cls(definitions, definitions.resolve({"$ref": name}) or {}, is_root=True)
        if len(_roots) >= ROOTS_KEPT:
            del _roots[next(iter(_roots))]
        _roots[key] = root  # holds `schemas`, so its id is not reused while kept
        return root

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
        known = self._fields.get(name)
        if known is not None:
            return known
        if self.is_resource and name == "metadata":
            known = self._at({"$ref": OBJECT_META})
        else:
            declared = self.properties().get(name)
            if declared is None:
                return self._other_fields()  # not kept by name: free map keys are unbounded
            known = self._at(declared)
        self._fields[name] = known
        return known

    def _other_fields(self) -> TypeRef:
        known = self._below.get(_OTHER_FIELDS)
        if known is None:
            extra = (self.schema or {}).get("additionalProperties")
            known = self._below[_OTHER_FIELDS] = self._at(extra if isinstance(extra, dict) else None)
        return known

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
        known = self._below.get(_ITEMS)
        if known is None:
            items = (self.schema or {}).get("items")
            known = self._below[_ITEMS] = self._at(items if isinstance(items, dict) else None)
        return known

    def key_default(self, name: str) -> Any:
        return (self.items().properties().get(name) or {}).get("default")


_OTHER_FIELDS, _ITEMS = "additionalProperties", "items"
_roots: dict[tuple[int, str], TypeRef] = {}
