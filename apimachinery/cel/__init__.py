"""CEL validation rules (`x-kubernetes-validations`) for custom resources, on cel-python.

Public API:
    compile_schema(schema, *, field_path=..., compiler=None) -> CompiledSchema
    CompiledSchema.errors                      the causes of the CRD's 422 (empty when it compiles)
    CompiledSchema.validate(obj, old=None)     the causes of a custom resource's 422
    CompiledSchema.validate_with_warnings(...) causes plus ratcheting warnings
    CelCompiler(limits=..., cache_size=...)    an injectable compiler with its own cache
    CostLimits                                 the runtime cost bound
    schema_field_paths(versions)               where upstream reports each CRD version's schema
    blocking_cause(schema_causes)              the cause that replaces rule evaluation after schema errors

See README.md beside this file for what is supported and what is enforced.
"""

from apimachinery.cel.meter import CostLimits
from apimachinery.cel.schema import (
    DEFAULT_SCHEMA_PATH,
    CelCompiler,
    CompiledSchema,
    blocking_cause,
    compile_schema,
    schema_digest,
    schema_field_paths,
)
from apimachinery.cel.validate import OUT_OF_BUDGET, ValidationResult

__all__ = [
    "DEFAULT_SCHEMA_PATH",
    "OUT_OF_BUDGET",
    "CelCompiler",
    "CompiledSchema",
    "CostLimits",
    "ValidationResult",
    "blocking_cause",
    "compile_schema",
    "schema_digest",
    "schema_field_paths",
]
