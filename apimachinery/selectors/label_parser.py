"""The recursive-descent parser of label selector strings, with upstream's grammar and messages.

Owns `parse_requirements`, which turns a selector string into validated `Requirement`s in the order
written, or raises `ValueError` with the text the API server answers (`found 'x', expected: ...`,
`unable to parse requirement: ...`). Where a value may stand, `in` and `notin` are plain identifiers.
"""

from __future__ import annotations

from apimachinery.selectors.lexer import Token, scan
from apimachinery.selectors.requirement import BINARY_OPERATORS, Operator, Requirement, build_requirement
from apimachinery.validation import field
from apimachinery.validation.names import is_label_key

_TOKEN_OPERATORS = {
    Token.IN: Operator.IN,
    Token.NOT_IN: Operator.NOT_IN,
    Token.EQUALS: Operator.EQUALS,
    Token.DOUBLE_EQUALS: Operator.DOUBLE_EQUALS,
    Token.NOT_EQUALS: Operator.NOT_EQUALS,
    Token.GREATER_THAN: Operator.GREATER_THAN,
    Token.LESS_THAN: Operator.LESS_THAN,
}


def parse_requirements(text: str) -> list[Requirement]:
    """Every requirement of `text`, in the order written; a syntax or validation error → ValueError."""
    return _Parser(text).parse()


class _Parser:
    """Recursive descent over the scanned tokens, mirroring upstream's grammar and messages."""

    def __init__(self, text: str) -> None:
        self.items = scan(text)
        self.position = 0

    def peek(self, *, values: bool = True) -> tuple[Token, str]:
        return _in_context(self.items[self.position], values)

    def take(self, *, values: bool = True) -> tuple[Token, str]:
        self.position += 1
        return _in_context(self.items[self.position - 1], values)

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            token, literal = self.peek()
            if token is Token.END:
                return requirements
            if token not in (Token.IDENTIFIER, Token.DOES_NOT_EXIST):
                raise ValueError(f"found '{literal}', expected: !, identifier, or 'end of string'")
            requirements.append(self.requirement())
            token, literal = self.take()
            if token is Token.END:
                return requirements
            if token is not Token.COMMA:
                raise ValueError(f"found '{literal}', expected: ',' or 'end of string'")
            after, after_literal = self.peek()
            if after not in (Token.IDENTIFIER, Token.DOES_NOT_EXIST):
                raise ValueError(f"found '{after_literal}', expected: identifier after ','")

    def requirement(self) -> Requirement:
        try:
            return self._requirement()
        except ValueError as error:
            raise ValueError(f"unable to parse requirement: {error}") from None

    def _requirement(self) -> Requirement:
        key, operator = self.key_and_operator()
        if operator is not None:
            return build_requirement(key, operator, [])
        operator = self.operator()
        if operator in (Operator.IN, Operator.NOT_IN):
            return build_requirement(key, operator, sorted(self.value_set()))
        return build_requirement(key, operator, sorted(self.exact_value()))

    def key_and_operator(self) -> tuple[str, Operator | None]:
        operator = None
        token, literal = self.take()
        if token is Token.DOES_NOT_EXIST:
            operator = Operator.DOES_NOT_EXIST
            token, literal = self.take()
        if token is not Token.IDENTIFIER:
            raise ValueError(f"found '{literal}', expected: identifier")
        if msgs := is_label_key(literal):
            raise ValueError(field.error_text(field.invalid("", literal, "; ".join(msgs))))
        if self.peek()[0] in (Token.END, Token.COMMA) and operator is None:
            operator = Operator.EXISTS
        return literal, operator

    def operator(self) -> Operator:
        token, literal = self.take(values=False)
        if token not in _TOKEN_OPERATORS:
            raise ValueError(f"found '{literal}', expected: {', '.join(op.value for op in BINARY_OPERATORS)}")
        return _TOKEN_OPERATORS[token]

    def value_set(self) -> set[str]:
        token, literal = self.take()
        if token is not Token.OPEN_PAREN:
            raise ValueError(f"found '{literal}' expected: '('")
        token, literal = self.peek()
        if token is Token.CLOSE_PAREN:
            self.take()
            return {""}
        if token not in (Token.IDENTIFIER, Token.COMMA):
            raise ValueError(f"found '{literal}', expected: ',', ')' or identifier")
        values = self.identifiers()
        if self.take()[0] is not Token.CLOSE_PAREN:
            raise ValueError(f"found '{literal}', expected: ')'")
        return values

    def identifiers(self) -> set[str]:
        values: set[str] = set()
        while True:
            token, literal = self.take()
            if token is Token.IDENTIFIER:
                values.add(literal)
                after, after_literal = self.peek()
                if after is Token.CLOSE_PAREN:
                    return values
                if after is not Token.COMMA:
                    raise ValueError(f"found '{after_literal}', expected: ',' or ')'")
            elif token is Token.COMMA:
                after = self.peek()[0]
                if not values or after in (Token.CLOSE_PAREN, Token.COMMA):
                    values.add("")
                if after is Token.CLOSE_PAREN:
                    return values
            else:
                raise ValueError(f"found '{literal}', expected: ',', or identifier")

    def exact_value(self) -> set[str]:
        if self.peek()[0] in (Token.END, Token.COMMA):
            return {""}
        token, literal = self.take()
        if token is Token.IDENTIFIER:
            return {literal}
        raise ValueError(f"found '{literal}', expected: identifier")


def _in_context(item: tuple[Token, str], values: bool) -> tuple[Token, str]:
    """Where a value may stand, `in` and `notin` are plain identifiers."""
    token, literal = item
    if values and token in (Token.IN, Token.NOT_IN):
        return Token.IDENTIFIER, literal
    return token, literal
