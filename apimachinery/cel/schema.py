"""The entry points: compile a CRD version's schema once, then validate custom resources with it.

`CelCompiler` owns the CEL parser (a Lark grammar build, ~0.2 s) and a bounded cache of compiled
schemas keyed by a SHA-256 of the canonical schema JSON and the field path its causes are reported
under. `compile_schema` is the same operation on a process-wide default compiler. `CompiledSchema`
carries the CRD-time `errors` (the causes of the CRD's 422) and validates objects with `validate`.
`schema_field_paths` gives the path upstream reports a CRD version's schema errors under.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from apimachinery.cel.compile import CompiledNode, compile_tree
from apimachinery.cel.meter import CostLimits
from apimachinery.cel.parser import CelParser
from apimachinery.cel.structural import SchemaNode
from apimachinery.cel.validate import ValidationResult, validate_tree
from apimachinery.errors import Cause

DEFAULT_SCHEMA_PATH = "spec.validation.openAPIV3Schema"


class CompiledSchema:
    """The compiled `x-kubernetes-validations` of one openAPIV3Schema."""

    def __init__(self, root: CompiledNode | None, errors: Sequence[Cause], *, limits: CostLimits) -> None:
        self._root = root
        self.errors: tuple[Cause, ...] = tuple(errors)
        self._limits = limits

    @property
    def has_rules(self) -> bool:
        return self._root is not None

    def validate(self, obj: Mapping[str, Any], old: Mapping[str, Any] | None = None) -> list[Cause]:
        """The causes of a 422 for `obj` (create when `old` is None, else update); [] when valid."""
        return self.validate_with_warnings(obj, old).causes

    def validate_with_warnings(
        self, obj: Mapping[str, Any], old: Mapping[str, Any] | None = None, *, limits: CostLimits | None = None
    ) -> ValidationResult:
        """Causes, plus the warnings of ratcheted failures (unchanged values on update)."""
        if self._root is None:
            return ValidationResult()
        return validate_tree(self._root, obj, old, limits or self._limits)


class CelCompiler:
    """Compiles schemas, caching the result per schema hash; safe to share between threads."""

    def __init__(self, *, limits: CostLimits | None = None, cache_size: int = 256) -> None:
        self._parser = CelParser()
        self._limits = limits or CostLimits()
        self._cache: OrderedDict[str, CompiledSchema] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def compile_schema(self, schema: Mapping[str, Any], *, field_path: str = DEFAULT_SCHEMA_PATH) -> CompiledSchema:
        digest = schema_digest(schema, field_path)
        with self._lock:
            cached = self._cache.get(digest)
            if cached is not None:
                self._cache.move_to_end(digest)
                return cached
            root, errors = compile_tree(SchemaNode.from_dict(schema), parser=self._parser, path=field_path)
            compiled = CompiledSchema(root, errors, limits=self._limits)
            self._cache[digest] = compiled
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
            return compiled


def schema_digest(schema: Mapping[str, Any], field_path: str = "") -> str:
    """SHA-256 of the canonical JSON of `schema` (sorted keys) and the path it is reported under."""
    canonical = json.dumps(schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{field_path}\n{canonical}".encode()).hexdigest()


@cache
def default_compiler() -> CelCompiler:
    """The process-wide compiler `compile_schema` uses (inject a `CelCompiler` where you can)."""
    return CelCompiler()


def compile_schema(
    schema: Mapping[str, Any], *, field_path: str = DEFAULT_SCHEMA_PATH, compiler: CelCompiler | None = None
) -> CompiledSchema:
    """Compile every `x-kubernetes-validations` rule of a structural openAPIV3Schema."""
    return (compiler or default_compiler()).compile_schema(schema, field_path=field_path)


_BLOCKING_REASONS = frozenset(
    {"FieldValueNotSupported", "FieldValueRequired", "FieldValueTooLong", "FieldValueTooMany", "FieldValueTypeInvalid"}
)
NOT_CHECKED = (
    "some validation rules were not checked because the object was invalid; "
    "correct the existing errors to complete validation"
)


def blocking_cause(schema_causes: Sequence[Cause]) -> Cause | None:
    """Upstream `hasBlockingErr`: when the OpenAPI schema causes include one of these reasons, the
    rules are not run and this cause is added instead."""
    if any(cause.reason in _BLOCKING_REASONS for cause in schema_causes):
        return Cause("FieldValueInvalid", f"Invalid value: null: {NOT_CHECKED}", "<nil>")
    return None


def schema_field_paths(versions: Sequence[Mapping[str, Any]]) -> list[str]:
    """Per version of a v1 CRD, where upstream reports its schema's errors.

    Upstream validates the internal CRD, to which identical per-version schemas are hoisted as
    `spec.validation`; otherwise each version keeps `spec.versions[i].schema`.
    """
    schemas = [version.get("schema") for version in versions]
    if schemas and all(schema == schemas[0] for schema in schemas):
        return [DEFAULT_SCHEMA_PATH] * len(versions)
    return [f"spec.versions[{i}].schema.openAPIV3Schema" for i in range(len(versions))]
