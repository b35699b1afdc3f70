"""Checks of the smaller parts of a CRD: names, printer columns, subresources, conversion, deprecation,
API approval and stored versions, each with upstream's paths and messages (webhook client configs are
checked by `webhook`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from apimachinery.crd.fieldpath import child, index, key
from apimachinery.crd.webhook import client_config_causes
from apimachinery.errors import Cause
from apimachinery.validation import field
from apimachinery.validation.names import is_dns1035_label

Obj = Mapping[str, Any]

PRINTER_COLUMN_TYPES = ["boolean", "date", "integer", "number", "string"]
PRINTER_COLUMN_FORMATS = ["byte", "date", "date-time", "double", "float", "int32", "int64", "password"]
CONVERSION_REVIEW_VERSIONS = ["v1", "v1beta1"]
APPROVAL_ANNOTATION = "api-approved.kubernetes.io"
_APPROVAL_PR = "see https://github.com/kubernetes/enhancements/pull/1111"
_MIXED_CASE = "may have mixed case, but should otherwise match: "


def validate_names(names: Obj, path: str) -> list[Cause]:
    """Format checks of `spec.names` / `status.acceptedNames` (presence is checked by the caller)."""
    causes: list[Cause] = []
    for name in ("plural", "singular"):
        value = names.get(name) or ""
        if value and (errs := is_dns1035_label(value)):
            causes.append(field.invalid(child(path, name), value, ",".join(errs)))
    for name in ("kind", "listKind"):
        value = names.get(name) or ""
        if value and (errs := is_dns1035_label(value.lower())):
            causes.append(field.invalid(child(path, name), value, _MIXED_CASE + ",".join(errs)))
    causes += _label_list(names.get("shortNames") or [], child(path, "shortNames"))
    kind = names.get("kind") or ""
    if kind and kind == names.get("listKind"):
        causes.append(field.invalid(child(path, "listKind"), kind, "kind and listKind may not be the same"))
    return causes + _label_list(names.get("categories") or [], child(path, "categories"))


def _label_list(values: list[str], path: str) -> list[Cause]:
    return [
        field.invalid(index(path, i), value, ",".join(errs))
        for i, value in enumerate(values)
        if (errs := is_dns1035_label(value))
    ]


def validate_column(column: Obj, path: str) -> list[Cause]:
    causes: list[Cause] = []
    if not column.get("name"):
        causes.append(field.required(child(path, "name")))
    type_, detail = column.get("type") or "", "must be one of " + ",".join(PRINTER_COLUMN_TYPES)
    if not type_:
        causes.append(field.required(child(path, "type"), detail))
    elif type_ not in PRINTER_COLUMN_TYPES:
        causes.append(field.invalid(child(path, "type"), type_, detail))
    fmt = column.get("format") or ""
    if fmt and fmt not in PRINTER_COLUMN_FORMATS:
        causes.append(field.invalid(child(path, "format"), fmt, "must be one of " + ",".join(PRINTER_COLUMN_FORMATS)))
    json_path = column.get("jsonPath") or ""
    if not json_path:
        return causes + [field.required(child(path, "JSONPath"))]
    return causes + simple_json_path_causes(json_path, child(path, "JSONPath"))


def simple_json_path_causes(value: str, path: str) -> list[Cause]:
    if not value:
        return [field.invalid(path, value, "must not be empty")]
    if not value.startswith("."):
        return [field.invalid(path, value, "must be a simple json path starting with .")]
    return []


def validate_subresources(subresources: Obj | None, path: str) -> list[Cause]:
    scale = (subresources or {}).get("scale")
    if not isinstance(scale, Mapping):
        return []
    causes = _scale_path(scale.get("specReplicasPath") or "", child(path, "scale.specReplicasPath"), ".spec.")
    causes += _scale_path(scale.get("statusReplicasPath") or "", child(path, "scale.statusReplicasPath"), ".status.")
    selector = scale.get("labelSelectorPath") or ""
    if not selector:
        return causes
    where = child(path, "scale.labelSelectorPath")
    if errs := simple_json_path_causes(selector, where):
        return causes + errs
    if not selector.startswith((".spec.", ".status.")):
        causes.append(field.invalid(where, selector, "should be a json path under either .spec or .status"))
    return causes


def _scale_path(value: str, path: str, prefix: str) -> list[Cause]:
    if not value:
        return [field.required(path)]
    if errs := simple_json_path_causes(value, path):
        return errs
    if not value.startswith(prefix):
        return [field.invalid(path, value, f"should be a json path under {prefix.rstrip('.')}")]
    return []


def validate_deprecation_warning(version: Obj, path: str) -> list[Cause]:
    warning = version.get("deprecationWarning")
    if warning is None:
        return []
    where = child(path, "deprecationWarning")
    if not version.get("deprecated"):
        return [field.invalid(where, warning, "can only be set for deprecated versions")]
    problems = []
    if len(warning.encode()) > 256:
        problems.append("must be <= 256 characters long")
    if not warning:
        problems.append("must not be an empty string")
    problems += _unprintable(warning)
    return [field.invalid(where, warning, problem) for problem in problems]


def _unprintable(text: str) -> list[str]:
    offset = 0
    for char in text:
        if unicodedata.category(char) == "Cc":
            return [f"must only contain printable UTF-8 characters; control character found at index {offset}"]
        if not (char == " " or char.isprintable()):
            return [f"must only contain printable UTF-8 characters; non-printable character found at index {offset}"]
        offset += len(char.encode("utf-8", "surrogatepass"))
    return []


def validate_conversion(conversion: Obj | None, path: str, *, require_recognized_version: bool) -> list[Cause]:
    if conversion is None:
        return []
    strategy = conversion.get("strategy") or ""
    causes = _enum(child(path, "strategy"), strategy, ["None", "Webhook"])
    config, versions = conversion.get("webhookClientConfig"), conversion.get("conversionReviewVersions")
    webhook = conversion.get("webhook")
    if isinstance(webhook, Mapping):  # v1 nests both under `webhook`
        config, versions = webhook.get("clientConfig"), webhook.get("conversionReviewVersions")
    if strategy != "Webhook":
        if config is not None:
            causes.append(
                field.forbidden(
                    child(path, "webhookClientConfig"), "should not be set when strategy is not set to Webhook"
                )
            )
        if versions:
            causes.append(
                field.forbidden(
                    child(path, "conversionReviewVersions"), "should not be set when strategy is not set to Webhook"
                )
            )
        return causes
    causes += client_config_causes(config, child(path, "webhookClientConfig"))
    return causes + _review_versions(
        list(versions or []), child(path, "conversionReviewVersions"), require_recognized_version
    )


def _enum(path: str, value: str, accepted: list[str]) -> list[Cause]:
    if not value:
        return [field.required(path)]
    return [] if value in accepted else [field.not_supported(path, value, accepted)]


def _review_versions(versions: list[str], path: str, require_recognized: bool) -> list[Cause]:
    if not versions:
        return [field.required(path)]
    causes: list[Cause] = []
    for i, version in enumerate(versions):
        if version in versions[:i]:
            causes.append(field.invalid(index(path, i), version, "duplicate version"))
            continue
        causes += [field.invalid(index(path, i), version, err) for err in is_dns1035_label(version)]
    if require_recognized and not set(versions) & set(CONVERSION_REVIEW_VERSIONS):
        detail = "must include at least one of " + ", ".join(CONVERSION_REVIEW_VERSIONS)
        causes.append(field.invalid(path, versions, detail))
    return causes


def is_protected_group(group: str) -> bool:
    return any(group == root or group.endswith("." + root) for root in ("k8s.io", "kubernetes.io"))


def approval_state(annotations: Obj) -> tuple[str, str]:
    """(state, reason) of the `api-approved.kubernetes.io` annotation on a protected group."""
    value = annotations.get(APPROVAL_ANNOTATION) or ""
    quoted = field.go_quote(APPROVAL_ANNOTATION)
    if not value:
        return "missing", f"protected groups must have approval annotation {quoted}, {_APPROVAL_PR}"
    if value.startswith("unapproved"):
        return "bypassed", f"not approved: {field.go_quote(value)}"
    parts = urlsplit(value)
    if parts.scheme and parts.netloc:
        return "approved", f"approved in {value}"
    detail = f'with either a URL or a reason starting with "unapproved", {_APPROVAL_PR}'
    return "invalid", f"protected groups must have approval annotation {quoted} {detail}"


def validate_approval(new: Obj, old: Obj | None) -> list[Cause]:
    group = (new.get("spec") or {}).get("group") or ""
    if not is_protected_group(group):
        return []
    annotations = (new.get("metadata") or {}).get("annotations") or {}
    state, reason = approval_state(annotations)
    if old is not None and approval_state((old.get("metadata") or {}).get("annotations") or {})[0] == state:
        return []
    where = key("metadata.annotations", APPROVAL_ANNOTATION)
    if state == "missing":
        return [field.required(where, reason)]
    if state == "invalid":
        return [field.invalid(where, annotations.get(APPROVAL_ANNOTATION) or "", reason)]
    return []


def validate_stored_versions(stored: list[str], versions: list[Obj], path: str) -> list[Cause]:
    if not stored:
        return [field.invalid(path, None, "must have at least one stored version")]
    causes: list[Cause] = []
    remaining = {name: i for i, name in enumerate(stored)}
    for version in versions:
        name = version.get("name") or ""
        if version.get("storage") and name not in remaining:
            causes.append(field.invalid(path, stored, f"must have the storage version {name}"))
        remaining.pop(name, None)
    for name, i in remaining.items():
        detail = (
            f"missing from spec.versions; {name} was previously a storage version, and must remain in spec.versions "
            f"until a storage migration ensures no data remains persisted in {name} and removes {name} from "
            "status.storedVersions"
        )
        causes.append(field.invalid(index(path, i), name, detail))
    return causes
