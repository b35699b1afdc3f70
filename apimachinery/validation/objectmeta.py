"""Validation of `metadata` on create and update, with the API server's causes and messages.

Owns what upstream's generic ObjectMeta validation checks: name or generateName, namespace presence
and format, generation, labels, annotations, ownerReferences, finalizers and managedFields on
create; the immutable fields, resourceVersion presence, generation decrements and finalizers added
during deletion on update. It also owns the two request-level checks that answer 400 rather than 422:
the object's namespace against the request's, and the object's name against the URL's.
Metadata is the raw JSON dict; every function returns a list of `Cause` (empty when valid), which the
caller wraps with `apimachinery.errors.invalid(...)`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from apimachinery.errors import Cause, bad_request
from apimachinery.validation import field
from apimachinery.validation.names import (
    NameValidator,
    byte_length,
    is_qualified_name,
    name_is_dns_label,
    validate_annotations,
    validate_labels,
)

FIELD_IMMUTABLE = "field is immutable"
FINALIZER_ORPHAN = "orphan"
FINALIZER_FOREGROUND = "foregroundDeletion"
STANDARD_FINALIZERS = frozenset({"kubernetes", FINALIZER_ORPHAN, FINALIZER_FOREGROUND})
FIELD_MANAGER_MAX_LENGTH = 128
SUBRESOURCE_MAX_LENGTH = 256
_IMMUTABLE_STRINGS = ("name", "namespace", "uid")
_IMMUTABLE_OPTIONAL = ("creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds")

Meta = Mapping[str, Any]


def _path(root: str, child: str) -> str:
    return f"{root}.{child}" if root else child


def validate_create(
    meta: Meta,
    *,
    namespaced: bool,
    name_validator: NameValidator,
    kube_finalizers: bool = False,
    path: str = "metadata",
) -> list[Cause]:
    """Create-time checks; run after the name was generated from generateName.

    `kube_finalizers` adds the core API group's rule (ConfigMap, Secret, Namespace, ServiceAccount,
    Event) that a finalizer without a '/' must be a standard one.
    """
    causes: list[Cause] = []
    generate_name = meta.get("generateName") or ""
    if generate_name:
        gen_path = _path(path, "generateName")
        causes.extend(
            field.invalid(gen_path, generate_name, msg) for msg in name_validator(generate_name, True)
        )
    name = meta.get("name") or ""
    if not name:
        causes.append(field.required(_path(path, "name"), "name or generateName is required"))
    else:
        causes.extend(field.invalid(_path(path, "name"), name, msg) for msg in name_validator(name, False))
    causes += _validate_common(meta, namespaced=namespaced, path=path)
    if kube_finalizers:
        causes += validate_kube_finalizers(meta.get("finalizers") or [], _path(path, "finalizers"))
    return causes


def _validate_common(meta: Meta, *, namespaced: bool, path: str) -> list[Cause]:
    causes = _validate_namespace(meta.get("namespace") or "", namespaced=namespaced, path=path)
    causes += validate_generation(meta.get("generation") or 0, _path(path, "generation"))
    causes += validate_labels(meta.get("labels") or {}, _path(path, "labels"))
    causes += validate_annotations(meta.get("annotations") or {}, _path(path, "annotations"))
    causes += validate_owner_references(meta.get("ownerReferences") or [], _path(path, "ownerReferences"))
    causes += validate_finalizers(meta.get("finalizers") or [], _path(path, "finalizers"))
    causes += validate_managed_fields(meta.get("managedFields") or [], _path(path, "managedFields"))
    return causes


def _validate_namespace(namespace: str, *, namespaced: bool, path: str) -> list[Cause]:
    ns_path = _path(path, "namespace")
    if not namespaced:
        return [field.forbidden(ns_path, "not allowed on this type")] if namespace else []
    if not namespace:
        return [field.required(ns_path)]
    return [field.invalid(ns_path, namespace, msg) for msg in name_is_dns_label(namespace, False)]


def validate_generation(generation: int, path: str) -> list[Cause]:
    return [field.invalid(path, generation, "must be greater than or equal to 0")] if generation < 0 else []


def validate_finalizers(finalizers: list[str], path: str) -> list[Cause]:
    causes = [field.invalid(path, f, msg) for f in finalizers for msg in is_qualified_name(f)]
    if FINALIZER_ORPHAN in finalizers and FINALIZER_FOREGROUND in finalizers:
        detail = f"finalizer {FINALIZER_ORPHAN} and {FINALIZER_FOREGROUND} cannot be both set"
        causes.append(field.invalid(path, finalizers, detail))
    return causes


def _validate_owner_reference(ref: Mapping[str, Any], path: str) -> list[Cause]:
    causes: list[Cause] = []
    api_version = ref.get("apiVersion") or ""
    group, _, version = api_version.rpartition("/")
    if not api_version:
        causes.append(field.required(f"{path}.apiVersion", "must not be empty"))
    elif not version or api_version.count("/") > 1:
        causes.append(
            field.invalid(f"{path}.apiVersion", api_version, "must be <group>/<version> or <version>")
        )
    for key in ("kind", "name", "uid"):
        if not ref.get(key):
            causes.append(field.required(f"{path}.{key}", "must not be empty"))
    if group == "" and version == "v1" and ref.get("kind") == "Event":
        causes.append(
            field.invalid(path, _owner_struct(ref), "/v1, Kind=Event is disallowed from being an owner")
        )
    return causes


def _owner_struct(ref: Mapping[str, Any]) -> field.GoStruct:
    """An OwnerReference in its Go field order, optional booleans only when set."""
    out = field.GoStruct({key: ref.get(key) or "" for key in ("apiVersion", "kind", "name", "uid")})
    for key in ("controller", "blockOwnerDeletion"):
        if ref.get(key) is not None:
            out[key] = ref[key]
    return out


def validate_owner_references(refs: list[Mapping[str, Any]], path: str) -> list[Cause]:
    causes: list[Cause] = []
    first_controller = ""
    for index, ref in enumerate(refs):
        causes += _validate_owner_reference(ref, f"{path}[{index}]")
        if ref.get("controller") is True:
            current = f"{ref.get('kind', '')}/{ref.get('name', '')}"
            if first_controller:
                detail = (
                    'Only one reference can have Controller set to true. Found "true" in references for '
                    f"{first_controller} and {current}"
                )
                causes.append(field.invalid(path, [_owner_struct(r) for r in refs], detail))
            else:
                first_controller = current
    return causes


def _validate_field_manager(manager: str, path: str) -> list[Cause]:
    causes = []
    if byte_length(manager) > FIELD_MANAGER_MAX_LENGTH:
        causes.append(field.too_long(path, FIELD_MANAGER_MAX_LENGTH))
    offset = 0
    for char in manager:
        if not (char == " " or (char.isprintable() and unicodedata.category(char) != "Zs")):
            detail = f"invalid character U+{ord(char):04X} (at position {offset})"
            causes.append(field.invalid(path, manager, detail))
        offset += byte_length(char)
    return causes


def validate_managed_fields(entries: list[Mapping[str, Any]], path: str) -> list[Cause]:
    causes: list[Cause] = []
    for index, entry in enumerate(entries):
        entry_path = f"{path}[{index}]"
        operation = entry.get("operation") or ""
        if not operation:
            causes.append(field.required(f"{entry_path}.operation", "must not be empty"))
        elif operation not in ("Apply", "Update"):
            causes.append(field.not_supported(f"{entry_path}.operation", operation, ["Apply", "Update"]))
        fields_type = entry.get("fieldsType") or ""
        if fields_type and fields_type != "FieldsV1":
            causes.append(field.invalid(f"{entry_path}.fieldsType", fields_type, "must be `FieldsV1`"))
        causes += _validate_field_manager(entry.get("manager") or "", f"{entry_path}.manager")
        if byte_length(entry.get("subresource") or "") > SUBRESOURCE_MAX_LENGTH:
            causes.append(field.too_long(f"{entry_path}.subresource", SUBRESOURCE_MAX_LENGTH))
    return causes


def validate_update(
    new: Meta, old: Meta, *, kube_finalizers: bool = False, path: str = "metadata"
) -> list[Cause]:
    """Update-time checks of the new metadata against the stored one (`kube_finalizers` as on create)."""
    causes: list[Cause] = []
    if old.get("deletionTimestamp"):
        causes += validate_no_new_finalizers(
            new.get("finalizers") or [], old.get("finalizers") or [], _path(path, "finalizers")
        )
    if not new.get("resourceVersion"):
        causes.append(field.invalid(_path(path, "resourceVersion"), "", "must be specified for an update"))
    generation = new.get("generation") or 0
    causes += validate_generation(generation, _path(path, "generation"))
    if generation < (old.get("generation") or 0):
        causes.append(field.invalid(_path(path, "generation"), generation, "must not be decremented"))
    for key in _IMMUTABLE_STRINGS:
        causes += validate_immutable(new.get(key) or "", old.get(key) or "", _path(path, key))
    for key in _IMMUTABLE_OPTIONAL:
        causes += validate_immutable(
            _empty_as_none(new.get(key)), _empty_as_none(old.get(key)), _path(path, key)
        )
    causes += validate_labels(new.get("labels") or {}, _path(path, "labels"))
    causes += validate_annotations(new.get("annotations") or {}, _path(path, "annotations"))
    causes += validate_owner_references(new.get("ownerReferences") or [], _path(path, "ownerReferences"))
    causes += validate_managed_fields(new.get("managedFields") or [], _path(path, "managedFields"))
    if kube_finalizers:
        causes += validate_kube_finalizers(new.get("finalizers") or [], _path(path, "finalizers"))
    return causes


def validate_kube_finalizers(finalizers: list[str], path: str) -> list[Cause]:
    """Core kinds: a finalizer without a domain must be `kubernetes`, `orphan` or `foregroundDeletion`."""
    return [
        field.invalid(
            f"{path}[{index}]", name, "name is neither a standard finalizer name nor is it fully qualified"
        )
        for index, name in enumerate(finalizers)
        if "/" not in name and name not in STANDARD_FINALIZERS
    ]


def custom_resource_finalizer_warnings(finalizers: list[str], path: str = "metadata.finalizers") -> list[str]:
    """The `Warning:` texts a custom resource's finalizers earn (invalid, or without a domain)."""
    warnings: list[str] = []
    for index, name in enumerate(finalizers):
        where = f"{path}[{index}]: {field.go_quote(name)}"
        warnings += [f"{where}: {msg}" for msg in is_qualified_name(name)]
        if "/" not in name and name not in STANDARD_FINALIZERS:
            warnings.append(
                f"{where}: prefer a domain-qualified finalizer name to avoid accidental conflicts "
                "with other finalizer writers"
            )
    return warnings


