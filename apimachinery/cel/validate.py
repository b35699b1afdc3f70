"""Evaluating compiled rules against a custom resource (upstream `Validator.Validate`).

Walks the object along the compiled rule tree: each present, non-null value is checked by the rules
of its schema level with `self` bound to it. Transition rules (those using `oldSelf`) run only where
an old value correlates: the same property of an object or map, or the item of a map list with the
same key values; never items of atomic or set lists. With `optionalOldSelf` they also run on create,
with `oldSelf` an empty optional. On update, a failure of a non-transition rule on a value that did not
change is ratcheted: reported as a warning instead of an error, as upstream does.

All rules of one request share one cost budget; see `apimachinery.cel.meter`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from celpy import celtypes

from apimachinery.cel import lib_optional, values
from apimachinery.cel.compile import CompiledNode, CompiledRule
from apimachinery.cel.fieldpath import child, index, key
from apimachinery.cel.meter import CostExceeded, CostLimits, Meter, Outcome, metering
from apimachinery.cel.program import EvaluationError, Program
from apimachinery.cel.ratchet import Correlation, map_list_key
from apimachinery.errors import Cause
from apimachinery.validation import field as field_errors

_NO_FURTHER = "no further validation rules will be run"
OUT_OF_BUDGET = f"validation failed due to running out of cost budget, {_NO_FURTHER}"
_MAX_MESSAGE_BYTES = 5 * 1024


class _Stop(Exception):
    """No further rules may run (the budget is spent or a call went over its limit)."""


@dataclass
class ValidationResult:
    """The causes of a 422, and the texts of ratcheted failures to return as warnings."""

    causes: list[Cause] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Run:
    meter: Meter
    result: ValidationResult = field(default_factory=ValidationResult)

    def add(self, cause: Cause, *, ratchet: bool) -> None:
        if ratchet:
            self.result.warnings.append(field_errors.error_text(cause))
        else:
            self.result.causes.append(cause)


def validate_tree(root: CompiledNode, obj: Any, old: Any, limits: CostLimits) -> ValidationResult:
    run = _Run(Meter(limits))
    correlation = Correlation.root(obj, old, root.schema) if old is not None else Correlation()
    with metering(run.meter), contextlib.suppress(_Stop):
        _validate(root, "", obj, old, correlation, run)
    return run.result


def _validate(node: CompiledNode, path: str, value: Any, old: Any, correlation: Correlation, run: _Run) -> None:
    if value is None:
        return
    _rules(node, path, value, old, correlation, run)
    for sub in node.all_of:
        _validate(sub, path, value, old, correlation.without_current(), run)
    if isinstance(value, list) and node.items is not None:
        old_item = _old_items(node, old)
        for i, item in enumerate(value):
            _validate(node.items, index(path, i), item, old_item(item), correlation.index(i), run)
    elif isinstance(value, dict):
        _validate_map(node, path, value, old if isinstance(old, dict) else {}, correlation, run)


def _validate_map(
    node: CompiledNode, path: str, value: dict[str, Any], old: dict[str, Any], correlation: Correlation, run: _Run
) -> None:
    correlatable = node.schema.map_type in ("", "granular", "atomic")
    if node.additional_properties is not None:
        for name, item in value.items():
            old_item = old.get(name) if correlatable else None
            _validate(node.additional_properties, key(path, name), item, old_item, correlation.key(name), run)
    for name, item in value.items():
        sub = node.properties.get(name)
        if sub is not None:
            old_item = old.get(name) if correlatable else None
            _validate(sub, child(path, name), item, old_item, correlation.key(name), run)


def _old_items(node: CompiledNode, old: Any) -> Callable[[Any], Any]:
    """For a map list, the old item with the same key values as a new one; other lists have none."""
    keys = node.schema.list_map_keys
    if node.schema.list_type != "map" or not keys or not isinstance(old, list):
        return lambda item: None
    by_key: dict[tuple[Any, ...], Any] = {}
    for old_item in old:
        old_key = map_list_key(old_item, keys)
        if old_key is not None:
            by_key.setdefault(old_key, old_item)

    def lookup(item: Any) -> Any:
        item_key = map_list_key(item, keys)
        return None if item_key is None else by_key.get(item_key)

    return lookup


def _rules(node: CompiledNode, path: str, value: Any, old: Any, correlation: Correlation, run: _Run) -> None:
    if not node.rules:
        return
    node_type = node.schema.type
    if run.meter.exhausted():
        run.add(field_errors.invalid(_shown(path), node_type, OUT_OF_BUDGET), ratchet=False)
        raise _Stop()
    self_value = values.to_cel(value, node.schema, resource_root=node.resource_root)
    old_value = None
    if old is not None and any(rule.uses_old_self for rule in node.rules):
        old_value = values.to_cel(old, node.schema, resource_root=node.resource_root)
    for rule in node.rules:
        _rule(rule, node, path, self_value, old_value, correlation, run)


def _rule(
    rule: CompiledRule,
    node: CompiledNode,
    path: str,
    self_value: Any,
    old_value: Any,
    correlation: Correlation,
    run: _Run,
) -> None:
    spec, node_type = rule.spec, node.schema.type
    if rule.error:
        run.add(field_errors.invalid(_shown(path), node_type, f"rule compile error: {rule.error}"), ratchet=False)
        return
    if rule.program is None or (rule.uses_old_self and old_value is None and not spec.optional_old_self):
        return
    variables = _variables(rule, self_value, old_value)
    if _holds(rule.program, variables, rule, path, node_type, run) is not False:
        return
    target = child(path, rule.field_path) if rule.field_path else path
    detail = _message(rule, variables, target, node_type, run) or _default_message(rule)
    cause = _cause(spec.reason, _shown(target), node_type, detail)
    run.add(cause, ratchet=not rule.uses_old_self and correlation.should_ratchet())


def _variables(rule: CompiledRule, self_value: Any, old_value: Any) -> dict[str, Any]:
    variables = {"self": self_value}
    if rule.spec.optional_old_self:
        variables["oldSelf"] = lib_optional.NONE if old_value is None else lib_optional.Optional(old_value)
    elif old_value is not None:
        variables["oldSelf"] = old_value
    return variables


def _holds(
    program: Program, variables: dict[str, Any], rule: CompiledRule, path: str, node_type: str, run: _Run
) -> bool | None:
    """Whether the rule holds; None when it failed to evaluate (that error is already reported)."""
    run.meter.start_call()
    try:
        result = program.evaluate(variables)
    except CostExceeded:
        _stop_over_budget(run, path, node_type, rule, run.meter.finish_call(aborted=True))
        return None
    except EvaluationError as error:
        _stop_over_budget(run, path, node_type, rule, run.meter.finish_call(aborted=False))
        run.add(field_errors.invalid(_shown(path), node_type, _error_detail(str(error), rule)), ratchet=False)
        return None
    _stop_over_budget(run, path, node_type, rule, run.meter.finish_call(aborted=False))
    return isinstance(result, bool | celtypes.BoolType) and bool(result)


def _stop_over_budget(run: _Run, path: str, node_type: str, rule: CompiledRule, outcome: Outcome) -> None:
    if outcome is Outcome.WITHIN:
        return
    if outcome is Outcome.BUDGET_EXHAUSTED:
        detail = OUT_OF_BUDGET
    else:
        detail = (
            "'operation cancelled: actual cost limit exceeded': no further validation rules will be run "
            f"due to call cost exceeds limit for rule: {rule.spec.error_string()}"
        )
    run.add(field_errors.invalid(_shown(path), node_type, detail), ratchet=False)
    raise _Stop()


def _error_detail(error: str, rule: CompiledRule) -> str:
    if error.startswith("no such overload"):
        return (
            f"'{error}': call arguments did not match a supported operator, function or macro signature "
            f"for rule: {rule.spec.error_string()}"
        )
    return f"{error} evaluating rule: {rule.spec.error_string()}"


def _message(rule: CompiledRule, variables: dict[str, Any], path: str, node_type: str, run: _Run) -> str:
    """The evaluated messageExpression, or "" to fall back to the rule's message."""
    if rule.message_program is None:
        return ""
    run.meter.start_call()
    try:
        message = rule.message_program.evaluate(variables)
    except CostExceeded:
        outcome = run.meter.finish_call(aborted=True)
        _stop_message(run, path, node_type, rule, outcome)
        return ""
    except EvaluationError:
        run.meter.finish_call(aborted=False)
        return ""
    _stop_message(run, path, node_type, rule, run.meter.finish_call(aborted=False))
    text = message.strip() if isinstance(message, str) else ""
    return text if text and "\n" not in text and len(text.encode()) <= _MAX_MESSAGE_BYTES else ""


