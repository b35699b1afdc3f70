"""Kubernetes resource.Quantity parsing and arithmetic, as the CEL quantity library sees them."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from apimachinery.cel.quantity import (
    ERR_FORMAT_WRONG,
    ERR_SUFFIX,
    QuantityError,
    from_int,
    parse_quantity,
)


@pytest.mark.parametrize(
    ("text", "value", "as_int64"),
    [
        ("0", Fraction(0), 0),
        ("1", Fraction(1), 1),
        ("-1", Fraction(-1), -1),
        ("+12", Fraction(12), 12),
        ("1Ki", Fraction(1024), 1024),
        ("1Mi", Fraction(2**20), 2**20),
        ("2Gi", Fraction(2 * 2**30), 2 * 2**30),
        ("1Ti", Fraction(2**40), 2**40),
        # upstream keeps 1Pi and 1Ei as inf.Dec (too few digits of precision left), so AsInt64 fails
        ("1Pi", Fraction(2**50), None),
        ("1Ei", Fraction(2**60), None),
        ("100n", Fraction(100, 10**9), None),
        ("5u", Fraction(5, 10**6), None),
        ("1500m", Fraction(3, 2), None),
        ("1000m", Fraction(1), None),
        ("1k", Fraction(1000), 1000),
        ("1M", Fraction(10**6), 10**6),
        ("1.5G", Fraction(15 * 10**8), 15 * 10**8),
        ("1T", Fraction(10**12), 10**12),
        ("1P", Fraction(10**15), 10**15),
        ("2E", Fraction(2 * 10**18), 2 * 10**18),
        ("1e3", Fraction(1000), 1000),
        ("1E3", Fraction(1000), 1000),
        ("5e-3", Fraction(5, 1000), None),
        ("1.", Fraction(1), 1),
        (".5", Fraction(1, 2), None),
        ("0.1n", Fraction(1, 10**9), None),
        ("1.5Gi", Fraction(3 * 2**29), None),
        ("12345678901234567890", Fraction(12345678901234567890), None),
        ("10Ei", Fraction(2**63 - 1), None),
    ],
)
def test_parse(text: str, value: Fraction, as_int64: int | None) -> None:
    quantity = parse_quantity(text)
    assert quantity.exact() == value
    assert quantity.as_int64() == as_int64


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", ERR_FORMAT_WRONG),
        ("1.1.M", ERR_FORMAT_WRONG),
        ("1+1.0M", ERR_FORMAT_WRONG),
        ("aoeu", ERR_FORMAT_WRONG),
        ("-3.01e-", ERR_SUFFIX),
        (" 1", ERR_FORMAT_WRONG),
        ("1 ", ERR_FORMAT_WRONG),
        ("0.1mi", ERR_SUFFIX),
        ("0.1am", ERR_FORMAT_WRONG),
        (".5i", ERR_SUFFIX),
        ("1i", ERR_SUFFIX),
        ("200K", ERR_SUFFIX),
        ("10Mm", ERR_SUFFIX),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(QuantityError) as raised:
        parse_quantity(text)
    assert str(raised.value) == message


def test_arithmetic_keeps_int64_form_until_overflow() -> None:
    total = parse_quantity("50k").add(from_int(20))
    assert total.exact() == 50020 and total.as_int64() == 50020
    big = parse_quantity("9E").add(parse_quantity("9E"))
    assert big.exact() == 18 * 10**18 and big.as_int64() is None


def test_compare_sign_and_float() -> None:
    assert parse_quantity("50M").compare(parse_quantity("50Mi")) == -1
    assert parse_quantity("0.2G") == parse_quantity("200M")
    assert parse_quantity("-1m").sign() == -1
    assert parse_quantity("1.5k").approximate_float() == 1500.0
    assert math.isinf(parse_quantity("1e400").approximate_float())