def _empty_as_none(value: Any) -> Any:
    return None if value in ("", None) else value


def validate_immutable(new_value: Any, old_value: Any, path: str) -> list[Cause]:
    """`Invalid value: <new>: field is immutable` when the value changed."""
    return [] if new_value == old_value else [field.invalid(path, new_value, FIELD_IMMUTABLE)]


def validate_no_new_finalizers(new: list[str], old: list[str], path: str) -> list[Cause]:
    extra = sorted(set(new) - set(old))
    if not extra:
        return []
    shown = "[]string{" + ", ".join(field.go_quote(f) for f in extra) + "}"
    detail = f"no new finalizers can be added if the object is being deleted, found new finalizers {shown}"
    return [field.forbidden(path, detail)]


def resolve_namespace(request_namespace: str, object_namespace: str) -> str:
    """The namespace the object gets: the request's if unset, none for cluster scope; 400 on mismatch."""
    if object_namespace == request_namespace or not object_namespace:
        return request_namespace
    if not request_namespace:
        return ""
    raise bad_request("the namespace of the provided object does not match the namespace sent on the request")


def check_name_matches_url(
    object_name: str, url_name: str, object_namespace: str, url_namespace: str
) -> None:
    """PUT and PATCH: the body must name the object the URL names (400 otherwise)."""
    if object_name != url_name:
        raise bad_request(
            f"the name of the object ({object_name}) does not match the name on the URL ({url_name})"
        )
    if url_namespace and object_namespace and object_namespace != url_namespace:
        raise bad_request(
            f"the namespace of the object ({object_namespace}) does not match the namespace on the request "
            f"({url_namespace})"
        )
