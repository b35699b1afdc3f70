"""Validation of a whole CustomResourceDefinition (apiextensions.k8s.io/v1) on create and update.

Mirrors upstream's order: metadata (name must be `<spec.names.plural>.<spec.group>`), spec (group,
scope, schemas, versions, names, columns, subresources, conversion), status (accepted names, stored
versions), API approval of protected groups, and `spec.preserveUnknownFields`. Paths follow upstream's
internal view (see `internal`): a schema shared by all versions is reported under `spec.validation`.
The caller applies `apply_crd_defaults` and sets `status.storedVersions` (`stored_versions_on_write`)
first, as upstream's decoder and strategy do.

Not covered: `selectableFields`, CEL rules (compilation and cost) and ratcheting of unchanged schemas.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apimachinery.crd import crd_parts
from apimachinery.crd.crd_schema import SchemaRules, has_schema_with, validate_validation
from apimachinery.crd.fieldpath import child, index
from apimachinery.crd.internal import InternalSpec, go_versions, internal_spec
from apimachinery.errors import Cause
from apimachinery.validation import field, objectmeta
from apimachinery.validation.names import NameValidator, is_dns1035_label, is_dns1123_subdomain, name_is_dns_subdomain

Obj = Mapping[str, Any]

NAME_MISMATCH = 'must be spec.names.plural+"."+spec.group'


@dataclass(frozen=True)
class _Options:
    rules: SchemaRules = SchemaRules()
    require_openapi_schema: bool = True
    require_recognized_review_version: bool = True
    require_immutable_names: bool = False


def crd_name_validator(crd: Obj) -> NameValidator:
    """The metadata.name check of a CRD: a DNS subdomain equal to `<plural>.<group>`."""
    spec = crd.get("spec") or {}
    required = f"{(spec.get('names') or {}).get('plural') or ''}.{spec.get('group') or ''}"

    def validate(name: str, prefix: bool) -> list[str]:
        return name_is_dns_subdomain(name, prefix) + ([NAME_MISMATCH] if name != required else [])

    return validate


def validate_crd(crd: Obj, *, include_metadata: bool = True) -> list[Cause]:
    """Every problem of a CRD being created (metadata too unless `include_metadata` is False)."""
    causes: list[Cause] = []
    if include_metadata:
        meta = crd.get("metadata") or {}
        causes += objectmeta.validate_create(meta, namespaced=False, name_validator=crd_name_validator(crd))
    causes += _validate_spec(crd.get("spec") or {}, _Options(), "spec")
    causes += _validate_status(crd)
    causes += crd_parts.validate_approval(crd, None)
    return causes + _preserve_unknown_fields(crd, None)


def validate_crd_update(new: Obj, old: Obj, *, include_metadata: bool = True) -> list[Cause]:
    """Every problem of an update from `old` to `new`, with upstream's ratchets for old data."""
    causes: list[Cause] = []
    if include_metadata:
        causes += objectmeta.validate_update(new.get("metadata") or {}, old.get("metadata") or {})
    new_spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    causes += _validate_spec(new_spec, _update_options(old), "spec")
    causes += _immutable_spec(new_spec, old_spec, require_immutable_names=is_established(old))
    causes += _validate_status(new)
    causes += crd_parts.validate_approval(new, old)
    return causes + _preserve_unknown_fields(new, old)


def validate_crd_status_update(new: Obj, old: Obj, *, include_metadata: bool = True) -> list[Cause]:
    causes = (
        objectmeta.validate_update(new.get("metadata") or {}, old.get("metadata") or {}) if include_metadata else []
    )
    accepted = (new.get("status") or {}).get("acceptedNames") or {}
    return causes + crd_parts.validate_names(accepted, "status.acceptedNames")


def is_established(crd: Obj) -> bool:
    conditions = (crd.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions)


