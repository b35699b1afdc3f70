"""A partial static checker for CEL rules, standing in for cel-go's type checker (cel-python has none).

It reports, with cel-go's texts and positions, what it can decide from the schema's declared types:
undeclared references (unknown identifiers and functions), undefined fields of objects, field selection
on scalars, operators applied to two known, different types, bad regex/duration/timestamp literals,
unsupported macro forms, and the result type of the whole expression. Anything typed `dyn` passes,
as it does in cel-go. It also records whether `oldSelf` is used (a transition rule) and a lower bound
of the comprehension iterations, for the static cost check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import lark

from apimachinery.cel.library import LITERAL_CHECKS, SIGNATURES
from apimachinery.cel.parser import (
    MACROS,
    NAMESPACES,
    TreeOrToken,
    bare_identifier,
    call_arguments,
    issue,
    position,
    start_offset,
    string_literal,
    unwrap,
)
from apimachinery.cel.program import RESERVED_NAMES
from apimachinery.cel.types import (
    BOOL,
    DYN,
    LITERAL_TYPES,
    NUMERIC_KINDS,
    STRING,
    TYPE,
    TYPE_IDENTIFIERS,
    CelType,
    arithmetic_result,
    list_of,
    macro_result,
    map_of,
)

Tree = lark.Tree[lark.Token]
_OPERATORS = {"relation_lt": "<", "relation_le": "<=", "relation_gt": ">", "relation_ge": ">=", "relation_eq": "=="}
_OPERATORS |= {"relation_ne": "!=", "addition_add": "+", "addition_sub": "-", "multiplication_mul": "*"}
_OPERATORS |= {"multiplication_div": "/", "multiplication_mod": "%"}


@dataclass
class Checked:
    """What the checker learned: issues (cel-go text, empty when none), result type, oldSelf use, cost."""

    issues: str
    result: CelType
    uses_old_self: bool
    iterations: int


@dataclass
class _Typed:
    type: CelType
    iterations: int = 0


@dataclass
class RuleChecker:
    """Checks one expression against the declared types of its variables (`self`, `oldSelf`)."""

    text: str
    variables: Mapping[str, CelType]
    _issues: list[tuple[int, int, str]] = field(default_factory=list)
    _uses_old_self: bool = False

    def check(self, tree: Tree) -> Checked:
        typed = self._visit(tree, dict(self.variables))
        ordered = sorted(self._issues, key=lambda entry: (entry[0], entry[1]))
        issues = "\n".join(issue(self.text, line, column, message) for line, column, message in ordered)
        return Checked(issues, typed.type, self._uses_old_self, typed.iterations)

    def _report(self, offset: int, message: str) -> None:
        line, column = position(self.text, offset)
        self._issues.append((line, column, message))

    def _visit(self, node: TreeOrToken, scope: dict[str, CelType]) -> _Typed:
        if isinstance(node, lark.Token):
            return _Typed(DYN)
        handler = getattr(self, f"_visit_{node.data}", None)
        if handler is not None:
            result: _Typed = handler(node, scope)
            return result
        children = [self._visit(child, scope) for child in node.children]
        if len(children) == 1:
            return children[0]
        return _Typed(DYN, sum(child.iterations for child in children))

    def _visit_expr(self, node: Tree, scope: dict[str, CelType]) -> _Typed:
        parts = [self._visit(child, scope) for child in node.children]
        if len(parts) == 1:
            return parts[0]
        cost = sum(part.iterations for part in parts)
        same = parts[1].type.kind == parts[2].type.kind and parts[1].type.kind != "dyn"
        return _Typed(parts[1].type if same else DYN, cost)

    def _visit_conditionalor(self, node: Tree, scope: dict[str, CelType]) -> _Typed:
        parts = [self._visit(child, scope) for child in node.children]
        if len(parts) == 1:
            return parts[0]
        return _Typed(BOOL, sum(part.iterations for part in parts))

    _visit_conditionaland = _visit_conditionalor

    def _visit_relation(self, node: Tree, scope: dict[str, CelType]) -> _Typed:
        if len(node.children) == 1:
            return self._visit(node.children[0], scope)
        operator, right_node = node.children
        assert isinstance(operator, lark.Tree)
        left, right = self._visit(operator.children[0], scope), self._visit(right_node, scope)
        if operator.data != "relation_in":
            self._check_operands(_OPERATORS[operator.data], left.type, right.type, right_node)
        return _Typed(BOOL, left.iterations + right.iterations)

    def _visit_addition(self, node: Tree, scope: dict[str, CelType]) -> _Typed:
        if len(node.children) == 1:
            return self._visit(node.children[0], scope)
        operator, right_node = node.children
        assert isinstance(operator, lark.Tree)
        left, right = self._visit(operator.children[0], scope), self._visit(right_node, scope)
        symbol = _OPERATORS[operator.data]
        result = arithmetic_result(symbol, left.type, right.type)
        if result is None:
            self._mismatch(symbol, left.type, right.type, right_node)
            result = DYN
        return _Typed(result, left.iterations + right.iterations)

    _visit_multiplication = _visit_addition

    def _visit_unary(self, node: Tree, scope: dict[str, CelType]) -> _Typed:
        operand = self._visit(node.children[-1], scope)
        first = node.children[0]
        if len(node.children) == 2 and isinstance(first, lark.Tree) and first.data == "unary_not":
            return _Typed(BOOL, operand.iterations)
        return operand

    def _check_operands(self, symbol: str, left: CelType, right: CelType, right_node: TreeOrToken) -> None:
        if not left.is_known() or not right.is_known() or "null_type" in (left.kind, right.kind):
            return
        if left.kind == right.kind or {left.kind, right.kind} <= NUMERIC_KINDS and symbol not in ("==", "!="):
            return
        self._mismatch(symbol, left, right, right_node)

    def _mismatch(self, symbol: str, left: CelType, right: CelType, right_node: TreeOrToken) -> None:
        offset = self.text.rfind(symbol, 0, start_offset(right_node))
        signature = f"({left.display()}, {right.display()})"
        self._report(max(offset, 0), f"found no matching overload for '_{symbol}_' applied to '{signature}'")

    def _visit_member_dot(self, node: Tree, scope: dict[str, CelType]) -> _Typed:
        target_node, name = node.children
        assert isinstance(name, lark.Token)
        target = self._visit(target_node, scope)
        return _Typed(self._select(target.type, name), target.iterations)

    def _select(self, target: CelType, name: lark.Token) -> CelType:
        dot = self.text.rfind(".", 0, start_offset(name))
        if target.kind == "object":
            if name.value in target.fields:
                return target.fields[name.value]
            self._report(dot, f"undefined field '{name.value}'")
        elif target.kind == "map":
            return target.elem or DYN
        elif target.is_known() and target.kind != "optional_type":
            self._report(dot, f"type '{target.display()}' does not support field selection")
        return DYN

    def _visit_member_index(self, node: Tree, scope: dict[str, CelType]) -> _Typed:
        target, key = (self._visit(child, scope) for child in node.children)
        result = target.type.elem if target.type.kind in ("list", "map") and target.type.elem else DYN
        return _Typed(result, target.iterations + key.iterations)

    def _visit_member_dot_arg(self, node: Tree, scope: dict[str, CelType]) -> _Typed:
        target_node, name = node.children[0], node.children[1]
        assert isinstance(name, lark.Token)
        args = call_arguments(node.children[2:])
        if name.value in MACROS:
            return self._macro(node, str(name.value), target_node, args, scope)
        namespace = bare_identifier(target_node)
        if namespace in NAMESPACES and namespace not in scope:
            return self._call(f"{namespace}.{name.value}", None, args, scope, name)
        target = self._visit(target_node, scope)
        called = self._call(str(name.value), target, args, scope, name)
        return _Typed(called.type, called.iterations + target.iterations)

    def _visit_ident_arg(self, node: Tree, scope: dict[str, CelType]) -> _Typed:
        name = node.children[0]
        assert isinstance(name, lark.Token)
        args = call_arguments(node.children[1:])
        if name.value == "has":
            return self._has(args, scope, name)
        if name.value == "dyn" and len(args) == 1:
            return _Typed(DYN, self._visit(args[0], scope).iterations)
        return self._call(str(name.value), None, args, scope, name)

    _visit_dot_ident_arg = _visit_ident_arg

    def _has(self, args: list[TreeOrToken], scope: dict[str, CelType], name: lark.Token) -> _Typed:
        selection = unwrap(args[0]) if len(args) == 1 else None
        if not isinstance(selection, lark.Tree) or selection.data != "member_dot":
            self._report(self._open_paren(name), "invalid argument to has() macro")
            return _Typed(BOOL)
        return _Typed(BOOL, self._visit(selection, scope).iterations)

    def _call(
        self,
        function: str,
        target: _Typed | None,
        args: list[TreeOrToken],
        scope: dict[str, CelType],
        name: lark.Token,
    ) -> _Typed:
        typed_args = [self._visit(arg, scope) for arg in args]
        cost = sum(arg.iterations for arg in typed_args)
        signature = SIGNATURES.get(function)
        arities = () if signature is None else signature.member_arities if target else signature.global_arities
        if signature is None or not arities:
            self._report(self._open_paren(name), f"undeclared reference to '{function}' (in container '')")
            return _Typed(DYN, cost)
        if len(args) not in arities or (target is not None and not signature.accepts(target.type)):
            shown = [arg.type.display() for arg in typed_args]
            receiver = f"{target.type.display()}." if target else ""
            applied = f"{receiver}({', '.join(shown)})"
            self._report(self._open_paren(name), f"found no matching overload for '{function}' applied to '{applied}'")
        self._check_literal(function, args)
        return _Typed(signature.result(target.type if target else None, [arg.type for arg in typed_args]), cost)

    def _check_literal(self, function: str, args: list[TreeOrToken]) -> None:
        """cel-go's literal validators: a constant regex, duration or timestamp must parse."""
        if function not in LITERAL_CHECKS or not args:
            return
        index, message, parse = LITERAL_CHECKS[function]
        literal = string_literal(args[index])
        if literal is None:
            return
        text, token = literal
        try:
            parse(text)
        except (ValueError, TypeError, OverflowError):
            self._report(token.start_pos or 0, message)

    def _macro(
        self,
        node: Tree,
        macro: str,
        target_node: TreeOrToken,
        args: list[TreeOrToken],
        scope: dict[str, CelType],
    ) -> _Typed:
        target = self._visit(target_node, scope)
        variable = bare_identifier(args[0]) if args else None
        name = node.children[1]
        assert isinstance(name, lark.Token)
        if len(args) != 2 or variable is None:
            detail = "argument must be a simple name" if args and variable is None else "unsupported macro form"
            self._report(self._open_paren(name), f"{macro}() macro: {detail} (cel-python supports {macro}(x, expr))")
            return _Typed(DYN, target.iterations)
        if variable in RESERVED_NAMES:
            self._report(self._open_paren(name), f"variable name '{variable}' is reserved by the evaluator")
        element = self._range_element(target.type, name)
        body = self._visit(args[1], {**scope, variable: element})
        bound = target.type.max_elements if target.type.max_elements is not None else 1
        iterations = target.iterations + bound * (1 + body.iterations)
        return _Typed(macro_result(macro, target.type, body.type), iterations)

    def _range_element(self, target: CelType, name: lark.Token) -> CelType:
        if target.kind == "list":
            return target.elem or DYN
        if target.kind == "map":
            return STRING
        if target.is_known():
            message = f"expression of type '{target.display()}' cannot be range of a comprehension"
            self._report(self._open_paren(name), f"{message} (must be list, map, or dynamic)")
        return DYN

    def _visit_ident(self, node: Tree, scope: dict[str, CelType]) -> _Typed:
        name = node.children[0]
        assert isinstance(name, lark.Token)
        if name.value in scope:
            self._uses_old_self = self._uses_old_self or name.value == "oldSelf"
            return _Typed(scope[name.value])
        if name.value in TYPE_IDENTIFIERS:
            return _Typed(TYPE)
        self._report(name.start_pos or 0, f"undeclared reference to '{name.value}' (in container '')")
        return _Typed(DYN)

    _visit_dot_ident = _visit_ident

    def _visit_member_object(self, node: Tree, scope: dict[str, CelType]) -> _Typed:
        self._report(start_offset(node), "message construction is not supported")
        return _Typed(DYN)

    def _visit_list_lit(self, node: Tree, scope: dict[str, CelType]) -> _Typed:
        items = [self._visit(child, scope) for child in call_arguments(node.children)]
        elem = items[0].type if items and all(i.type.kind == items[0].type.kind for i in items) else DYN
        return _Typed(list_of(elem, len(items)), sum(item.iterations for item in items))

    def _visit_map_lit(self, node: Tree, scope: dict[str, CelType]) -> _Typed:
        inits = node.children[0].children if node.children and isinstance(node.children[0], lark.Tree) else []
        entries = [self._visit(child, scope) for child in inits]
        values = entries[1::2]
        elem = values[0].type if values and all(v.type.kind == values[0].type.kind for v in values) else DYN
        return _Typed(map_of(elem, len(values)), sum(entry.iterations for entry in entries))

    def _visit_literal(self, node: Tree, scope: dict[str, CelType]) -> _Typed:
        token = node.children[0]
        assert isinstance(token, lark.Token)
        return _Typed(LITERAL_TYPES.get(token.type, DYN))

    def _open_paren(self, name: lark.Token) -> int:
        offset = self.text.find("(", name.end_pos or 0)
        return offset if offset >= 0 else name.start_pos or 0
