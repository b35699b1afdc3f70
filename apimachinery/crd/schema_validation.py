"""Validation of a custom resource against its CRD version's structural schema.

`CustomResourceValidator` is built once per schema (`ValidatorCache` bounds how many are kept) and
answers in upstream's order: the OpenAPI errors of the whole object (kube-openapi wording, field paths
like `spec.replicas`), then embedded resources, then `set`/`map` list duplicates. The OpenAPI part first
runs a fastjsonschema validator generated from the schema; only when that rejects the object (or the
schema has constructs it cannot judge exactly) does the full walk collect every error.

Also here: the `status` subresource's validation (only the status schema, paths under `status`), the
scale subresource's replica fields, and the apiVersion/kind check. CEL rules are not evaluated here.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any

import fastjsonschema
import orjson

from apimachinery.crd import kubeopenapi, openapi_errors
from apimachinery.crd.embedded import has_embedded_resources, validate_embedded
from apimachinery.crd.listtype import has_list_types, validate_list_types
from apimachinery.crd.to_jsonschema import NotFast, format_checkers, to_json_schema
from apimachinery.errors import Cause
from apimachinery.validation import field

Schema = Mapping[str, Any]
FastValidator = Callable[[Any], Any]
MAX_INT32 = (1 << 31) - 1


def compile_fast(schema: Schema) -> FastValidator | None:
    """A fastjsonschema validator that accepts only what the full walk accepts, or None."""
    try:
        validator: FastValidator = fastjsonschema.compile(to_json_schema(schema), formats=format_checkers())
        return validator
    except (NotFast, fastjsonschema.JsonSchemaDefinitionException, ValueError, TypeError, RecursionError):
        return None


class _OpenAPIPart:
    """One schema's OpenAPI check: fast path, then the full walk on failure."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.fast = compile_fast(schema)

    def causes(self, value: Any, prefix: str) -> list[Cause]:
        if self.fast is not None:
            try:
                self.fast(value)
                return []
            except fastjsonschema.JsonSchemaException:
                pass
        return openapi_errors.to_causes(kubeopenapi.validate(self.schema, value), prefix)


class CustomResourceValidator:
    """Validates custom resources of one CRD version (`schema` is its `openAPIV3Schema`, or None)."""

    def __init__(self, schema: Schema | None) -> None:
        self.schema: Schema = schema or {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        self._whole = _OpenAPIPart(self.schema)
        status = (self.schema.get("properties") or {}).get("status")
        self._status = _OpenAPIPart(status) if isinstance(status, Mapping) else None
        self._embedded = has_embedded_resources(self.schema)
        self._list_types = has_list_types(self.schema)

    @property
    def has_fast_path(self) -> bool:
        return self._whole.fast is not None

    def validate(self, obj: Mapping[str, Any]) -> list[Cause]:
        """The schema causes of a created or updated custom resource (after pruning and defaulting)."""
        return self._whole.causes(obj, "") + self._structure(obj)

    def validate_status(self, obj: Mapping[str, Any]) -> list[Cause]:
        """The schema causes of a write to the `status` subresource."""
        causes: list[Cause] = []
        if self._status is not None and "status" in obj:
            causes = self._status.causes(obj["status"], "status")
        return causes + self._structure(obj)

    def _structure(self, obj: Mapping[str, Any]) -> list[Cause]:
        causes = validate_embedded(obj, self.schema) if self._embedded else []
        return causes + (validate_list_types(obj, self.schema) if self._list_types else [])


class ValidatorCache:
    """At most `max_entries` compiled validators, least recently used evicted first."""

    def __init__(self, *, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, CustomResourceValidator] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, schema: Schema | None, *, key: Hashable | None = None) -> CustomResourceValidator:
        """The validator of `schema`; `key` (e.g. CRD uid, resourceVersion, version) saves hashing it."""
        cache_key = key if key is not None else orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)
        validator = self._entries.get(cache_key)
        if validator is None:
            validator = CustomResourceValidator(schema)
            self._entries[cache_key] = validator
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(cache_key)
        return validator


def validate_custom_resource(
    obj: Mapping[str, Any], schema: Schema | None, *, cache: ValidatorCache | None = None
) -> list[Cause]:
    validator = cache.get(schema) if cache is not None else CustomResourceValidator(schema)
    return validator.validate(obj)


def validate_type_meta(obj: Mapping[str, Any], *, group: str, version: str, kind: str) -> list[Cause]:
    """`kind: Invalid value: "X": must be Widget` and the same for apiVersion."""
    causes: list[Cause] = []
    if obj.get("kind") != kind:
        causes.append(field.invalid("kind", obj.get("kind") or "", f"must be {kind}"))
    api_version = f"{group}/{version}"
    if obj.get("apiVersion") != api_version:
        causes.append(field.invalid("apiVersion", obj.get("apiVersion") or "", f"must be {api_version}"))
    return causes


def validate_scale(
    obj: Mapping[str, Any], *, spec_replicas_path: str, status_replicas_path: str, status_only: bool = False
) -> list[Cause]:
    """The replica fields of the scale subresource: integers in 0..2147483647 (spec unless `status_only`)."""
    paths = [status_replicas_path] if status_only else [spec_replicas_path, status_replicas_path]
    return [cause for path in paths for cause in _replicas(obj, path)]


def _go_type(value: Any) -> str:
    return "<nil>" if value is None else field.go_type_name(value)


def _accessor_error(json_path: str, names: list[str], value: Any, expected: str) -> Cause:
    where = "." + ".".join(names)
    detail = f"{where} accessor error: {field.go_sprint(value)} is of the type {_go_type(value)}, expected {expected}"
    return field.invalid(json_path, 0, detail)


def _replicas(obj: Mapping[str, Any], json_path: str) -> list[Cause]:
    names = json_path.removeprefix(".").split(".")
    value: Any = obj
    for i, name in enumerate(names):
        if value is None:
            return []
        if not isinstance(value, Mapping):
            return [_accessor_error(json_path, names[: i + 1], value, "map[string]interface {}")]
        if name not in value:
            return []
        value = value[name]
    if isinstance(value, bool) or not isinstance(value, int):
        return [_accessor_error(json_path, names, value, "int64")]
    if value < 0:
        return [field.invalid(json_path, value, "should be a non-negative integer")]
    if value > MAX_INT32:
        return [field.invalid(json_path, value, f"should be less than or equal to {MAX_INT32}")]
    return []
