"""Secret types: what each built-in `type` requires of `data` (the type switch of upstream ValidateSecret).

Owns the per-type causes and the check of docker config payloads, which upstream runs through Go's
`json.Unmarshal` into a `map[string]interface{}`: `go_json_map_error` returns the error text Go gives
(syntax errors of its scanner, then type errors) so that the `Invalid value` message matches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from apimachinery.errors import Cause
from apimachinery.validation import field
from apimachinery.validation.field import go_quote

REDACTED = "<secret contents redacted>"
SERVICE_ACCOUNT_NAME = "kubernetes.io/service-account.name"
EOF_MESSAGE = "unexpected end of JSON input"
MAX_NESTING_DEPTH = 10000
_SPACE = b" \t\r\n"
_DIGITS = b"0123456789"
_HEX = b"0123456789abcdefABCDEF"
_ESCAPES = b'bfnrt\\/"'
_LITERALS = {ord("t"): b"true", ord("f"): b"false", ord("n"): b"null"}
_TYPE_NAMES = {ord("["): "array", ord('"'): "string", ord("t"): "bool", ord("f"): "bool"}

Decoded = dict[str, bytes]


def type_causes(obj: dict[str, Any], data: Decoded) -> list[Cause]:
    """Causes for the keys and content the Secret's `type` requires; unknown types need nothing."""
    check = _TYPE_CHECKS.get(obj.get("type") or "")
    return check(obj, data) if check else []


def _service_account_token(obj: dict[str, Any], data: Decoded) -> list[Cause]:
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    if annotations.get(SERVICE_ACCOUNT_NAME):
        return []
    return [field.required(f"metadata.annotations[{SERVICE_ACCOUNT_NAME}]")]


def _docker_config(key: str) -> Callable[[dict[str, Any], Decoded], list[Cause]]:
    def check(obj: dict[str, Any], data: Decoded) -> list[Cause]:
        if key not in data:
            return [field.required(f"data[{key}]")]
        error = go_json_map_error(data[key])
        return [field.invalid(f"data[{key}]", REDACTED, error)] if error else []

    return check


def _basic_auth(obj: dict[str, Any], data: Decoded) -> list[Cause]:
    # username or password may be empty, but one of the keys must be present
    if "username" in data or "password" in data:
        return []
    return [field.required("data[username]"), field.required("data[password]")]


def _ssh_auth(obj: dict[str, Any], data: Decoded) -> list[Cause]:
    return [] if data.get("ssh-privatekey") else [field.required("data[ssh-privatekey]")]


def _tls(obj: dict[str, Any], data: Decoded) -> list[Cause]:
    return [field.required(f"data[{key}]") for key in ("tls.crt", "tls.key") if key not in data]


_TYPE_CHECKS: dict[str, Callable[[dict[str, Any], Decoded], list[Cause]]] = {
    "kubernetes.io/service-account-token": _service_account_token,
    "kubernetes.io/dockercfg": _docker_config(".dockercfg"),
    "kubernetes.io/dockerconfigjson": _docker_config(".dockerconfigjson"),
    "kubernetes.io/basic-auth": _basic_auth,
    "kubernetes.io/ssh-auth": _ssh_auth,
    "kubernetes.io/tls": _tls,
}


def go_json_map_error(data: bytes) -> str | None:
    """The error of Go's `json.Unmarshal(data, &map[string]interface{}{})`, or None if it succeeds."""
    scan = _Scan(data)
    try:
        scan.check_valid()
    except _SyntaxError as error:
        return str(error)
    first = data.lstrip(_SPACE)[0]
    if first in (ord("{"), ord("n")):
        overflow = scan.overflow
        return f"json: cannot unmarshal number {overflow} into Go value of type float64" if overflow else None
    kind = _TYPE_NAMES.get(first, "number")
    return f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"


class _SyntaxError(Exception):
    pass


def _quote_char(char: int) -> str:
    """Go's scanner `quoteChar`: the offending byte between single quotes."""
    if char == ord("'"):
        return "'\\''"
    if char == ord('"'):
        return "'\"'"
    return "'" + go_quote(chr(char))[1:-1] + "'"


