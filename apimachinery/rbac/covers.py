"""Upstream's escalation arithmetic: which of the requested rules the owner's rules do not cover, and the
text listing them.

`uncovered` breaks every requested rule down into single (apiGroup, resource, verb[, resourceName]) and
(nonResourceURL, verb) pieces, as upstream's BreakdownRule does, and keeps the pieces no single owner rule
covers. Because each piece is atomic, one owner rule either covers it whole or not at all.

`describe_missing` renders them as upstream's escalation error does: pieces differing only by verb are
merged (CompactRules), each is printed in CompactString form, e.g.
`{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}`, and the lines are sorted and de-duplicated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from apimachinery.rbac.rules import ALL, PolicyRule
from apimachinery.validation.field import go_quote

Rule = dict[str, Any]

# CompactString's order of fields, with the names it prints.
_COMPACT_FIELDS = (
    ("apiGroups", "APIGroups"),
    ("resources", "Resources"),
    ("nonResourceURLs", "NonResourceURLs"),
    ("resourceNames", "ResourceNames"),
    ("verbs", "Verbs"),
)


def _values(rule: PolicyRule, field: str) -> Sequence[str]:
    values: Sequence[str] | None = rule.get(field)
    return values or ()


def breakdown(rule: PolicyRule) -> list[Rule]:
    """`rule` as the equivalent list of rules with one verb, one group, one resource and at most one name
    each (resource part), then one URL and one verb each (non-resource part)."""
    pieces: list[Rule] = []
    names = _values(rule, "resourceNames")
    for group in _values(rule, "apiGroups"):
        for resource in _values(rule, "resources"):
            for verb in _values(rule, "verbs"):
                base: Rule = {"apiGroups": [group], "resources": [resource], "verbs": [verb]}
                pieces.extend([{**base, "resourceNames": [name]} for name in names] if names else [base])
    for url in _values(rule, "nonResourceURLs"):
        pieces.extend({"nonResourceURLs": [url], "verbs": [verb]} for verb in _values(rule, "verbs"))
    return pieces


def _has_all(owned: Sequence[str], wanted: Sequence[str]) -> bool:
    return set(wanted) <= set(owned)


def _resources_cover(owned: Sequence[str], wanted: Sequence[str]) -> bool:
    """Owner resources cover the wanted ones: `*`, exact, or `*/<sub>` for a wanted `<resource>/<sub>`."""
    if ALL in owned or _has_all(owned, wanted):
        return True
    for resource in wanted:
        if resource in owned:
            continue
        _, slash, subresource = resource.partition("/")
        if not slash or f"*/{subresource}" not in owned:
            return False
    return True


def _url_covers(owner: str, wanted: str) -> bool:
    return owner == wanted or (owner.endswith("*") and wanted.startswith(owner.rstrip("*")))


def _urls_cover(owned: Sequence[str], wanted: Sequence[str]) -> bool:
    return all(any(_url_covers(owner, url) for owner in owned) for url in wanted)


def _names_cover(owned: Sequence[str], wanted: Sequence[str]) -> bool:
    # an owner limited to names never covers an unnamed piece; an unlimited owner covers every name
    if not wanted:
        return not owned
    return not owned or _has_all(owned, wanted)


def rule_covers(owner: PolicyRule, piece: PolicyRule) -> bool:
    """Whether `owner` (any rule) covers `piece` (a rule from `breakdown`)."""
    owner_verbs, owner_groups = _values(owner, "verbs"), _values(owner, "apiGroups")
    return (
        (ALL in owner_verbs or _has_all(owner_verbs, _values(piece, "verbs")))
        and (ALL in owner_groups or _has_all(owner_groups, _values(piece, "apiGroups")))
        and _resources_cover(_values(owner, "resources"), _values(piece, "resources"))
        and _names_cover(_values(owner, "resourceNames"), _values(piece, "resourceNames"))
        and _urls_cover(_values(owner, "nonResourceURLs"), _values(piece, "nonResourceURLs"))
    )


def uncovered(owner_rules: Iterable[PolicyRule], requested_rules: Iterable[PolicyRule]) -> list[Rule]:
    """The pieces of `requested_rules` that no rule of `owner_rules` covers (empty: fully covered)."""
    owners = list(owner_rules)
    pieces = [piece for rule in requested_rules for piece in breakdown(rule)]
    return [piece for piece in pieces if not any(rule_covers(owner, piece) for owner in owners)]


def _simple_key(rule: PolicyRule) -> tuple[str, str, tuple[str, ...]] | None:
    """(group, resource, names) of a rule with one group, one resource, at most one name and nothing else
    but verbs; None for any other rule (upstream's isSimpleResourceRule)."""
    groups, resources, names = _values(rule, "apiGroups"), _values(rule, "resources"), _values(rule, "resourceNames")
    if len(groups) != 1 or len(resources) != 1 or len(names) > 1 or _values(rule, "nonResourceURLs"):
        return None
    return groups[0], resources[0], tuple(names)


def compact(rules: Iterable[PolicyRule]) -> list[Rule]:
    """Upstream's CompactRules: simple resource rules that differ only by verb merged into one rule."""
    merged: dict[tuple[str, str, tuple[str, ...]], Rule] = {}
    others: list[Rule] = []
    for rule in rules:
        key = _simple_key(rule)
        if key is None:
            others.append(dict(rule))
        elif key in merged:
            merged[key]["verbs"] = [*merged[key]["verbs"], *_values(rule, "verbs")]
        else:
            merged[key] = {field: list(_values(rule, field)) for field, _ in _COMPACT_FIELDS if rule.get(field)}
            merged[key]["verbs"] = list(_values(rule, "verbs"))
    return [*others, *merged.values()]


def go_string_list(values: Sequence[str]) -> str:
    """A string slice as Go's `%q` prints it: `["a" "b"]` (also the `groups=[...]` of the escalation text)."""
    return "[" + " ".join(go_quote(value) for value in values) + "]"


def compact_string(rule: PolicyRule) -> str:
    """Upstream's CompactString, e.g. `{APIGroups:[""], Resources:["pods"], ResourceNames:["a"], Verbs:["get"]}`."""
    parts = [
        f"{label}:{go_string_list(_values(rule, field))}" for field, label in _COMPACT_FIELDS if _values(rule, field)
    ]
    return "{" + ", ".join(parts) + "}"


def describe_missing(missing: Iterable[PolicyRule]) -> str:
    """The lines upstream's escalation error lists after `...not currently held:`: compacted, rendered,
    sorted, de-duplicated, joined by newlines."""
    return "\n".join(sorted({compact_string(rule) for rule in compact(missing)}))
