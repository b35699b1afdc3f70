"""The tokenizer of label selector strings, byte for byte as upstream's lexer splits them.

Owns the token kinds and `scan`, which turns a selector string into (token, literal) pairs ending in
`Token.END`. Whitespace separates; `=`, `==`, `!=`, `!`, `(`, `)`, `,`, `<`, `>` are symbols (the
longest known symbol wins); `in` and `notin` are keywords; anything else is an identifier. A NUL
character ends the input, as it does upstream.
"""

from __future__ import annotations

from enum import Enum, auto


class Token(Enum):
    ERROR = auto()
    END = auto()
    CLOSE_PAREN = auto()
    COMMA = auto()
    DOES_NOT_EXIST = auto()
    DOUBLE_EQUALS = auto()
    EQUALS = auto()
    GREATER_THAN = auto()
    IDENTIFIER = auto()
    IN = auto()
    LESS_THAN = auto()
    NOT_EQUALS = auto()
    NOT_IN = auto()
    OPEN_PAREN = auto()


_KNOWN = {
    ")": Token.CLOSE_PAREN,
    ",": Token.COMMA,
    "!": Token.DOES_NOT_EXIST,
    "==": Token.DOUBLE_EQUALS,
    "=": Token.EQUALS,
    ">": Token.GREATER_THAN,
    "in": Token.IN,
    "<": Token.LESS_THAN,
    "!=": Token.NOT_EQUALS,
    "notin": Token.NOT_IN,
    "(": Token.OPEN_PAREN,
}
_SYMBOLS = frozenset("=!(),><")
_WHITESPACE = frozenset(" \t\r\n")


def scan(text: str) -> list[tuple[Token, str]]:
    """Every token of `text`, the last one always `(Token.END, "")`."""
    end = text.find("\0")
    source = text if end < 0 else text[:end]
    items: list[tuple[Token, str]] = []
    position = 0
    while True:
        while position < len(source) and source[position] in _WHITESPACE:
            position += 1
        if position >= len(source):
            items.append((Token.END, ""))
            return items
        if source[position] in _SYMBOLS:
            item, position = _symbol(source, position)
        else:
            item, position = _word(source, position)
        items.append(item)


def _word(source: str, start: int) -> tuple[tuple[Token, str], int]:
    position = start
    while position < len(source) and source[position] not in _SYMBOLS and source[position] not in _WHITESPACE:
        position += 1
    literal = source[start:position]
    return (_KNOWN.get(literal, Token.IDENTIFIER), literal), position


def _symbol(source: str, start: int) -> tuple[tuple[Token, str], int]:
    """The longest run of symbol characters that is a known symbol."""
    best: tuple[Token, str] | None = None
    position = start
    while position < len(source) and source[position] in _SYMBOLS:
        candidate = source[start : position + 1]
        if candidate in _KNOWN:
            best = (_KNOWN[candidate], candidate)
        elif best is not None:
            break
        position += 1
    if best is None:
        return (Token.ERROR, f"error expected: keyword found '{source[start:position]}'"), position
    return best, start + len(best[1])
