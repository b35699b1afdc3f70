"""CustomResourceDefinitions (apiextensions.k8s.io/v1): pure logic, no I/O.

- `validate_crd`: the CRD object on create and update (names, versions, schemas, columns, ...).
- `structural` and `openapi_schema`: the rules an `openAPIV3Schema` must follow.
- `schema_validation`: a custom resource against its schema (fastjsonschema fast path, full error list
  from `kubeopenapi`, plus embedded resources and list types).
- `pruning`, `defaulting`: what the API server does to a custom resource on decode.
- `printer`: `additionalPrinterColumns` cells (client-go JSONPath subset in `jsonpath`).
"""
