"""coordination.k8s.io/v1 Lease, with MicroTime fields kept at microsecond precision."""

from __future__ import annotations

from apimachinery.apis.columns import age_column, name_column
from apimachinery.apis.schema import META, integer, kind_header, meta_schemas, obj, ref, string
from apimachinery.apis.types import PrinterColumn, ResourceDefinition

GROUP = "coordination.k8s.io"
API = "io.k8s.api.coordination.v1"

LEASES = ResourceDefinition(
    group=GROUP,
    version="v1",
    kind="Lease",
    plural="leases",
    singular="lease",
    namespaced=True,
    schema_name=f"{API}.Lease",
    schemas={
        **meta_schemas(),
        f"{API}.LeaseSpec": obj(
            {
                "acquireTime": ref(f"{META}.MicroTime", "When the current lease was acquired."),
                "holderIdentity": string("The identity of the holder of the current lease."),
                "leaseDurationSeconds": integer("How long candidates wait before taking over the lease."),
                "leaseTransitions": integer("How many times the lease changed holders."),
                "preferredHolder": string("Signals to a holder that the lease has a more optimal holder."),
                "renewTime": ref(f"{META}.MicroTime", "When the holder last renewed the lease."),
                "strategy": string("How candidates are chosen for coordinated leader election."),
            },
            "LeaseSpec is a specification of a Lease.",
        ),
        f"{API}.Lease": obj(
            {**kind_header(""), "spec": ref(f"{API}.LeaseSpec", "The specification of the Lease.")},
            "Lease defines a lease concept.",
            gvk=(GROUP, "v1", "Lease"),
        ),
    },
    columns=(
        name_column(),
        PrinterColumn(
            "Holder", "string", "The holder of the lease", lambda o: (o.get("spec") or {}).get("holderIdentity", "")
        ),
        age_column(),
    ),
)

RESOURCES = (LEASES,)
