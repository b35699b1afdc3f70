"""Whether one RBAC PolicyRule allows one request, with upstream's exact matching rules.

A rule is the raw `PolicyRule` JSON dict (`verbs`, `apiGroups`, `resources`, `resourceNames`,
`nonResourceURLs`). A resource request is matched against verbs, apiGroups, resources and resourceNames;
a non-resource request against verbs and nonResourceURLs only. The two checks are independent, so a
rule carrying both kinds (which validation refuses for new rules) is honoured for both, as upstream does.

Wildcards, as upstream evaluates them:
- verbs `*`, apiGroups `*`, resources `*`: anything;
- resources `<resource>/<subresource>`: exactly that subresource; `*/<subresource>`: that subresource of
  any resource. A plain `<resource>` never grants its subresources, and `<resource>/*` is not a wildcard
  (it only matches a request for the literal subresource `*`);
- resourceNames: when present, only requests naming one of them; a request without a name (list,
  watch, create, deletecollection) never matches such a rule;
- nonResourceURLs `*`: any path; `<prefix>*`: any path starting with `<prefix>`; otherwise exact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

PolicyRule = Mapping[str, Any]

ALL = "*"


def _values(rule: PolicyRule, field: str) -> Sequence[str]:
    values: Sequence[str] | None = rule.get(field)
    return values or ()


def verb_matches(rule: PolicyRule, verb: str) -> bool:
    return any(value in (ALL, verb) for value in _values(rule, "verbs"))


def api_group_matches(rule: PolicyRule, api_group: str) -> bool:
    return any(value in (ALL, api_group) for value in _values(rule, "apiGroups"))


def resource_matches(rule: PolicyRule, resource: str, subresource: str) -> bool:
    """`resource` and `subresource` as the request names them (subresource empty for the main resource)."""
    combined = f"{resource}/{subresource}" if subresource else resource
    any_parent = f"*/{subresource}" if subresource else None
    return any(value in (ALL, combined, any_parent) for value in _values(rule, "resources"))


def resource_name_matches(rule: PolicyRule, name: str) -> bool:
    names = _values(rule, "resourceNames")
    return not names or name in names


def non_resource_url_matches(rule: PolicyRule, path: str) -> bool:
    for value in _values(rule, "nonResourceURLs"):
        if value in (ALL, path):
            return True
        if value.endswith("*") and path.startswith(value.rstrip("*")):
            return True
    return False


def resource_rule_allows(
    rule: PolicyRule, *, verb: str, api_group: str, resource: str, subresource: str = "", name: str = ""
) -> bool:
    """Whether `rule` allows this resource request."""
    return (
        verb_matches(rule, verb)
        and api_group_matches(rule, api_group)
        and resource_matches(rule, resource, subresource)
        and resource_name_matches(rule, name)
    )


def path_rule_allows(rule: PolicyRule, *, verb: str, path: str) -> bool:
    """Whether `rule` allows this non-resource request (`path` inside the logical cluster, e.g. `/api`)."""
    return verb_matches(rule, verb) and non_resource_url_matches(rule, path)
