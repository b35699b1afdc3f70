"""Compiled CEL programs: cel-python's transpiler (the CompiledRunner's engine), run in our own namespace.

Owns `CelCompiler.program`, which rewrites a parsed expression (see `parser.rewrite_for_transpile`),
transpiles it to Python with our function library bound, and compiles the code once; and `Program`,
which executes that code for a given `self`/`oldSelf`. cel-python's own `Transpiler.evaluate` executes
in its module's globals and stores the activation there; we execute in a fresh namespace per call
instead, so programs never share state, and we turn cel-python's error values into cel-go texts.
"""

from __future__ import annotations

import builtins
import operator
from collections.abc import Mapping
from types import CodeType
from typing import Any

import celpy
from celpy.evaluation import Activation, CELEvalError, Transpiler, TranspilerTree

import apimachinery
from apimachinery.cel.lib_core import describe_error
from apimachinery.cel.library import RUNTIME_FUNCTIONS
from apimachinery.cel.meter import CostExceeded
from apimachinery.cel.parser import rewrite_for_transpile


class EvaluationError(Exception):
    """The expression evaluated to an error; the message is cel-go's text for it."""


class Program:
    """One transpiled expression, ready to evaluate with new variables."""

    def __init__(self, *, source: str, code: CodeType, activation: Activation) -> None:
        self.source = source
        self._code = code
        self._activation = activation

    def evaluate(self, variables: Mapping[str, Any]) -> Any:
        """The value of the expression; EvaluationError for a CEL error, CostExceeded past the budget."""
        namespace = {
            "celpy": celpy,
            "operator": operator,
            "builtins": builtins,
            "apimachinery": apimachinery,
            "CELEvalError": CELEvalError,
            "base_activation": self._activation.nested_activation(vars=dict(variables)),
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


def transpile(tree: TranspilerTree, *, source: str, variables: frozenset[str]) -> Program:
    """Rewrite, transpile and compile a checked expression tree."""
    activation = Activation(functions=dict(RUNTIME_FUNCTIONS))
    transpiler = Transpiler(ast=rewrite_for_transpile(tree, variables), activation=activation)
    transpiler.transpile()
    return Program(source=source, code=transpiler.executable_code, activation=activation)
