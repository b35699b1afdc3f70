"""Checks every write passes before it reaches storage: type meta, object meta, the kind's own rules."""

from __future__ import annotations

from apimachinery import errors
from apimachinery.apis import timefields
from apimachinery.apis.types import Object, ResourceDefinition
from apimachinery.validation import objectmeta
from shard.registry.strategy import Strategy


def check_type_meta(resource: ResourceDefinition, obj: Object) -> None:
    """apiVersion and kind may be omitted, but if given must name this resource's kind (400 otherwise)."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if kind and kind != resource.kind:
        raise errors.bad_request(
            f"the API version in the data ({api_version}) does not match the expected API "
            f"version ({resource.api_version})"
            if api_version and api_version != resource.api_version
            else f'Object kind "{kind}" does not match the expected kind "{resource.kind}"'
        )
    if api_version and api_version != resource.api_version and not resource.to_storage:
        raise errors.bad_request(
            f"the API version in the data ({api_version}) does not match the expected API "
            f"version ({resource.api_version})"
        )


def _raise_if(resource: ResourceDefinition, obj: Object, causes: list[errors.Cause]) -> None:
    if causes:
        name = (obj.get("metadata") or {}).get("name", "") or (obj.get("metadata") or {}).get("generateName", "")
        raise errors.invalid(resource.kind, name, causes, group=resource.group)


def check_create(resource: ResourceDefinition, strategy: Strategy, obj: Object) -> None:
    timefields.normalize(resource, obj)
    causes = objectmeta.validate_create(
        obj.get("metadata") or {},
        namespaced=resource.namespaced,
        name_validator=strategy.name_validator_for(obj),
        kube_finalizers=strategy.kube_finalizers,
    )
    _raise_if(resource, obj, causes + strategy.validate(obj))


def check_update(resource: ResourceDefinition, strategy: Strategy, new: Object, old: Object) -> None:
    timefields.normalize(resource, new)
    causes = objectmeta.validate_update(
        new.get("metadata") or {}, old.get("metadata") or {}, kube_finalizers=strategy.kube_finalizers
    )
    _raise_if(resource, new, causes + strategy.validate_update(new, old))