def apply_crd_defaults(crd: Obj) -> dict[str, Any]:
    """A copy with upstream's v1 defaults: singular, listKind, conversion strategy, service port."""
    out: dict[str, Any] = copy.deepcopy(dict(crd))
    spec = out.setdefault("spec", {})
    names = spec.setdefault("names", {})
    if not names.get("singular"):
        names["singular"] = (names.get("kind") or "").lower()
    if not names.get("listKind") and names.get("kind"):
        names["listKind"] = names["kind"] + "List"
    conversion = spec.setdefault("conversion", {"strategy": "None"})
    service = ((conversion.get("webhook") or {}).get("clientConfig") or {}).get("service")
    if isinstance(service, dict):
        service.setdefault("port", 443)
    return out


def stored_versions_on_write(crd: Obj, stored: list[str]) -> list[str]:
    """`status.storedVersions` after a create or update: the storage version is appended if new."""
    storage = next((v.get("name") for v in (crd.get("spec") or {}).get("versions") or [] if v.get("storage")), None)
    return stored + [storage] if storage and storage not in stored else list(stored)


def _update_options(old: Obj) -> _Options:
    old_spec = old.get("spec") or {}
    conversion = old_spec.get("conversion") or {}
    review = list(((conversion.get("webhook") or {}).get("conversionReviewVersions")) or [])
    return _Options(
        rules=SchemaRules.for_update(old_spec),
        require_openapi_schema=all(
            (v.get("schema") or {}).get("openAPIV3Schema") for v in old_spec.get("versions") or []
        ),
        require_recognized_review_version=not review or bool(set(review) & set(crd_parts.CONVERSION_REVIEW_VERSIONS)),
        require_immutable_names=is_established(old),
    )


def _immutable_spec(new: Obj, old: Obj, *, require_immutable_names: bool) -> list[Cause]:
    pairs = [("group", "spec.group"), ("names.plural", "spec.names.plural")]
    if require_immutable_names:
        pairs = [("scope", "spec.scope"), ("names.kind", "spec.names.kind"), *pairs]
    causes: list[Cause] = []
    for dotted, path in pairs:
        causes += objectmeta.validate_immutable(_get(new, dotted), _get(old, dotted), path)
    return causes


def _get(obj: Obj, dotted: str) -> str:
    value: Any = obj
    for part in dotted.split("."):
        value = (value or {}).get(part) if isinstance(value, Mapping) or value is None else None
    return value or ""


def _validate_spec(spec: Obj, opts: _Options, path: str) -> list[Cause]:
    internal = internal_spec(spec)
    causes = _group(spec.get("group") or "", child(path, "group"))
    causes += _scope(spec.get("scope") or "", child(path, "scope"))
    causes += _schemas_present(internal, opts, path)
    if spec.get("preserveUnknownFields") is True and has_schema_with(spec, lambda s: s.get("default") is not None):
        causes.append(
            field.invalid(
                child(path, "preserveUnknownFields"), True, "must be false in order to use defaults in the schema"
            )
        )
    causes += _versions(internal, opts, path)
    causes += _names(spec.get("names") or {}, child(path, "names"))
    status_anywhere = _status_enabled(internal.subresources) or any(
        _status_enabled(v.get("subresources")) for v in internal.versions
    )
    causes += validate_validation(
        internal.validation, child(path, "validation"), status_enabled=status_anywhere, rules=opts.rules
    )
    causes += crd_parts.validate_subresources(internal.subresources, child(path, "subresources"))
    for i, column in enumerate(internal.columns):
        causes += crd_parts.validate_column(column, index(child(path, "additionalPrinterColumns"), i))
    return causes + _conversion(spec, opts, child(path, "conversion"))


def _group(group: str, path: str) -> list[Cause]:
    if not group:
        return [field.required(path)]
    if errs := is_dns1123_subdomain(group):
        return [field.invalid(path, group, ",".join(errs))]
    if "." not in group:
        return [field.invalid(path, group, "should be a domain with at least one dot")]
    return []


def _scope(scope: str, path: str) -> list[Cause]:
    if not scope:
        return [field.required(path)]
    accepted = ["Cluster", "Namespaced"]
    return [] if scope in accepted else [field.not_supported(path, scope, accepted)]


