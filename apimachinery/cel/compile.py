"""Compiling the `x-kubernetes-validations` rules of a whole schema, with upstream's CRD-time causes.

Owns `CompiledRule`, `CompiledNode` (the schema tree pruned to the levels that hold rules) and
`compile_tree`, which walks a structural schema as upstream's CRD validation does: it checks each rule
entry (rule present, message, messageExpression, reason, fieldPath), compiles rule and
messageExpression against the declared type of `self` at that level, forbids `oldSelf` below lists
that cannot be correlated, and applies the static cost check of `apimachinery.cel.cost`. Causes use
upstream's field paths, e.g. `spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from apimachinery.cel import cost
from apimachinery.cel.checker import Checked, RuleChecker
from apimachinery.cel.fieldpath import FieldPathError, child, normalize_field_path
from apimachinery.cel.parser import CelParser, CelSyntaxError
from apimachinery.cel.program import Program, transpile
from apimachinery.cel.structural import RuleSpec, SchemaNode
from apimachinery.cel.types import CelType, decl_type, max_cardinality, optional_of
from apimachinery.errors import Cause
from apimachinery.validation import field as field_errors

_REASONS = ("FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired")
_NO_DECL_TYPE = (
    "internal error: failed to construct type information for x-kubernetes-validations rules: "
    "unable to convert structural schema to CEL declarations"
)


@dataclass(frozen=True)
class CompiledRule:
    """One rule, compiled: `program` is None when the rule is empty or did not compile (`error`)."""

    spec: RuleSpec
    program: Program | None = None
    message_program: Program | None = None
    error: str = ""
    message_error: str = ""
    uses_old_self: bool = False
    field_path: str = ""
    iterations: int = 0


@dataclass(frozen=True, eq=False)
class CompiledNode:
    """A schema level with rules at or below it, and the compiled rules of this level."""

    schema: SchemaNode
    resource_root: bool
    rules: tuple[CompiledRule, ...] = ()
    properties: Mapping[str, CompiledNode] = field(default_factory=dict)
    items: CompiledNode | None = None
    additional_properties: CompiledNode | None = None
    all_of: tuple[CompiledNode, ...] = ()


@dataclass
class _Walk:
    """The state of one compilation: parser, causes found so far, total cost."""

    parser: CelParser
    schema_errors: list[Cause] = field(default_factory=list)
    cel_errors: list[Cause] = field(default_factory=list)
    total: cost.TotalCost = field(default_factory=cost.TotalCost)


@dataclass(frozen=True)
class _Place:
    """Where a schema level sits: its path, whether it is a resource root, how often it can occur."""

    path: str
    resource_root: bool = False
    cardinality: int | None = 1
    uncorrelatable: str = ""
    report: bool = True


def compile_tree(schema: SchemaNode, *, parser: CelParser, path: str) -> tuple[CompiledNode | None, list[Cause]]:
    """The compiled rule tree of a root schema, and the causes a CRD carrying it is refused with."""
    walk = _Walk(parser)
    root = _node(schema, _Place(path, resource_root=True), walk)
    return root, walk.schema_errors + walk.cel_errors + walk.total.causes(path)


def _node(schema: SchemaNode, place: _Place, walk: _Walk) -> CompiledNode | None:
    if not schema.has_rules_below():
        return None
    rules = _rules(schema, place, walk) if schema.rules else ()
    properties = {
        name: compiled
        for name, prop in schema.properties.items()
        if (compiled := _node(prop, _property_place(schema, place, name, prop), walk)) is not None
    }
    items = additional = None
    if schema.items is not None:
        items = _node(schema.items, _items_place(schema, place), walk)
    if schema.additional_properties is not None:
        sub = schema.additional_properties
        additional = _node(sub, _child_place(schema, place, "additionalProperties", sub), walk)
    all_of = tuple(
        compiled
        for i, sub in enumerate(schema.all_of)
        if (compiled := _node(sub, _all_of_place(place, i), walk)) is not None
    )
    return CompiledNode(schema, place.resource_root, rules, properties, items, additional, all_of)


def _child_place(parent: SchemaNode, place: _Place, step: str, schema: SchemaNode) -> _Place:
    cardinality = None if place.cardinality is None else _times(place.cardinality, _max_elements(parent))
    return _Place(child(place.path, step), schema.embedded_resource, cardinality, place.uncorrelatable, place.report)


def _property_place(parent: SchemaNode, place: _Place, name: str, schema: SchemaNode) -> _Place:
    sub = _child_place(parent, place, f"properties[{name}]", schema)
    if parent.map_type not in ("", "granular", "atomic") and not sub.uncorrelatable:
        return _Place(sub.path, sub.resource_root, sub.cardinality, place.path, sub.report)
    return sub


def _items_place(parent: SchemaNode, place: _Place) -> _Place:
    assert parent.items is not None
    sub = _child_place(parent, place, "items", parent.items)
    if parent.list_type != "map" and not sub.uncorrelatable:
        return _Place(sub.path, sub.resource_root, sub.cardinality, place.path, sub.report)
    return sub


def _all_of_place(place: _Place, position: int) -> _Place:
    """Upstream compiles allOf rules for validation but reports none of their errors at CRD time."""
    return _Place(
        f"{place.path}.allOf[{position}]", place.resource_root, place.cardinality, place.uncorrelatable, False
    )


def _max_elements(schema: SchemaNode) -> int | None:
    if schema.type == "object" and schema.additional_properties is not None:
        return schema.max_properties
    if schema.type == "array":
        return schema.max_items
    return 1


def _times(cardinality: int, elements: int | None) -> int | None:
    return None if elements is None else cardinality * max(elements, 0)


def _rules(schema: SchemaNode, place: _Place, walk: _Walk) -> tuple[CompiledRule, ...]:
    base = child(place.path, "x-kubernetes-validations")
    entry_errors = [
        cause for i, spec in enumerate(schema.rules) for cause in _entry_errors(spec, schema, f"{base}[{i}]")
    ]
    if place.report:
        walk.schema_errors.extend(entry_errors)
    declared = decl_type(schema, place.resource_root)
    if declared is None:
        if place.report and not entry_errors:
            walk.cel_errors.append(Cause("InternalError", f"Internal error: {_NO_DECL_TYPE}", base))
        return tuple(CompiledRule(spec, error=_NO_DECL_TYPE) for spec in schema.rules)
    rules = tuple(_rule(spec, schema, declared, walk.parser) for spec in schema.rules)
    if place.report and not entry_errors:
        for i, compiled in enumerate(rules):
            walk.cel_errors.extend(_rule_causes(compiled, declared, place, f"{base}[{i}]", walk))
    return rules


def _entry_errors(spec: RuleSpec, schema: SchemaNode, path: str) -> list[Cause]:
    """Upstream's checks of a rule entry's fields, before any CEL is compiled."""
    errors: list[Cause] = []
    message = spec.message.strip()
    if not spec.rule.strip():
        errors.append(field_errors.required(child(path, "rule"), "rule is not specified"))
    elif spec.message and not message:
        errors.append(field_errors.invalid(child(path, "message"), spec.message, "must be non-empty if specified"))
    elif _has_newlines(message):
        errors.append(field_errors.invalid(child(path, "message"), spec.message, "must not contain line breaks"))
    elif _has_newlines(spec.rule.strip()) and not message:
        detail = "message must be specified if rule contains line breaks"
        errors.append(field_errors.required(child(path, "message"), detail))
    if spec.message_expression and not spec.message_expression.strip():
        detail = "messageExpression must be non-empty if specified"
        errors.append(field_errors.required(child(path, "messageExpression"), detail))
    if spec.reason is not None and spec.reason not in _REASONS:
        errors.append(field_errors.not_supported(child(path, "reason"), spec.reason, list(_REASONS)))
    errors.extend(_field_path_errors(spec, schema, child(path, "fieldPath")))
    return errors


def _field_path_errors(spec: RuleSpec, schema: SchemaNode, path: str) -> list[Cause]:
    errors: list[Cause] = []
    if spec.field_path and not spec.field_path.strip():
        errors.append(field_errors.invalid(path, spec.field_path, "must be non-empty if specified"))
    if _has_newlines(spec.field_path):
        errors.append(field_errors.invalid(path, spec.field_path, "must not contain line breaks"))
    if spec.field_path and _normalized(spec.field_path, schema) is None:
        errors.append(field_errors.invalid(path, spec.field_path, "must be a valid path"))
    return errors


def _has_newlines(text: str) -> bool:
    return "\n" in text or "\r" in text


def _normalized(field_path: str, schema: SchemaNode) -> str | None:
    try:
        return normalize_field_path(field_path, schema)
    except FieldPathError:
        return None


def _rule(spec: RuleSpec, schema: SchemaNode, declared: CelType, parser: CelParser) -> CompiledRule:
    """Compile one rule (and its messageExpression) against `self` of type `declared`."""
    if not spec.rule.strip():
        return CompiledRule(spec)
    old_self = optional_of(declared) if spec.optional_old_self else declared
    variables = {"self": declared, "oldSelf": old_self}
    checked, error = _check(spec.rule, variables, parser)
    if error or checked is None:
        return CompiledRule(spec, error=f"compilation failed: {error}")
    if checked.result.is_known() and checked.result.kind != "bool":
        return CompiledRule(spec, error="cel expression must evaluate to a bool")
    message_program, message_error = _message(spec, variables, parser)
    try:
        program = _transpile(spec.rule, parser)
    except (SyntaxError, RecursionError, ValueError, TypeError) as error:  # cel-python could not transpile it
        return CompiledRule(spec, error=f"program instantiation failed: {error}")
    return CompiledRule(
        spec,
        program=program,
        message_program=message_program,
        message_error=message_error,
        uses_old_self=checked.uses_old_self,
        field_path=(_normalized(spec.field_path, schema) or "") if spec.field_path else "",
        iterations=checked.iterations,
    )


def _check(text: str, variables: Mapping[str, CelType], parser: CelParser) -> tuple[Checked | None, str]:
    try:
        checked = RuleChecker(text, variables).check(parser.parse(text))
    except CelSyntaxError as error:
        return None, error.issue
    except RecursionError:
        return None, "ERROR: <input>:1:1: expression recursion limit exceeded"
    return checked, checked.issues


def _transpile(text: str, parser: CelParser) -> Program:
    return transpile(parser.parse(text), source=text, variables=frozenset({"self", "oldSelf"}))


def _message(spec: RuleSpec, variables: Mapping[str, CelType], parser: CelParser) -> tuple[Program | None, str]:
    """The messageExpression's program, or the reason it has none."""
    if not spec.message_expression.strip():
        return None, ""
    checked, error = _check(spec.message_expression, variables, parser)
    if error or checked is None:
        return None, f"messageExpression compilation failed: {error}"
    if checked.result.is_known() and checked.result.kind != "string":
        return None, "messageExpression must evaluate to a string"
    try:
        return _transpile(spec.message_expression, parser), ""
    except (SyntaxError, RecursionError, ValueError, TypeError) as error:
        return None, f"messageExpression instantiation failed: {error}"


