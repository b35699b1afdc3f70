"""Custom resources: pruning and defaulting by the CRD's schema, OpenAPI and CEL validation, status and
generation rules that depend on the CRD's subresources."""

from __future__ import annotations

from apimachinery.apis.types import Object, ResourceDefinition, Schema
from apimachinery.errors import Cause
from shard.registry.crvalidation import SchemaChecks
from shard.registry.strategy import Strategy


class CustomResourceStrategy(Strategy):
    tracks_generation = True

    def __init__(self, definition: ResourceDefinition, schema: Schema) -> None:
        super().__init__(definition)
        self.schema = schema
        self.has_status = definition.subresource("status") is not None
        self.checks = SchemaChecks.of(schema)

    def prepare_for_create(self, obj: Object) -> None:
        if self.has_status:
            obj.pop("status", None)
        self.checks.normalize(obj)

    def prepare_for_update(self, new: Object, old: Object) -> None:
        super().prepare_for_update(new, old)
        self.checks.normalize(new)

    def prepare_for_subresource_update(self, subresource: str, new: Object, old: Object) -> None:
        super().prepare_for_subresource_update(subresource, new, old)
        self.checks.normalize(new)

    def validate(self, obj: Object) -> list[Cause]:
        return self.checks.validate(obj, None)

    def validate_update(self, new: Object, old: Object) -> list[Cause]:
        return self.checks.validate(new, old)

    def spec_changed(self, new: Object, old: Object) -> bool:
        """Without a status subresource every change but metadata counts, as upstream."""
        if self.has_status:
            return super().spec_changed(new, old)
        skip = ("metadata", "apiVersion", "kind")
        return {k: v for k, v in new.items() if k not in skip} != {k: v for k, v in old.items() if k not in skip}

    def to_output(self, obj: Object) -> Object:
        self.checks.default(obj)
        return obj


def strategy_for_crd(definition: ResourceDefinition, crd: Object) -> Strategy:
    version = next(v for v in crd["spec"]["versions"] if v["name"] == definition.version)
    schema = (version.get("schema") or {}).get("openAPIV3Schema") or {
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": True,
    }
    return CustomResourceStrategy(definition, schema)
