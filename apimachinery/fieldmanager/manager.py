"""The field manager of one resource: records `metadata.managedFields` on updates and performs applies.

It composes the steps of the upstream API server's field manager, outermost first:
- apply only: the configuration must be of this kind and version (400), carry no managedFields (400),
  and fit the schema (500 `failed to create typed patch object (...)`, as upstream);
- apply by `kubectl`: conflicts allowed by the last client-side apply are forced, and the
  last-applied annotation follows the applied configuration;
- an object never tracked stays untracked on update; before its first apply, everything it holds is
  credited to `before-first-apply`;
- at most ten Update managers; the oldest are folded into `ancient-changes`;
- ownership is computed by the Updater, then server-owned metadata (name, uid, resourceVersion, …)
  is removed from the acting manager's fields; its time is set when it changed something.
On update, managedFields sent by the client replace the stored ones (an empty list resets them), except
through a subresource; undecodable ones are ignored. Any failure of an update keeps the stored ones.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apimachinery import errors
from apimachinery.fieldmanager import entries, lastapplied
from apimachinery.fieldmanager.conflicts import ConflictsError, conflict_error
from apimachinery.fieldmanager.entries import APPLY, UPDATE, Managed, ManagedFieldsError, ManagerId, Owned
from apimachinery.fieldmanager.fieldset import FieldSet
from apimachinery.fieldmanager.fieldsof import SchemaError, validate_config
from apimachinery.fieldmanager.path import path_of
from apimachinery.fieldmanager.typeinfo import Schema, TypeRef
from apimachinery.fieldmanager.updater import FieldFilter, Owners, Updater, keep_all
from apimachinery.fieldmanager.values import MISSING

Object = dict[str, Any]
MAX_UPDATE_MANAGERS = 10
FIELD_MANAGER_MAX_LENGTH = 128
BEFORE_FIRST_APPLY = "before-first-apply"
ANCIENT_CHANGES = "ancient-changes"
_CURRENT = ManagerId("", "current-operation")
SERVER_OWNED = FieldSet.of(
    [path_of("apiVersion"), path_of("kind"), path_of("metadata")]
    + [
        path_of("metadata", name)
        for name in ("name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation")
    ]
    + [path_of("metadata", "managedFields"), path_of("metadata", "resourceVersion")]
)


def prefix_from_user_agent(user_agent: str) -> str:
    """The default manager name: the User-Agent up to its first "/", printable characters only, ≤128 bytes."""
    out, size = [], 0
    for char in user_agent.split("/", 1)[0]:
        if not char.isprintable():
            continue
        size += len(char.encode())
        if size > FIELD_MANAGER_MAX_LENGTH:
            break
        out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class FieldManager:
    root: TypeRef
    group: str
    version: str
    kind: str
    subresource: str = ""
    ignore: FieldFilter = keep_all

    @classmethod
    def of(
        cls,
        schemas: Mapping[str, Schema],
        schema_name: str,
        group: str,
        version: str,
        kind: str,
        *,
        subresource: str = "",
        ignore: FieldFilter = keep_all,
    ) -> FieldManager:
        return cls(TypeRef.root(schemas, schema_name), group, version, kind, subresource, ignore)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def updater(self) -> Updater:
        return Updater(self.root, self.api_version, self.ignore)

    # ---- update --------------------------------------------------------------------------------
    def update(self, live: Object, new: Object, manager: str, *, now: str) -> Object:
        """`new` with its managedFields for an Update by `manager`; `live` is {} on create."""
        try:
            return self._update(live, new, manager, now)
        except (SchemaError, ManagedFieldsError):
            return _with_entries(new, _meta(live).get("managedFields"))

    def _update(self, live: Object, new: Object, manager: str, now: str) -> Object:
        managed = self._base(live, new)
        new_plain = _plain(new)
        live_plain = _plain(live) if live else self._zero(new_plain)
        if not managed.owners and _meta(live).get("uid"):
            return new_plain
        acting = ManagerId.of(manager or "unknown", UPDATE, self.api_version, self.subresource)
        managed = self._record_update(live_plain, new_plain, managed, acting, now)
        return _with_entries(new_plain, entries.encode(managed))

    def _base(self, live: Object, new: Object) -> Managed:
        """The managers an update starts from: those sent by the client when usable, else the stored."""
        sent = _meta(new).get("managedFields", MISSING)
        if not self.subresource and sent is not MISSING and sent is not None:
            if sent == [] or sent == [{}]:
                return Managed()
            try:
                managed = entries.decode(sent)
            except ManagedFieldsError:
                managed = Managed()
            if managed.owners:
                return managed
        try:
            return entries.decode(_meta(live).get("managedFields"))
        except ManagedFieldsError:
            return Managed()

    def _zero(self, obj: Object) -> Object:
        """The empty object a write starts from when there is none: declared struct fields that `obj`
        holds empty count as present, as they cannot be told from their zero value in upstream's typed
        objects (so `kubectl create namespace` does not own `spec: {}`)."""
        return {key: {} for key, value in obj.items() if value == {} and self.root.field(key).properties()}

    def _record_update(self, live: Object, new: Object, managed: Managed, acting: ManagerId, now: str) -> Managed:
        owners = self.updater.update(live, new, managed.copy().owners, _CURRENT)
        _strip(owners, _CURRENT)
        times = dict(managed.times)
        current = owners.pop(_CURRENT, None)
        if current is not None:
            previous = owners.get(acting)
            fields = current.fields.union(previous.fields) if previous else current.fields
            owners[acting] = Owned(fields, current.api_version, current.applied)
            times[acting] = now
        return _capped(Managed(owners, times))

    # ---- apply ---------------------------------------------------------------------------------
    def apply(self, live: Object, config: Object, manager: str, *, force: bool, now: str) -> Object:
        """The live object ({} when absent) with `config` applied by `manager`; raises StatusError."""
        self._check_config(config)
        try:
            managed = entries.decode(_meta(live).get("managedFields"))
        except ManagedFieldsError as err:
            raise errors.StatusError(500, "InternalError", f"failed to decode managed fields: {err}") from None
        try:
            obj, managed = self._apply_allowing_last_applied(live, config, managed, manager, force, now)
        except ConflictsError as err:
            raise conflict_error(err.conflicts) from None
        except SchemaError as err:
            raise errors.StatusError(500, "InternalError", f"failed to merge config: {err}") from None
        if manager == lastapplied.KUBECTL and lastapplied.has_last_applied(obj):
            lastapplied.store(obj, lastapplied.build(config))
        return _with_entries(obj, entries.encode(managed))

    def _check_config(self, config: Object) -> None:
        group, _, version = str(config.get("apiVersion") or "").rpartition("/")
        if (group, version, config.get("kind")) != (self.group, self.version, self.kind):
            raise errors.bad_request(f"invalid object type: {group}/{version}, Kind={config.get('kind') or ''}")
        if _meta(config).get("managedFields") is not None:
            raise errors.bad_request("metadata.managedFields must be nil")
        problems = validate_config(config, self.root)
        if problems:
            where = f"{_meta(config).get('namespace') or ''}/{_meta(config).get('name') or ''}"
            detail = problems[0] if len(problems) == 1 else "errors:\n  " + "\n  ".join(problems)
            gvk = f"{self.group}/{self.version}, Kind={self.kind}"
            raise errors.StatusError(500, "", f"failed to create typed patch object ({where}; {gvk}): {detail}")

    def _apply_allowing_last_applied(
        self, live: Object, config: Object, managed: Managed, manager: str, force: bool, now: str
    ) -> tuple[Object, Managed]:
        try:
            return self._apply(live, config, managed.copy(), manager, force, now)
        except ConflictsError as err:
            if manager != lastapplied.KUBECTL:
                raise
            allowed = lastapplied.allowed_conflicts(_plain(live), self.root, self.api_version)
            if allowed is None:
                raise
            remaining = [c for c in err.conflicts if not allowed.has(c.path)]
            if remaining:
                raise ConflictsError(remaining) from None
            return self._apply(live, config, managed.copy(), manager, True, now)

    def _apply(
        self, live: Object, config: Object, managed: Managed, manager: str, force: bool, now: str
    ) -> tuple[Object, Managed]:
        live_plain = _plain(live)
        if not managed.owners:
            first = ManagerId.of(BEFORE_FIRST_APPLY, UPDATE, self.api_version, self.subresource)
            managed = self._record_update(self._zero(live_plain), live_plain, managed, first, now)
        acting = ManagerId.of(manager, APPLY, self.api_version, self.subresource)
        merged, owners = self.updater.apply(live_plain, config, managed.owners, acting, force=force)
        _strip(owners, acting)
        if merged is MISSING:
            return copy.deepcopy(live_plain), managed
        managed.times[acting] = now
        return merged, managed


def _meta(obj: Object) -> dict[str, Any]:
    metadata = obj.get("metadata")
    return metadata if isinstance(metadata, dict) else {}


def _plain(obj: Object) -> Object:
    """A copy of `obj` without managedFields."""
    out = dict(obj)
    if "managedFields" in _meta(obj):
        out["metadata"] = {k: v for k, v in _meta(obj).items() if k != "managedFields"}
    return out


def _with_entries(obj: Object, managed_fields: Any) -> Object:
    out = _plain(obj)
    if managed_fields:
        out["metadata"] = {**_meta(out), "managedFields": managed_fields}
    return out


def _strip(owners: Owners, manager: ManagerId) -> None:
    owned = owners.get(manager)
    if owned is None:
        return
    owned.fields = owned.fields.difference(SERVER_OWNED)
    if owned.fields.empty():
        del owners[manager]


def _capped(managed: Managed) -> Managed:
    """Fold the oldest Update managers into `ancient-changes` (one per apiVersion) beyond ten."""
    updaters = [m for m, owned in managed.owners.items() if not owned.applied]
    if len(updaters) <= MAX_UPDATE_MANAGERS:
        return managed
    updaters.sort(key=lambda m: ((managed.times.get(m) or "")[:19], m.identifier()))
    first_by_version: dict[str, ManagerId] = {}
    remaining = len(updaters)
    for manager in updaters:
        if remaining <= MAX_UPDATE_MANAGERS:
            break
        owned = managed.owners[manager]
        bucket = ManagerId.of(ANCIENT_CHANGES, UPDATE, owned.api_version)
        first = first_by_version.setdefault(owned.api_version, manager)
        if first == manager:
            continue
        if bucket not in managed.owners:
            managed.owners[bucket] = managed.owners.pop(first)
        merged = owned.fields.union(managed.owners[bucket].fields)
        managed.owners[bucket] = Owned(merged, owned.api_version, owned.applied)
        del managed.owners[manager]
        managed.times[bucket] = managed.times.get(manager)
        remaining -= 1
    return managed
