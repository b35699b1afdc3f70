"""The declarative description of how a kind is strategically merged: `PatchMeta` and `FieldMeta`.

A `PatchMeta` describes one JSON object type (a Go struct upstream): for each field whose handling
is not the default, a `FieldMeta` with the field's `patchStrategy` (`merge`, `replace`, optionally
with `retainKeys`), its `patchMergeKey`, and the `PatchMeta` of the nested object or of the list's
items. Fields not listed behave like untagged Go fields: objects and maps merge key by key, lists are
replaced whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class Strategy(StrEnum):
    """A field's `patchStrategy` tag, without `retainKeys` (which is a separate flag)."""

    DEFAULT = ""
    MERGE = "merge"
    REPLACE = "replace"


@dataclass(frozen=True)
class PatchMeta:
    """One object type; `name` is what upstream's messages call it (`struct`, `string`, `map`)."""

    fields: Mapping[str, FieldMeta] = field(default_factory=dict)
    name: str = "struct"

    def field(self, key: str) -> FieldMeta:
        return self.fields.get(key, DEFAULT_FIELD)


@dataclass(frozen=True)
class FieldMeta:
    """How one field patches; `meta` describes the nested object, or each item of a list."""

    strategy: Strategy = Strategy.DEFAULT
    merge_key: str = ""
    retain_keys: bool = False
    meta: PatchMeta | None = None

    @property
    def item(self) -> PatchMeta:
        return self.meta if self.meta is not None else OPAQUE


OPAQUE = PatchMeta()
SCALAR = PatchMeta(name="string")
DEFAULT_FIELD = FieldMeta()


def merge_list(merge_key: str = "", item: PatchMeta | None = None) -> FieldMeta:
    """`patchStrategy:"merge"`: a set of scalars, or objects matched by `merge_key`."""
    return FieldMeta(
        Strategy.MERGE, merge_key, meta=item if item is not None else (OPAQUE if merge_key else SCALAR)
    )


def replace() -> FieldMeta:
    """`patchStrategy:"replace"` (or an untagged list): the patch value replaces the field."""
    return FieldMeta(Strategy.REPLACE)


def nested(meta: PatchMeta) -> FieldMeta:
    """An untagged object field whose own fields have strategies."""
    return FieldMeta(meta=meta)
