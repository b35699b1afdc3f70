"""Compiled CEL programs: cel-python's transpiler (the CompiledRunner's engine), run in our own namespace.

Owns `CelCompiler.program`, which rewrites a parsed expression (see `parser.rewrite_for_transpile`),
transpiles it to Python with our function library bound, and compiles the code once; and `Program`,
which executes that code for a given `self`/`oldSelf`. cel-python's own `Transpiler.evaluate` executes
in its module's globals and stores the activation there; we execute in a fresh namespace per call
instead, so programs never share state, and we turn cel-python's error values into cel-go texts.
"""

from __future__ import annotations

import builtins
import keyword
import operator
from collections.abc import Mapping
from types import CodeType
from typing import Any

import celpy
import lark
from celpy import celtypes
from celpy.evaluation import (
    Activation,
    CELEvalError,
    Phase1Transpiler,
    Phase2Transpiler,
    Transpiler,
    TranspilerTree,
    celbytes,
    celstr,
)

import apimachinery
from apimachinery.cel.lib_core import describe_error
from apimachinery.cel.library import RUNTIME_FUNCTIONS
from apimachinery.cel.meter import CostExceeded
from apimachinery.cel.parser import rewrite_for_transpile


class _Activation(Activation):
    """An activation whose variables are plain attributes, so `activation.x` in transpiled code is a
    dictionary hit. cel-python's own lookup walks name containers and builds typing objects per access,
    which made a comprehension step cost ~50 us. The checker rejects variable names that collide with
    the activation's own attributes (`RESERVED_NAMES`).
    """

    @classmethod
    def bound(cls, base: Activation, variables: Mapping[str, Any]) -> _Activation:
        activation = object.__new__(cls)
        activation.__dict__.update(base.__dict__)
        activation.__dict__.update(variables)
        return activation

    def nested_activation(self, annotations: Any = None, vars: Any = None) -> Activation:  # noqa: A002
        nested = object.__new__(type(self))
        nested.__dict__.update(self.__dict__)
        if vars:
            nested.__dict__.update(vars)
        return nested

    def resolve_variable(self, name: str) -> Any:
        return self.__dict__[name] if name in self.__dict__ else super().resolve_variable(name)


# Names a variable may not have: the activation's attributes, and Python keywords (`activation.class`
# would not compile).
RESERVED_NAMES = frozenset(dir(Activation)) | frozenset(vars(Activation(functions={}))) | frozenset(keyword.kwlist)


class EvaluationError(Exception):
    """The expression evaluated to an error; the message is cel-go's text for it."""


class Program:
    """One transpiled expression, ready to evaluate with new variables."""

    def __init__(self, *, source: str, code: CodeType, activation: Activation, constants: tuple[Any, ...]) -> None:
        self.source = source
        self._code = code
        self._activation = activation
        self._constants = constants

    def evaluate(self, variables: Mapping[str, Any]) -> Any:
        """The value of the expression; EvaluationError for a CEL error, CostExceeded past the budget."""
        namespace = {
            "celpy": celpy,
            "operator": operator,
            "builtins": builtins,
            "apimachinery": apimachinery,
            "CELEvalError": CELEvalError,
            "_k": self._constants,
            "base_activation": _Activation.bound(self._activation, variables),
        }
        try:
            exec(self._code, namespace)
        except CostExceeded:
            raise
        except CELEvalError as error:
            raise EvaluationError(describe_error(error)) from None
        except RecursionError:
            raise EvaluationError("max recursion depth exceeded") from None
        except Exception as error:  # a cel-python fault: report it as an evaluation error
            raise EvaluationError(f"evaluation error: {error}") from None
        value = namespace["CEL"]
        if isinstance(value, CELEvalError):
            raise EvaluationError(describe_error(value))
        return value


class _ConstantFolding(Phase1Transpiler):
    """Phase 1 of cel-python's transpiler, but literals become constants built once (`_k[i]`), not a
    cel-python constructor call per evaluation (which costs microseconds inside a comprehension)."""

    def __init__(self, facade: Transpiler, constants: list[Any]) -> None:
        super().__init__(facade)
        self._constants = constants

    def literal(self, tree: TranspilerTree) -> None:
        super().literal(tree)
        token = tree.children[0]
        assert isinstance(token, lark.Token)
        self._constants.append(_literal_value(token))
        tree.transpiled = f"_k[{len(self._constants) - 1}]"


def _literal_value(token: lark.Token) -> Any:
    """The value of a literal token, as cel-python's transpiled constructor call would build it."""
    text = str(token.value)
    if token.type == "INT_LIT":
        return celtypes.IntType(_integer_text(text))
    if token.type == "UINT_LIT":
        return celtypes.UintType(_integer_text(text[:-1]))
    if token.type == "FLOAT_LIT":
        return celtypes.DoubleType(float(text))
    if token.type in ("STRING_LIT", "MLSTRING_LIT"):
        return celstr(token)
    if token.type == "BYTES_LIT":
        return celbytes(token)
    if token.type == "BOOL_LIT":
        return celtypes.BoolType(text == "true")
    return None


def _integer_text(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        return int(text, 10)


def transpile(tree: TranspilerTree, *, source: str, variables: frozenset[str]) -> Program:
    """Rewrite, transpile and compile a checked expression tree (cel-python's `Transpiler.transpile`)."""
    activation = Activation(functions=dict(RUNTIME_FUNCTIONS))
    transpiler = Transpiler(ast=rewrite_for_transpile(tree, variables), activation=activation)
    constants: list[Any] = []
    _ConstantFolding(transpiler, constants).visit(transpiler.ast)
    phase_2 = Phase2Transpiler(transpiler)
    phase_2.visit(transpiler.ast)
    code = compile("\n".join(phase_2.statements(transpiler.ast)), "<cel>", "exec")
    return Program(source=source, code=code, activation=activation, constants=tuple(constants))
