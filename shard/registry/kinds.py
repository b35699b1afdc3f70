"""Strategies of the simpler kinds: ServiceAccount, Event, Lease, RBAC, LogicalCluster; and the table of all."""

from __future__ import annotations

from apimachinery.apis.types import Object, ResourceDefinition
from apimachinery.errors import Cause
from apimachinery.validation import names
from shard.registry.configmaps import ConfigMapStrategy, SecretStrategy
from shard.registry.context import RequestContext
from shard.registry.crds import CustomResourceDefinitionStrategy
from shard.registry.namespaces import NamespaceStrategy
from shard.registry.rbacadmission import admit_binding, admit_role
from shard.registry.strategy import Strategy
from shard.registry.workspaces import ShardStrategy, WorkspaceStrategy, WorkspaceTypeStrategy

SUBJECT_KINDS = ("User", "Group", "ServiceAccount")


class RoleStrategy(Strategy):
    name_validator = staticmethod(names.name_is_path_segment)

    def validate(self, obj: Object) -> list[Cause]:
        causes = []
        for index, rule in enumerate(obj.get("rules") or []):
            if not rule.get("verbs"):
                causes.append(Cause("FieldValueRequired", "Required value", f"rules[{index}].verbs"))
            if rule.get("nonResourceURLs") and self.definition.kind == "Role":
                causes.append(
                    Cause(
                        "FieldValueInvalid",
                        "Invalid value: ...: namespaced rules cannot apply to non-resource URLs",
                        f"rules[{index}].nonResourceURLs",
                    )
                )
        return causes

    def admit(self, ctx: RequestContext, new: Object, old: Object | None) -> None:
        admit_role(ctx, new, old, resource=self.definition.plural)


class BindingStrategy(Strategy):
    name_validator = staticmethod(names.name_is_path_segment)

    def validate(self, obj: Object) -> list[Cause]:
        causes = []
        role_ref = obj.get("roleRef") or {}
        allowed = ("ClusterRole",) if self.definition.kind == "ClusterRoleBinding" else ("Role", "ClusterRole")
        if not role_ref.get("name"):
            causes.append(Cause("FieldValueRequired", "Required value", "roleRef.name"))
        if role_ref.get("kind") not in allowed:
            supported = ", ".join(f'"{k}"' for k in allowed)
            causes.append(
                Cause(
                    "FieldValueNotSupported",
                    f'Unsupported value: "{role_ref.get("kind", "")}": supported values: {supported}',
                    "roleRef.kind",
                )
            )
        for index, subject in enumerate(obj.get("subjects") or []):
            causes.extend(_subject_causes(subject, index))
        return causes

    def validate_update(self, new: Object, old: Object) -> list[Cause]:
        causes = self.validate(new)
        if new.get("roleRef") != old.get("roleRef"):
            causes.append(Cause("FieldValueInvalid", "Invalid value: cannot change roleRef", "roleRef"))
        return causes

    def admit(self, ctx: RequestContext, new: Object, old: Object | None) -> None:
        admit_binding(ctx, new, old, resource=self.definition.plural)


def _subject_causes(subject: Object, index: int) -> list[Cause]:
    causes = []
    if subject.get("kind") not in SUBJECT_KINDS:
        causes.append(
            Cause(
                "FieldValueNotSupported",
                f'Unsupported value: "{subject.get("kind", "")}": supported values: "ServiceAccount", "User", "Group"',
                f"subjects[{index}].kind",
            )
        )
    if not subject.get("name"):
        causes.append(Cause("FieldValueRequired", "Required value", f"subjects[{index}].name"))
    if subject.get("kind") == "ServiceAccount" and not subject.get("namespace"):
        causes.append(Cause("FieldValueRequired", "Required value", f"subjects[{index}].namespace"))
    return causes


class LeaseStrategy(Strategy):
    def validate(self, obj: Object) -> list[Cause]:
        duration = (obj.get("spec") or {}).get("leaseDurationSeconds")
        if duration is not None and duration <= 0:
            return [
                Cause(
                    "FieldValueInvalid",
                    f"Invalid value: {duration}: must be greater than 0",
                    "spec.leaseDurationSeconds",
                )
            ]
        return []


class EventStrategy(Strategy):
    def validate(self, obj: Object) -> list[Cause]:
        involved = obj.get("involvedObject") or {}
        namespace = (obj.get("metadata") or {}).get("namespace", "")
        if involved.get("namespace") and namespace and involved["namespace"] != namespace:
            return [
                Cause(
                    "FieldValueInvalid",
                    f'Invalid value: "{involved["namespace"]}": does not match event.namespace',
                    "involvedObject.namespace",
                )
            ]
        return []


class LogicalClusterStrategy(Strategy):
    has_status = True

    def prepare_for_create(self, obj: Object) -> None:
        obj.setdefault("status", {}).setdefault("phase", "Ready")

    def validate(self, obj: Object) -> list[Cause]:
        name = (obj.get("metadata") or {}).get("name", "")
        if name != "cluster":
            return [Cause("FieldValueInvalid", f'Invalid value: "{name}": must be "cluster"', "metadata.name")]
        return []


STRATEGIES: dict[str, type[Strategy]] = {
    "Namespace": NamespaceStrategy,
    "ConfigMap": ConfigMapStrategy,
    "Secret": SecretStrategy,
    "Role": RoleStrategy,
    "ClusterRole": RoleStrategy,
    "RoleBinding": BindingStrategy,
    "ClusterRoleBinding": BindingStrategy,
    "Lease": LeaseStrategy,
    "Event": EventStrategy,
    "LogicalCluster": LogicalClusterStrategy,
    "CustomResourceDefinition": CustomResourceDefinitionStrategy,
    "Workspace": WorkspaceStrategy,
    "WorkspaceType": WorkspaceTypeStrategy,
    "Shard": ShardStrategy,
}


def strategy_for(resource: ResourceDefinition) -> Strategy:
    return STRATEGIES.get(resource.kind, Strategy)(resource)
