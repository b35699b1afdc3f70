"""The field and label selectors an access review may carry in `spec.resourceAttributes` (upstream's
AuthorizeWithSelectors): their validation (422 causes with upstream's paths and texts) and the
`status.evaluationError` upstream reports when a selector cannot be used.

Our authorizer chain does not look at selectors, so a selector never changes the answer; a request with
one is answered as the same request without it, which is what upstream's RBAC does too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apimachinery import errors
from apimachinery.errors import Cause
from apimachinery.selectors.fields import parse_field_selector_syntax
from apimachinery.selectors.labels import parse_label_selector
from apimachinery.selectors.requirement import Operator, build_requirement
from apimachinery.validation import field
from apimachinery.validation.names import is_label_key, is_label_value

Object = dict[str, Any]
RequirementCheck = Callable[[Object, str], list[Cause]]

VALUES_REQUIRED = "must be specified when `operator` is 'In' or 'NotIn'"
VALUES_FORBIDDEN = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
BOTH_GIVEN = "may not specified at the same time as requirements"
LABEL_OPERATORS = {
    "In": Operator.IN,
    "NotIn": Operator.NOT_IN,
    "Exists": Operator.EXISTS,
    "DoesNotExist": Operator.DOES_NOT_EXIST,
}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dicts(value: Any) -> list[Object]:
    return [item if isinstance(item, dict) else {} for item in _list(value)]


def selector_causes(attributes: Object, path: str) -> list[Cause]:
    """The validation errors of both selectors of `attributes` (found at `path`)."""
    checks: tuple[tuple[str, RequirementCheck], ...] = (
        ("fieldSelector", _field_requirement_causes),
        ("labelSelector", _label_requirement_causes),
    )
    causes: list[Cause] = []
    for name, check in checks:
        selector = attributes.get(name)
        if isinstance(selector, dict):
            causes += _selector_causes(selector, f"{path}.{name}", check)
    return causes


def _selector_causes(selector: Object, path: str, check: RequirementCheck) -> list[Cause]:
    raw = str(selector.get("rawSelector") or "")
    requirements = _dicts(selector.get("requirements"))
    causes: list[Cause] = []
    if raw and requirements:
        causes.append(field.invalid(f"{path}.rawSelector", raw, BOTH_GIVEN))
    if not raw and not requirements:
        detail = f"when {path} is specified, requirements or rawSelector is required"
        causes.append(field.required(f"{path}.requirements", detail))
    for index, requirement in enumerate(requirements):
        causes += check(requirement, f"{path}.requirements[{index}]")
    return causes


def _values_causes(requirement: Object, path: str) -> list[Cause]:
    """An operator the server does not know passes: upstream lets newer clients send new ones."""
    operator, values = requirement.get("operator"), _list(requirement.get("values"))
    if operator in ("In", "NotIn") and not values:
        return [field.required(f"{path}.values", VALUES_REQUIRED)]
    if operator in ("Exists", "DoesNotExist") and values:
        return [field.forbidden(f"{path}.values", VALUES_FORBIDDEN)]
    return []


def _field_requirement_causes(requirement: Object, path: str) -> list[Cause]:
    causes = [] if requirement.get("key") else [field.required(f"{path}.key", "must be specified")]
    return causes + _values_causes(requirement, path)


def _label_requirement_causes(requirement: Object, path: str) -> list[Cause]:
    key = str(requirement.get("key") or "")
    causes = _values_causes(requirement, path)
    causes += [field.invalid(f"{path}.key", key, message) for message in is_label_key(key)]
    for index, value in enumerate(_list(requirement.get("values"))):
        causes += [field.invalid(f"{path}.values[{index}]", value, msg) for msg in is_label_value(str(value))]
    return causes


def evaluation_errors(attributes: Object) -> list[str]:
    """Upstream's notes on selectors it had to drop: `... ignored due to parse error` when nothing of a
    selector could be used, `... partially ignored ...` when some requirements could."""
    notes: list[str] = []
    for name, usable in (("fieldSelector", _field_usable), ("labelSelector", _label_usable)):
        selector = attributes.get(name)
        if not isinstance(selector, dict):
            continue
        kept, failed = usable(selector)
        if failed:
            extent = "partially ignored" if kept else "ignored"
            notes.append(f"spec.resourceAttributes.{name} {extent} due to parse error")
    return notes


def _usable(
    selector: Object, requirement_usable: Callable[[Object], bool], count_raw: Callable[[str], int]
) -> tuple[int, bool]:
    """(requirements kept, whether any failed) for a selector given as requirements or as a raw string."""
    requirements = _dicts(selector.get("requirements"))
    if requirements:
        kept = sum(1 for r in requirements if requirement_usable(r))
        return kept, kept < len(requirements)
    raw = str(selector.get("rawSelector") or "")
    if not raw:
        return 0, False
    try:
        return count_raw(raw), False
    except errors.StatusError:
        return 0, True


def _field_usable(selector: Object) -> tuple[int, bool]:
    return _usable(selector, _field_requirement_usable, lambda raw: len(parse_field_selector_syntax(raw).requirements))


def _label_usable(selector: Object) -> tuple[int, bool]:
    return _usable(selector, _label_requirement_usable, lambda raw: len(parse_label_selector(raw).requirements))


def _field_requirement_usable(requirement: Object) -> bool:
    """Field selectors know only equality: In and NotIn with exactly one value."""
    return requirement.get("operator") in ("In", "NotIn") and len(_list(requirement.get("values"))) == 1


def _label_requirement_usable(requirement: Object) -> bool:
    operator = LABEL_OPERATORS.get(str(requirement.get("operator")))
    if operator is None:
        return False
    values = [str(v) for v in _list(requirement.get("values"))] or None
    try:
        build_requirement(str(requirement.get("key") or ""), operator, values)
    except ValueError:
        return False
    return True