def _schemas_present(internal: InternalSpec, opts: _Options, path: str) -> list[Cause]:
    if (internal.validation or {}).get("openAPIV3Schema") is not None:
        return []
    causes = []
    for i, version in enumerate(internal.versions):
        if (version.get("schema") or {}).get("openAPIV3Schema") is not None:
            continue
        where = child(index(child(path, "versions"), i), "schema", "openAPIV3Schema")
        if opts.require_openapi_schema:
            causes.append(field.required(where))
        elif version.get("served"):
            causes.append(field.required(where, "because otherwise all fields are pruned"))
    return causes


def _versions(internal: InternalSpec, opts: _Options, path: str) -> list[Cause]:
    causes: list[Cause] = []
    versions = internal.versions
    per_version_subresources = any(v.get("subresources") is not None for v in versions)
    for i, version in enumerate(versions):
        version_path = index(child(path, "versions"), i)
        name = version.get("name") or ""
        if errs := is_dns1035_label(name):
            causes.append(field.invalid(child(version_path, "name"), name, ",".join(errs)))
        subresources = version.get("subresources") if per_version_subresources else internal.subresources
        causes += _version(version, _status_enabled(subresources), opts, version_path)
    names = [v.get("name") or "" for v in versions]
    if len(set(names)) != len(names):
        causes.append(
            field.invalid(child(path, "versions"), go_versions(versions), "must contain unique version names")
        )
    if sum(1 for v in versions if v.get("storage") is True) != 1:
        detail = "must have exactly one version marked as storage version"
        causes.append(field.invalid(child(path, "versions"), go_versions(versions), detail))
    if versions and (errs := is_dns1035_label(names[0])):
        causes.append(field.invalid(child(path, "version"), names[0], ",".join(errs)))
    return causes


def _version(version: Obj, status_enabled: bool, opts: _Options, path: str) -> list[Cause]:
    causes = crd_parts.validate_deprecation_warning(version, path)
    causes += validate_validation(
        version.get("schema"), child(path, "schema"), status_enabled=status_enabled, rules=opts.rules
    )
    causes += crd_parts.validate_subresources(version.get("subresources"), child(path, "subresources"))
    for i, column in enumerate(version.get("additionalPrinterColumns") or []):
        causes += crd_parts.validate_column(column, index(child(path, "additionalPrinterColumns"), i))
    return causes


def _status_enabled(subresources: Any) -> bool:
    return isinstance(subresources, Mapping) and subresources.get("status") is not None


def _names(names: Obj, path: str) -> list[Cause]:
    causes = [
        field.required(child(path, name)) for name in ("plural", "singular", "kind", "listKind") if not names.get(name)
    ]
    return causes + crd_parts.validate_names(names, path)


def _conversion(spec: Obj, opts: _Options, path: str) -> list[Cause]:
    conversion = spec.get("conversion")
    causes: list[Cause] = []
    strategy = (conversion or {}).get("strategy")
    if conversion is not None and strategy != "None" and spec.get("preserveUnknownFields") is True:
        causes.append(
            field.invalid(child(path, "strategy"), strategy or "", "must be None if spec.preserveUnknownFields is true")
        )
    return causes + crd_parts.validate_conversion(
        conversion, path, require_recognized_version=opts.require_recognized_review_version
    )


def _validate_status(crd: Obj) -> list[Cause]:
    status = crd.get("status") or {}
    causes = crd_parts.validate_names(status.get("acceptedNames") or {}, "status.acceptedNames")
    versions = (crd.get("spec") or {}).get("versions") or []
    return causes + crd_parts.validate_stored_versions(
        list(status.get("storedVersions") or []), versions, "status.storedVersions"
    )


def _preserve_unknown_fields(crd: Obj, old: Obj | None) -> list[Cause]:
    if old is not None and (old.get("spec") or {}).get("preserveUnknownFields") is True:
        return []
    if (crd.get("spec") or {}).get("preserveUnknownFields") is True:
        detail = (
            "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead"
        )
        return [field.invalid("spec.preserveUnknownFields", True, detail)]
    return []


__all__ = [
    "NAME_MISMATCH",
    "apply_crd_defaults",
    "crd_name_validator",
    "is_established",
    "stored_versions_on_write",
    "validate_crd",
    "validate_crd_status_update",
    "validate_crd_update",
]