class _Scan:
    """Go's `checkValid`: one pass over the bytes with a stack of open objects and arrays."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.stack: list[int] = []
        self.overflow = ""  # the first number literal that does not fit a float64

    def at(self, pos: int) -> int:
        """The byte at `pos`; past the end Go's scanner is fed a space."""
        return self.data[pos] if pos < len(self.data) else 0x20

    def fail(self, pos: int, context: str) -> NoReturn:
        raise _SyntaxError(f"invalid character {_quote_char(self.at(pos))} {context}")

    def skip_space(self, pos: int) -> int:
        while pos < len(self.data) and self.data[pos] in _SPACE:
            pos += 1
        return pos

    def next_token(self, pos: int) -> int:
        """Where the next non-space byte is; the input must not end before it."""
        pos = self.skip_space(pos)
        if pos == len(self.data):
            raise _SyntaxError(EOF_MESSAGE)
        return pos

    def check_valid(self) -> None:
        pos, expect_value = 0, True
        while True:
            if expect_value:
                pos, expect_value = self.begin_value(self.next_token(pos))
            elif self.stack:
                pos, expect_value = self.end_value(self.next_token(pos))
            else:
                pos = self.skip_space(pos)
                if pos < len(self.data):
                    self.fail(pos, "after top-level value")
                return

    def begin_value(self, pos: int) -> tuple[int, bool]:
        char = self.data[pos]
        if char in b"{[":
            self.stack.append(char)
            if len(self.stack) > MAX_NESTING_DEPTH:
                self.fail(pos, "exceeded max depth")
            return self.open(self.next_token(pos + 1))
        if char == ord('"'):
            return self.string(pos), False
        if char == ord("-") or char in _DIGITS:
            return self.number(pos), False
        if char in _LITERALS:
            return self.literal(pos, _LITERALS[char]), False
        self.fail(pos, "looking for beginning of value")

    def open(self, pos: int) -> tuple[int, bool]:
        if self.data[pos] == self.stack[-1] + 2:  # '{' + 2 == '}', '[' + 2 == ']'
            self.stack.pop()
            return pos + 1, False
        return (self.key(pos) if self.stack[-1] == ord("{") else pos), True

    def end_value(self, pos: int) -> tuple[int, bool]:
        char, in_object = self.data[pos], self.stack[-1] == ord("{")
        if char == ord(","):
            return (self.key(self.next_token(pos + 1)) if in_object else pos + 1), True
        if char == self.stack[-1] + 2:
            self.stack.pop()
            return pos + 1, False
        self.fail(pos, "after object key:value pair" if in_object else "after array element")

    def key(self, pos: int) -> int:
        if self.data[pos] != ord('"'):
            self.fail(pos, "looking for beginning of object key string")
        pos = self.next_token(self.string(pos))
        if self.data[pos] != ord(":"):
            self.fail(pos, "after object key")
        return pos + 1

    def string(self, pos: int) -> int:
        pos += 1
        while pos < len(self.data):
            char = self.data[pos]
            if char == ord('"'):
                return pos + 1
            if char == ord("\\"):
                pos = self.escape(pos + 1)
            elif char < 0x20:
                self.fail(pos, "in string literal")
            else:
                pos += 1
        raise _SyntaxError(EOF_MESSAGE)

    def escape(self, pos: int) -> int:
        if self.at(pos) in _ESCAPES:
            return pos + 1
        if self.at(pos) != ord("u"):
            self.fail(pos, "in string escape code")
        for digit in range(pos + 1, pos + 5):
            if self.at(digit) not in _HEX:
                self.fail(digit, "in \\u hexadecimal character escape")
        return pos + 5

    def number(self, start: int) -> int:
        pos = start + 1 if self.at(start) == ord("-") else start
        if self.at(pos) not in _DIGITS:
            self.fail(pos, "in numeric literal")
        pos = pos + 1 if self.at(pos) == ord("0") else self.digits(pos)
        if self.at(pos) == ord("."):
            pos = self.required_digits(pos + 1, "after decimal point in numeric literal")
        if self.at(pos) in b"eE":
            pos = pos + 2 if self.at(pos + 1) in b"+-" else pos + 1
            pos = self.required_digits(pos, "in exponent of numeric literal")
        text = self.data[start:pos].decode()
        if not self.overflow and float(text) in (float("inf"), float("-inf")):
            self.overflow = text
        return pos

    def digits(self, pos: int) -> int:
        while self.at(pos) in _DIGITS:
            pos += 1
        return pos

    def required_digits(self, pos: int, context: str) -> int:
        if self.at(pos) not in _DIGITS:
            self.fail(pos, context)
        return self.digits(pos)

    def literal(self, pos: int, word: bytes) -> int:
        for offset in range(1, len(word)):
            if self.at(pos + offset) != word[offset]:
                self.fail(pos + offset, f"in literal {word.decode()} (expecting {_quote_char(word[offset])})")
        return pos + len(word)
