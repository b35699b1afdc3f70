"""Kubernetes `resource.Quantity`: parsing and the arithmetic the CEL quantity library exposes.

A port of `k8s.io/apimachinery/pkg/api/resource` as far as CEL can observe it: the value is exact
(`value * 10**exponent`), and it remembers whether Go would hold it as an `int64Amount` (`small`) or as
an `inf.Dec`, because `isInteger()`/`asInteger()` only succeed for an int64Amount with a non-negative
scale (so `quantity("1000m").isInteger()` is false upstream, and here). Suffixes: binary Ki Mi Gi Ti Pi
Ei, decimal n u m k M G T P E, and decimal exponents `e3`/`E-2`. Parsing rounds up to nano precision,
and caps binary-suffixed values at 2^63-1, as upstream does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

SPLIT_RE = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
ERR_FORMAT_WRONG = f"quantities must match the regular expression '{SPLIT_RE}'"
ERR_NUMERIC = "unable to parse numeric part of quantity"
ERR_SUFFIX = "unable to parse quantity's suffix"

_INT64_MAX = 2**63 - 1
_MAX_INT64_FACTORS = 18
_NANO = -9
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_DIGITS = frozenset("0123456789")


class QuantityError(ValueError):
    """The text is not a quantity; the message is upstream's."""


@dataclass(frozen=True)
class Quantity:
    """An exact quantity `value * 10**exponent`; `small` when Go holds it as an int64Amount."""

    value: int
    exponent: int
    small: bool

    def exact(self) -> Fraction:
        return Fraction(self.value) * Fraction(10) ** self.exponent

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Quantity) and self.exact() == other.exact()

    def __hash__(self) -> int:
        return hash(self.exact())

    def compare(self, other: Quantity) -> int:
        left, right = self.exact(), other.exact()
        return (left > right) - (left < right)

    def sign(self) -> int:
        return (self.value > 0) - (self.value < 0)

    def as_int64(self) -> int | None:
        """`AsInt64`: only an int64Amount with a non-negative scale converts."""
        if not self.small or self.exponent < 0:
            return None
        result = self.value * 10**self.exponent
        return result if -(2**63) <= result <= _INT64_MAX else None

    def approximate_float(self) -> float:
        try:
            return float(self.value) * math.pow(10, self.exponent)
        except OverflowError:
            return math.copysign(math.inf, self.value)

    def add(self, other: Quantity) -> Quantity:
        if self.small and other.small:
            summed = _int64_add(self, other)
            if summed is not None:
                return summed
        low = min(self.exponent, other.exponent)
        total = self.value * 10 ** (self.exponent - low) + other.value * 10 ** (other.exponent - low)
        return Quantity(total, low, small=False)

    def negated(self) -> Quantity:
        return Quantity(-self.value, self.exponent, self.small)


def _int64_add(left: Quantity, right: Quantity) -> Quantity | None:
    """`int64Amount.Add`: align to the smaller scale; None when int64 overflows."""
    if right.value == 0:
        return left
    if left.value == 0:
        return right
    low = min(left.exponent, right.exponent)
    total = left.value * 10 ** (left.exponent - low) + right.value * 10 ** (right.exponent - low)
    aligned = max(abs(left.value * 10 ** (left.exponent - low)), abs(right.value * 10 ** (right.exponent - low)))
    if aligned > _INT64_MAX or not -(2**63) <= total <= _INT64_MAX:
        return None
    return Quantity(total, low, small=True)


def from_int(value: int) -> Quantity:
    return Quantity(value, 0, small=True)


def parse_quantity(text: str) -> Quantity:
    """`resource.ParseQuantity`, raising QuantityError with upstream's messages."""
    if not text:
        raise QuantityError(ERR_FORMAT_WRONG)
    if text == "0":
        return Quantity(0, 0, small=True)
    positive, value, num, denom, suffix = _split(text)
    base, exponent = _interpret(suffix)
    fast = _fast_path(positive, num, denom, base, exponent)
    return fast if fast is not None else _exact_path(value, base, exponent)


def _split(text: str) -> tuple[bool, str, str, str, str]:
    """`parseQuantityString`: sign, the numeric text, numerator and denominator digits, suffix."""
    positive, pos = text[0] != "-", 1 if text[0] in "+-" else 0
    while pos < len(text) and text[pos] == "0":
        pos += 1
    if pos == len(text):
        return positive, "0", "0", "", ""
    start = pos
    while pos < len(text) and text[pos] in _DIGITS:
        pos += 1
    num, denom = text[start:pos] or "0", ""
    if pos < len(text) and text[pos] == ".":
        pos += 1
        start = pos
        while pos < len(text) and text[pos] in _DIGITS:
            pos += 1
        denom = text[start:pos]
    value, suffix_start = text[:pos], pos
    while pos < len(text) and text[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < len(text) and text[pos] in "+-":
        pos += 1
    if any(char not in _DIGITS for char in text[pos:]):
        raise QuantityError(ERR_FORMAT_WRONG)
    return positive, value, num, denom, text[suffix_start:]


def _interpret(suffix: str) -> tuple[int, int]:
    if suffix in _DECIMAL:
        return 10, _DECIMAL[suffix]
    if suffix in _BINARY:
        return 2, _BINARY[suffix]
    if len(suffix) > 1 and suffix[0] in "eE":
        try:
            return 10, int(suffix[1:])
        except ValueError:
            raise QuantityError(ERR_SUFFIX) from None
    raise QuantityError(ERR_SUFFIX)


def _fast_path(positive: bool, num: str, denom: str, base: int, exponent: int) -> Quantity | None:
    """The int64Amount result ParseQuantity builds when the digits fit, else None."""
    mantissa, scale = 1, exponent
    precision = _MAX_INT64_FACTORS - (len(num) + len(denom))
    if base == 2:
        scale = 0
        if exponent < 0 or denom:
            return None
        mantissa = 1 << exponent
        precision = 15 - len(num) - int(exponent * 3 / 10) - 1
    scale -= len(denom)
    if precision < 0 or scale < _NANO:
        return None
    result = int(num + denom) * mantissa
    if result > _INT64_MAX:
        return None
    return Quantity(result if positive else -result, scale, small=True)


def _exact_path(value: str, base: int, exponent: int) -> Quantity:
    try:
        sign, digits, dec_exponent = Decimal(value).as_tuple()
    except InvalidOperation:
        raise QuantityError(ERR_NUMERIC) from None
    assert isinstance(dec_exponent, int)
    unscaled = int("".join(map(str, digits)) or "0")
    scale = dec_exponent + (exponent if base == 10 else 0)
    if base == 2:
        unscaled <<= exponent
    if unscaled and scale < _NANO:
        divisor = 10 ** (_NANO - scale)
        unscaled, scale = -(-unscaled // divisor), _NANO
    if base == 2 and unscaled * Fraction(10) ** scale > _INT64_MAX:
        unscaled, scale = _INT64_MAX, 0
    return Quantity(-unscaled if sign else unscaled, scale, small=False)