def _rule_causes(compiled: CompiledRule, declared: CelType, place: _Place, path: str, walk: _Walk) -> list[Cause]:
    """The CEL causes of one rule at CRD time, in upstream's order: cost, compilation, oldSelf."""
    spec, causes = compiled.spec, []
    rule_path = child(path, "rule")
    cardinality = place.cardinality if place.cardinality is not None else max_cardinality(declared.min_size)
    rule_cost = cost.expression_cost(compiled.iterations, cardinality)
    if rule_cost > cost.STATIC_ESTIMATED_COST_LIMIT:
        message = cost.cost_error_message("estimated rule cost", rule_cost, cost.STATIC_ESTIMATED_COST_LIMIT)
        causes.append(field_errors.forbidden(rule_path, message))
    walk.total.observe(rule_path, rule_cost)
    if compiled.error:
        causes.append(field_errors.invalid(rule_path, spec.go_value(), compiled.error))
    if compiled.message_error:
        causes.append(field_errors.invalid(child(path, "messageExpression"), spec.go_value(), compiled.message_error))
    if compiled.uses_old_self and place.uncorrelatable:
        detail = f"oldSelf cannot be used on the uncorrelatable portion of the schema within {place.uncorrelatable}"
        causes.append(field_errors.invalid(rule_path, spec.rule, detail))
    elif not compiled.uses_old_self and spec.optional_old_self is not None:
        detail = "may not be set if oldSelf is not used in rule"
        causes.append(field_errors.invalid(child(path, "optionalOldSelf"), spec.optional_old_self, detail))
    return causes
