"""Parsing CEL text into cel-python's transpiler trees, and the rewrites applied before transpiling.

Owns `CelParser`, our own Lark instance over cel-python's grammar (cel-python keeps one parser per
process and builds it with whichever tree class came first, which breaks the CompiledRunner after any
InterpretedRunner use), cel-go style issue texts (`ERROR: <input>:1:6: ... | source | ....^`), and
`rewrite_for_transpile`, which (1) wraps every comprehension's range in the metered `@range` function,
(2) renames the list method `min()` (cel-python mistakes it for a macro), and (3) turns namespaced calls
such as `sets.contains(a, b)` into calls of one registered function. Also small tree helpers the
checker uses (`call_arguments`, `unwrap`, `bare_identifier`, `string_literal`, `start_offset`).
"""

from __future__ import annotations

import re
from pathlib import Path

import celpy.celparser
import lark
from celpy.evaluation import TranspilerTree, celstr
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

MACROS = frozenset({"all", "exists", "exists_one", "map", "filter"})
NAMESPACES = frozenset({"sets", "strings", "lists", "optional"})
RANGE_FUNCTION = "@range"
LIST_MIN_FUNCTION = "@list.min"
_MAX_SNIPPET = 16384
TreeOrToken = lark.Tree[lark.Token] | lark.Token


class CelSyntaxError(Exception):
    """The text is not CEL; `issue` is the cel-go style issue text."""

    def __init__(self, issue: str) -> None:
        super().__init__(issue)
        self.issue = issue


class CelParser:
    """A Lark LALR parser over cel-python's grammar that yields `TranspilerTree` nodes."""

    def __init__(self) -> None:
        grammar = (Path(celpy.celparser.__file__).parent / "cel.lark").read_text()
        self._lark = lark.Lark(
            grammar,
            parser="lalr",
            start="expr",
            g_regex_flags=re.M,
            lexer_callbacks={"IDENT": celpy.celparser.CELParser.ambiguous_literals},
            propagate_positions=True,
            maybe_placeholders=False,
            priority="invert",
            tree_class=TranspilerTree,
        )

    def parse(self, text: str) -> TranspilerTree:
        try:
            tree = self._lark.parse(text)
        except UnexpectedToken as error:
            at_end = error.token.type == "$END"
            line, column = end_position(text) if at_end else (error.line, error.column)
            detail = f"Syntax error: mismatched input '{'<EOF>' if at_end else error.token}'"
            raise CelSyntaxError(issue(text, line, column, detail)) from None
        except UnexpectedCharacters as error:
            detail = f"Syntax error: token recognition error at: '{text[error.pos_in_stream or 0]}'"
            raise CelSyntaxError(issue(text, error.line, error.column, detail)) from None
        except UnexpectedEOF:
            raise CelSyntaxError(issue(text, *end_position(text), "Syntax error: mismatched input '<EOF>'")) from None
        except LarkError as error:
            raise CelSyntaxError(issue(text, 1, 1, f"Syntax error: {error}")) from None
        assert isinstance(tree, TranspilerTree)
        return tree


def end_position(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    before = text[:offset]
    line = before.count("\n") + 1
    return line, offset - (before.rfind("\n") + 1) + 1


def issue(text: str, line: int, column: int, message: str) -> str:
    """One cel-go issue: `ERROR: <input>:L:C: message`, then the source line with a caret under column C."""
    head = f"ERROR: <input>:{line}:{column}: {message}"
    lines = text.split("\n")
    if not 0 < line <= len(lines) or len(lines[line - 1].encode()) > _MAX_SNIPPET:
        return head
    snippet = lines[line - 1].replace("\t", " ")
    marks = "".join("." if ord(char) < 0x80 else "\uff0e" for char in snippet[: column - 1])
    under = snippet[column - 1 : column]
    caret = "\uff3e" if under and ord(under) >= 0x80 else "^"
    return f"{head}\n | {snippet}\n | {marks}{caret}"


def rewrite_for_transpile(tree: TranspilerTree, variables: frozenset[str]) -> TranspilerTree:
    """Apply the three rewrites in place (`variables` are the names that are not namespaces)."""
    for node in list(tree.iter_subtrees()):
        if node.data != "member_dot_arg" or not isinstance(node, TranspilerTree):
            continue
        method = node.children[1]
        assert isinstance(method, lark.Token)
        if method.value in MACROS:
            node.children = [_call(RANGE_FUNCTION, node.children[0]), *node.children[1:]]
        elif method.value == "min" and len(node.children) == 2:
            node.children = [node.children[0], method.update(value=LIST_MIN_FUNCTION)]
        elif (namespace := namespace_of(node)) and namespace not in variables:
            _to_global_call(node, f"{namespace}.{method.value}")
    return tree


def namespace_of(node: lark.Tree[lark.Token]) -> str | None:
    """`sets` for `sets.contains(...)`: the bare identifier a member call is made on, if a namespace."""
    name = bare_identifier(node.children[0])
    return name if name in NAMESPACES else None


def _call(function: str, argument: TranspilerTree | lark.Token) -> TranspilerTree:
    """`function(argument)` as a `member` node."""
    call = TranspilerTree("ident_arg", [lark.Token("IDENT", function), TranspilerTree("exprlist", [argument])])
    return TranspilerTree("member", [TranspilerTree("primary", [call])])


def _to_global_call(node: TranspilerTree, function: str) -> None:
    arguments = node.children[2:]
    call = TranspilerTree("ident_arg", [lark.Token("IDENT", function), *arguments])
    node.data = "member"
    node.children = [TranspilerTree("primary", [call])]


def call_arguments(children: list[TreeOrToken]) -> list[TreeOrToken]:
    """The argument expressions of a call, from the children after its name."""
    if children and isinstance(children[0], lark.Tree) and children[0].data == "exprlist":
        return list(children[0].children)
    return []


def unwrap(node: TreeOrToken) -> TreeOrToken:
    """The node under a chain of single-child wrappers (`expr` > ... > `member` > `primary`)."""
    while isinstance(node, lark.Tree) and len(node.children) == 1 and node.data not in ("ident", "literal"):
        node = node.children[0]
    return node


def bare_identifier(node: TreeOrToken) -> str | None:
    """`x` when the expression is just the identifier `x`."""
    inner = unwrap(node)
    if isinstance(inner, lark.Tree) and inner.data == "ident":
        token = inner.children[0]
        return str(token.value) if isinstance(token, lark.Token) else None
    return None


def string_literal(node: TreeOrToken) -> tuple[str, lark.Token] | None:
    """The value and token of an expression that is just a string literal."""
    inner = unwrap(node)
    if isinstance(inner, lark.Tree) and inner.data == "literal":
        token = inner.children[0]
        if isinstance(token, lark.Token) and token.type in ("STRING_LIT", "MLSTRING_LIT"):
            return str(celstr(token)), token
    return None


def start_offset(node: TreeOrToken) -> int:
    """The character offset where a node's text starts."""
    if isinstance(node, lark.Token):
        return node.start_pos or 0
    return 0 if node.meta.empty else node.meta.start_pos
