"""CustomResourceDefinition rules: upstream defaults, the cleanup finalizer, storedVersions, validation."""

from __future__ import annotations

from collections.abc import Callable

from apimachinery.apis.apiextensions_v1 import CLEANUP_FINALIZER
from apimachinery.apis.types import Object
from apimachinery.cel import compile_schema, schema_field_paths
from apimachinery.crd.validate_crd import (
    apply_crd_defaults,
    crd_name_validator,
    stored_versions_on_write,
    validate_crd,
    validate_crd_update,
)
from apimachinery.errors import Cause
from shard.registry.strategy import Strategy


def _with_defaults(obj: Object) -> None:
    defaulted = apply_crd_defaults(obj)
    obj.clear()
    obj.update(defaulted)


class CustomResourceDefinitionStrategy(Strategy):
    tracks_generation = True
    has_status = True

    def name_validator_for(self, obj: Object) -> Callable[[str, bool], list[str]]:
        """The name must be `<plural>.<group>`."""
        return crd_name_validator(obj)

    def prepare_for_create(self, obj: Object) -> None:
        _with_defaults(obj)
        meta = obj.setdefault("metadata", {})
        finalizers = list(meta.get("finalizers") or [])
        if CLEANUP_FINALIZER not in finalizers:
            meta["finalizers"] = [*finalizers, CLEANUP_FINALIZER]
        obj["status"] = {"storedVersions": stored_versions_on_write(obj, [])}

    def prepare_for_update(self, new: Object, old: Object) -> None:
        super().prepare_for_update(new, old)
        _with_defaults(new)
        stored = list((new.get("status") or {}).get("storedVersions") or [])
        new.setdefault("status", {})["storedVersions"] = stored_versions_on_write(new, stored)

    def validate(self, obj: Object) -> list[Cause]:
        return validate_crd(obj, include_metadata=False) + rule_compile_errors(obj) + _webhook_conversion(obj)

    def validate_update(self, new: Object, old: Object) -> list[Cause]:
        causes = validate_crd_update(new, old, include_metadata=False)
        return causes + rule_compile_errors(new) + _webhook_conversion(new)


def _webhook_conversion(crd: Object) -> list[Cause]:
    """Versions are converted with the None strategy only; a webhook is refused clearly, not ignored."""
    strategy = ((crd.get("spec") or {}).get("conversion") or {}).get("strategy", "None")
    if strategy != "Webhook":
        return []
    message = 'Forbidden: conversion webhooks are not supported by this server yet; use strategy "None"'
    return [Cause("FieldValueForbidden", message, "spec.conversion.strategy")]


def rule_compile_errors(crd: Object) -> list[Cause]:
    """Every x-kubernetes-validations rule of every version must compile within the cost budget."""
    versions = (crd.get("spec") or {}).get("versions") or []
    causes: list[Cause] = []
    for version, field_path in zip(versions, schema_field_paths(versions), strict=True):
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        if isinstance(schema, dict):
            causes.extend(compile_schema(schema, field_path=field_path).errors)
    return causes
