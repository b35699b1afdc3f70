"""Warnings about APIBinding permission claims, printed after entering a workspace (pure).

After switching, kcp's plugin lists the APIBindings of the new workspace and warns on stderr about
every claim the bound APIExport exports that the binding does not specify, does not accept or
reject, or grants with different verbs. The texts are kcp's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def claim_string(claim: Mapping[str, Any]) -> str:
    """`resource`, `resource.group` or `resource.group:identityHash`, as kcp prints a claim."""
    group, resource, identity = (str(claim.get(key) or "") for key in ("group", "resource", "identityHash"))
    if not group:
        return resource
    if not identity:
        return f"{resource}.{group}"
    return f"{resource}.{group}:{identity}"


def _same_claim(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return all(str(a.get(key) or "") == str(b.get(key) or "") for key in ("group", "resource", "identityHash"))


def _verbs(claim: Mapping[str, Any]) -> set[str]:
    return {str(verb) for verb in claim.get("verbs") or []}


def unresolved_claim_warnings(bindings: Sequence[Mapping[str, Any]]) -> list[str]:
    """One warning text (possibly two lines) per problem, in kcp's order."""
    warnings: list[str] = []
    for binding in bindings:
        name = str((binding.get("metadata") or {}).get("name") or "")
        spec_claims = (binding.get("spec") or {}).get("permissionClaims") or []
        for exported in (binding.get("status") or {}).get("exportPermissionClaims") or []:
            found = acknowledged = verbs_match = False
            expected: set[str] = set()
            actual: set[str] = set()
            for spec_claim in spec_claims:
                if not _same_claim(exported, spec_claim):
                    continue
                found = True
                acknowledged = spec_claim.get("state") in ("Accepted", "Rejected")
                expected, actual = _verbs(exported), _verbs(spec_claim)
                verbs_match = expected == actual
            text = claim_string(exported)
            if not found:
                warnings.append(f"Warning: claim for {text} exported but not specified on APIBinding {name}\n"
                                "Add this claim to the APIBinding's Spec.")
            if not acknowledged:
                warnings.append(f"Warning: claim for {text} specified on APIBinding {name} "
                                "but not accepted or rejected.")
            if not verbs_match:
                warnings.append(f"Warning: allowed verbs ({','.join(sorted(actual))}) on claim for {text} on "
                                f"APIBinding {name} do not match expected verbs ({','.join(sorted(expected))}).")
    return warnings
