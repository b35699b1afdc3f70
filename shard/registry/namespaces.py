"""Namespace rules: DNS-label names, the `kubernetes` finalizer, phase Terminating, protected namespaces."""

from __future__ import annotations

from apimachinery import errors
from apimachinery.apis.types import Object
from apimachinery.validation import names
from shard.registry.strategy import Strategy

PROTECTED = ("default", "kube-system", "kube-public")
NAME_LABEL = "kubernetes.io/metadata.name"
FINALIZER = "kubernetes"


class NamespaceStrategy(Strategy):
    has_status = True
    name_validator = staticmethod(names.name_is_dns_label)

    def prepare_for_create(self, obj: Object) -> None:
        obj["spec"] = {"finalizers": [FINALIZER]}
        obj["status"] = {"phase": "Active"}
        self._label(obj)

    def prepare_for_update(self, new: Object, old: Object) -> None:
        super().prepare_for_update(new, old)
        new["spec"] = old.get("spec") or {}
        self._label(new)

    def prepare_for_subresource_update(self, subresource: str, new: Object, old: Object) -> None:
        """/finalize changes only spec.finalizers; /status keeps the old spec and takes the rest (metadata
        included), as upstream's namespace status strategy does."""
        if subresource == "status":
            new["spec"] = old.get("spec") or {}
            return
        if subresource != "finalize":
            super().prepare_for_subresource_update(subresource, new, old)
            return
        finalizers = (new.get("spec") or {}).get("finalizers") or []
        new.clear()
        new.update(old)
        new["spec"] = {**(old.get("spec") or {}), "finalizers": finalizers}
        if not finalizers:
            new["spec"].pop("finalizers")

    def on_delete(self, obj: Object) -> bool:
        name = (obj.get("metadata") or {}).get("name", "")
        if name in PROTECTED:
            raise errors.forbidden("namespaces", name, "this namespace may not be deleted")
        obj.setdefault("status", {})["phase"] = "Terminating"
        return bool((obj.get("spec") or {}).get("finalizers"))

    @staticmethod
    def _label(obj: Object) -> None:
        metadata = obj.setdefault("metadata", {})
        labels = dict(metadata.get("labels") or {})
        labels[NAME_LABEL] = metadata.get("name", "")
        metadata["labels"] = labels
