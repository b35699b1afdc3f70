"""What a custom resource's schema asks of every write and read: pruning, defaulting, OpenAPI validation
and CEL rules, prepared once per CRD version and reused for every object."""

from __future__ import annotations

from dataclasses import dataclass

from apimachinery.apis.types import Object, Schema
from apimachinery.cel import CompiledSchema, blocking_cause, compile_schema
from apimachinery.crd.defaulting import apply_defaults, decode_custom_resource
from apimachinery.crd.schema_validation import CustomResourceValidator
from apimachinery.errors import Cause


@dataclass(frozen=True)
class SchemaChecks:
    schema: Schema
    validator: CustomResourceValidator
    rules: CompiledSchema

    @classmethod
    def of(cls, schema: Schema) -> SchemaChecks:
        return cls(schema, CustomResourceValidator(schema), compile_schema(schema))

    def normalize(self, obj: Object) -> list[str]:
        """Prune unknown fields, drop non-nullable nulls, apply defaults; returns the pruned paths."""
        return decode_custom_resource(obj, self.schema)

    def default(self, obj: Object) -> None:
        apply_defaults(obj, self.schema)

    def validate(self, obj: Object, old: Object | None) -> list[Cause]:
        """OpenAPI validation, then the CEL rules unless a blocking schema error makes them meaningless
        (upstream's order)."""
        causes = self.validator.validate(obj)
        if not self.rules.has_rules:
            return causes
        blocking = blocking_cause(causes)
        if blocking is not None:
            return [*causes, blocking]
        return causes + self.rules.validate(obj, old)
