"""Field selectors: the `fieldSelector` string syntax, the per-kind field check, and matching.

Owns parsing (`f=v`, `f==v`, `f!=v`, comma-joined; `\\`, `,` and `=` in values escaped with a
backslash), the conversion step that rejects fields a kind does not support (with the API server's two
wordings: the generic `"x" is not a known field selector: only "metadata.name", "metadata.namespace"`
and the per-kind `field label not supported: x`), optional renames (events.k8s.io `regarding.*` →
`involvedObject.*`), and matching against a dict of field name → string value. Errors are
`bad_request`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from apimachinery.errors import bad_request
from apimachinery.validation.field import go_quote

DEFAULT_FIELDS = frozenset({"metadata.name", "metadata.namespace"})
_OPERATORS = ("!=", "==", "=")


@dataclass(frozen=True)
class FieldRequirement:
    """`field = value` (or `!=` when `negated`)."""

    field: str
    value: str
    negated: bool = False

    def matches(self, fields: Mapping[str, str]) -> bool:
        return (fields.get(self.field, "") == self.value) != self.negated

    def __str__(self) -> str:
        return f"{self.field}{'!=' if self.negated else '='}{escape_value(self.value)}"


@dataclass(frozen=True)
class FieldSelector:
    """An AND of field requirements; empty matches everything."""

    requirements: tuple[FieldRequirement, ...] = ()

    def matches(self, fields: Mapping[str, str]) -> bool:
        return all(requirement.matches(fields) for requirement in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements

    def exact_match(self, field: str) -> str | None:
        """The value `field` must equal, when the selector pins it (e.g. `metadata.name=x`)."""
        return next((r.value for r in self.requirements if r.field == field and not r.negated), None)

    def __str__(self) -> str:
        return ",".join(str(requirement) for requirement in self.requirements)


EVERYTHING = FieldSelector()


def escape_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def unescape_value(value: str) -> str:
    """The literal value; a bad escape or a bare `,`/`=` is a 400 with upstream's text."""
    if not any(char in value for char in "\\,="):
        return value
    out: list[str] = []
    escaping = False
    for char in value:
        if escaping:
            if char not in "\\,=":
                raise bad_request(f"invalid field selector: invalid escape sequence: \\{char}")
            out.append(char)
            escaping = False
        elif char == "\\":
            escaping = True
        elif char in ",=":
            raise bad_request(f"invalid field selector: unescaped character in value: {ord(char)}")
        else:
            out.append(char)
    if escaping:
        raise bad_request("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _split_terms(text: str) -> list[str]:
    """Split on commas that are not escaped; escapes stay in the terms."""
    if not text:
        return []
    terms: list[str] = []
    start = 0
    escaping = False
    for index, char in enumerate(text):
        if escaping:
            escaping = False
        elif char == "\\":
            escaping = True
        elif char == ",":
            terms.append(text[start:index])
            start = index + 1
    terms.append(text[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    """At the first operator (no escaping on the left side): (field, operator, raw value)."""
    for index in range(len(term)):
        for operator in _OPERATORS:
            if term.startswith(operator, index):
                return term[:index], operator, term[index + len(operator) :]
    return None


def parse_field_selector_syntax(text: str) -> FieldSelector:
    """Parse without checking which fields exist; terms come out sorted, as upstream sorts them."""
    requirements: list[FieldRequirement] = []
    for term in sorted(_split_terms(text)):
        if not term:
            continue
        split = _split_term(term)
        if split is None:
            raise bad_request(f"invalid selector: '{text}'; can't understand '{term}'")
        field, operator, raw = split
        requirements.append(FieldRequirement(field, unescape_value(raw), negated=operator == "!="))
    return FieldSelector(tuple(requirements))


def convert_fields(
    selector: FieldSelector,
    *,
    supported: Collection[str] | None = None,
    renames: Mapping[str, str] | None = None,
) -> FieldSelector:
    """Reject unsupported fields and apply renames.

    `supported=None` is upstream's default for kinds without their own list (metadata.name and
    metadata.namespace only); a kind with its own list passes it (including the metadata fields it
    accepts) and gets the per-kind message. `renames` maps a field as clients spell it to the name the
    field dict uses.
    """
    allowed = DEFAULT_FIELDS if supported is None else supported
    aliases = renames or {}
    converted: list[FieldRequirement] = []
    for requirement in selector.requirements:
        if requirement.field not in allowed and requirement.field not in aliases:
            raise bad_request(_unsupported_message(requirement.field, default=supported is None))
        name = aliases.get(requirement.field, requirement.field)
        converted.append(FieldRequirement(name, requirement.value, requirement.negated))
    return FieldSelector(tuple(converted))


def _unsupported_message(name: str, *, default: bool) -> str:
    if default:
        return f'{go_quote(name)} is not a known field selector: only "metadata.name", "metadata.namespace"'
    return f"field label not supported: {name}"


def parse_field_selector(
    text: str,
    *,
    supported: Collection[str] | None = None,
    renames: Mapping[str, str] | None = None,
) -> FieldSelector:
    """The `fieldSelector` query parameter, parsed and checked against the kind's fields."""
    return convert_fields(parse_field_selector_syntax(text), supported=supported, renames=renames)