def _stop_message(run: _Run, path: str, node_type: str, rule: CompiledRule, outcome: Outcome) -> None:
    if outcome is Outcome.WITHIN:
        return
    if outcome is Outcome.BUDGET_EXHAUSTED:
        detail = f"messageExpression evaluation failed due to running out of cost budget, {_NO_FURTHER}"
    else:
        quoted = field_errors.go_quote(rule.spec.message_expression)
        detail = (
            f"no further validation rules will be run due to call cost exceeds limit for messageExpression: {quoted}"
        )
    run.add(field_errors.invalid(_shown(path), node_type, detail), ratchet=False)
    raise _Stop()


def _default_message(rule: CompiledRule) -> str:
    message = rule.spec.message.strip()
    return message or f"failed rule: {rule.spec.rule.strip()}"


def _cause(reason: str | None, path: str, node_type: str, detail: str) -> Cause:
    """Upstream `fieldErrorForReason`."""
    if reason == "FieldValueForbidden":
        return field_errors.forbidden(path, detail)
    if reason == "FieldValueRequired":
        return field_errors.required(path, detail)
    if reason == "FieldValueDuplicate":
        return field_errors.duplicate(path, node_type)
    return field_errors.invalid(path, node_type, detail)


def _shown(path: str) -> str:
    """A field path as upstream prints it: the root (a nil `*field.Path`) is `<nil>`."""
    return path or "<nil>"
