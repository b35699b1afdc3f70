"""Label selectors: the `labelSelector` string, `metav1.LabelSelector` objects, and matching.

Owns `LabelSelector` (an AND of requirements, or the selector that matches nothing),
`parse_label_selector` for the query-string form (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`,
`a`, `!a`, `a>1`, `a<1`, comma-joined), `selector_from_object` for `matchLabels`/`matchExpressions`,
and `selector_from_set`. Invalid selectors raise `bad_request` with the API server's exact texts
(`unable to parse requirement: ...`). Requirements are sorted by key, like upstream's, so `str()` of
a parsed selector is its canonical string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apimachinery.errors import bad_request
from apimachinery.selectors.label_parser import parse_requirements
from apimachinery.selectors.requirement import Operator, Requirement, build_requirement
from apimachinery.validation.field import go_quote

__all__ = [
    "EVERYTHING",
    "NOTHING",
    "LabelSelector",
    "Operator",
    "Requirement",
    "new_requirement",
    "parse_label_selector",
    "selector_from_object",
    "selector_from_set",
]


@dataclass(frozen=True)
class LabelSelector:
    """An AND of requirements; `nothing` marks the selector that matches no object at all."""

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self.nothing:
            return False
        present = labels or {}
        return all(requirement.matches(present) for requirement in self.requirements)

    @property
    def empty(self) -> bool:
        """True when the selector does not restrict anything."""
        return not self.nothing and not self.requirements

    def __str__(self) -> str:
        return ",".join(str(requirement) for requirement in self.requirements)


EVERYTHING = LabelSelector()
NOTHING = LabelSelector(nothing=True)


def new_requirement(key: str, operator: Operator, values: list[str] | None, *, path: str = "") -> Requirement:
    """A validated requirement; invalid → `StatusError` 400 carrying upstream's aggregate text."""
    try:
        return build_requirement(key, operator, values, path)
    except ValueError as error:
        raise bad_request(str(error)) from None


def parse_label_selector(text: str) -> LabelSelector:
    """The `labelSelector` query parameter as a selector; a syntax or validation error → 400."""
    try:
        requirements = parse_requirements(text)
    except ValueError as error:
        raise bad_request(str(error)) from None
    return LabelSelector(tuple(sorted(requirements, key=lambda r: r.key)))


_EXPRESSION_OPERATORS = {
    "In": Operator.IN,
    "NotIn": Operator.NOT_IN,
    "Exists": Operator.EXISTS,
    "DoesNotExist": Operator.DOES_NOT_EXIST,
}


def selector_from_object(selector: Mapping[str, Any] | None) -> LabelSelector:
    """A `metav1.LabelSelector` object as a selector: null matches nothing, `{}` everything."""
    if selector is None:
        return NOTHING
    match_labels: Mapping[str, str] = selector.get("matchLabels") or {}
    expressions: list[Mapping[str, Any]] = selector.get("matchExpressions") or []
    requirements = [new_requirement(key, Operator.EQUALS, [value]) for key, value in match_labels.items()]
    for expression in expressions:
        name = expression.get("operator") or ""
        if name not in _EXPRESSION_OPERATORS:
            raise bad_request(f"{go_quote(name)} is not a valid label selector operator")
        values = expression.get("values")
        requirements.append(
            new_requirement(
                expression.get("key") or "",
                _EXPRESSION_OPERATORS[name],
                list(values) if values else None,
            )
        )
    return LabelSelector(tuple(sorted(requirements, key=lambda r: r.key)))


def selector_from_set(labels: Mapping[str, str]) -> LabelSelector:
    """Exactly these labels, unvalidated (upstream's `SelectorFromSet`)."""
    return LabelSelector(tuple(Requirement(k, Operator.EQUALS, (v,)) for k, v in sorted(labels.items())))
