"""Ownership bookkeeping of one write, as structured-merge-diff's Updater does it.

update: the acting manager gains every field it added or modified and loses the ones it removed; other
managers lose the fields it changed (an update always wins) and the ones it removed.
apply:  the configuration is merged into the live object; the acting manager owns exactly the fields of
the configuration; fields it applied last time but no longer applies are removed from the object unless
another manager owns them; a change to a field another manager owns is a conflict unless `force`, in
which case that manager loses it.
Managers recorded for another apiVersion are left as they are (we keep one version per resource).
`ignore` removes the fields a write may not own (status through the main resource, and so on).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apimachinery.fieldmanager.compare import Comparison, compare
from apimachinery.fieldmanager.conflicts import Conflict, ConflictsError
from apimachinery.fieldmanager.entries import ManagerId, Owned
from apimachinery.fieldmanager.fieldset import FieldSet
from apimachinery.fieldmanager.fieldsof import fields_of, named_fields_are_members
from apimachinery.fieldmanager.merge import merge, remove_items
from apimachinery.fieldmanager.typeinfo import TypeRef
from apimachinery.fieldmanager.values import MISSING, equal

Owners = dict[ManagerId, Owned]
FieldFilter = Callable[[FieldSet], FieldSet]


def keep_all(fields: FieldSet) -> FieldSet:
    return fields


@dataclass(frozen=True)
class Updater:
    root: TypeRef
    api_version: str
    ignore: FieldFilter = keep_all

    def update(self, live: Any, new: Any, owners: Owners, manager: ManagerId) -> Owners:
        changes = self._settle(live, new, owners, manager, force=True)
        previous = owners[manager].fields if manager in owners else FieldSet()
        owned = previous.difference(changes.removed).union(changes.modified).union(changes.added)
        owners[manager] = Owned(self.ignore(owned), self.api_version, applied=False)
        if owners[manager].fields.empty():
            del owners[manager]
        return owners

    def apply(self, live: Any, config: Any, owners: Owners, manager: ManagerId, *, force: bool) -> tuple[Any, Owners]:
        """(the new object, or MISSING when it equals the live one; the new owners)."""
        merged = merge(live, config, self.root)
        last = owners.get(manager)
        owners[manager] = Owned(self.ignore(fields_of(config, self.root)), self.api_version, applied=True)
        merged = self._prune(merged, owners, last)
        self._settle(live, merged, owners, manager, force=force)
        return (MISSING if equal(live, merged) else merged), owners

    def _settle(self, live: Any, new: Any, owners: Owners, acting: ManagerId, *, force: bool) -> Comparison:
        """Take changed and removed fields away from the other managers; raise conflicts unless forced."""
        changes = compare(live, new, self.root).filtered(self.ignore)
        changed = changes.modified.union(changes.added)
        conflicts: dict[ManagerId, FieldSet] = {}
        for manager, owned in owners.items():
            if manager == acting or owned.api_version != self.api_version:
                continue
            overlap = owned.fields.intersection(changed)
            if not overlap.empty():
                conflicts[manager] = overlap
        if conflicts and not force:
            managers = sorted(conflicts, key=ManagerId.identifier)
            raise ConflictsError([Conflict(m, path) for m in managers for path in conflicts[m].paths()])
        for manager, owned in list(owners.items()):
            if manager == acting or owned.api_version != self.api_version:
                continue
            owned.fields = owned.fields.difference(conflicts.get(manager, FieldSet())).difference(changes.removed)
            if owned.fields.empty():
                del owners[manager]
        return changes

    def _prune(self, merged: Any, owners: Owners, last: Owned | None) -> Any:
        """Remove what the manager applied last time, no longer applies, and nobody else owns."""
        if last is None or last.fields.empty() or last.api_version != self.api_version:
            return merged
        root = self.root
        previously = named_fields_are_members(last.fields, root)
        pruned = _without(merged, previously, root)
        everyone = FieldSet()
        for owned in owners.values():
            if owned.api_version == self.api_version:
                everyone = everyone.union(owned.fields)
        merged_fields = named_fields_are_members(fields_of(merged, root), root)
        kept = named_fields_are_members(fields_of(pruned, root), root).union(named_fields_are_members(everyone, root))
        pruned = _without(merged, merged_fields.difference(kept), root)
        dangling = merged_fields.difference(named_fields_are_members(fields_of(pruned, root), root))
        return _without(merged, dangling.intersection(previously), root)


def _without(obj: Any, fields: FieldSet, root: TypeRef) -> Any:
    out = remove_items(obj, fields, root)
    return {} if out is MISSING else out
