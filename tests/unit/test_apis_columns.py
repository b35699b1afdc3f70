"""Printer-column helpers; human_duration follows upstream apimachinery util/duration.HumanDuration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apimachinery.apis import columns

S = 1.0
MS = 0.001
NS = 1e-9
M = 60 * S
H = 60 * M
D = 24 * H
Y = 365 * D


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        # TestHumanDuration upstream
        (S, "1s"),
        (70 * S, "70s"),
        (190 * S, "3m10s"),
        (70 * M, "70m"),
        (47 * H, "47h"),
        (49 * H, "2d1h"),
        ((8 * 24 + 2) * H, "8d"),
        (367 * D, "367d"),
        (2 * Y + 25 * H, "2y1d"),
        (8 * Y + 2 * H, "8y"),
        # TestHumanDurationBoundaries upstream
        (-2 * S, "<invalid>"),
        (-2 * S + 1e-6, "0s"),
        (0, "0s"),
        (S - MS, "0s"),
        (59 * S, "59s"),
        (119 * S, "119s"),
        (2 * M - MS, "119s"),
        (2 * M, "2m"),
        (2 * M + S, "2m1s"),
        (10 * M - MS, "9m59s"),
        (10 * M, "10m"),
        (10 * M + S, "10m"),
        (3 * H - MS, "179m"),
        (3 * H, "3h"),
        (3 * H + M, "3h1m"),
        (8 * H - MS, "7h59m"),
        (8 * H, "8h"),
        (8 * H + 59 * M, "8h"),
        (2 * D - MS, "47h"),
        (2 * D, "2d"),
        (2 * D + H, "2d1h"),
        (2 * D + 3 * H, "2d3h"),
        (8 * D - MS, "7d23h"),
        (8 * D, "8d"),
        (8 * D + 23 * H, "8d"),
        (400 * D, "400d"),
        (2 * Y - MS, "729d"),
        (2 * Y, "2y"),
        (2 * Y + 23 * H + 59 * M, "2y"),
        (2 * Y + D - MS, "2y"),
        (2 * Y + D, "2y1d"),
        (3 * Y, "3y"),
        (3 * Y + 40 * D, "3y40d"),
        (7 * Y, "7y"),
        (8 * Y - MS, "7y364d"),
        (8 * Y, "8y"),
        (8 * Y + 364 * D, "8y"),
        (9 * Y, "9y"),
    ],
)
def test_human_duration(seconds: float, expected: str) -> None:
    assert columns.human_duration(seconds) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-01T10:20:30Z", datetime(2024, 5, 1, 10, 20, 30, tzinfo=UTC)),
        ("2024-05-01T10:20:30.123456Z", datetime(2024, 5, 1, 10, 20, 30, 123456, tzinfo=UTC)),
        ("2024-05-01T12:20:30+02:00", datetime(2024, 5, 1, 10, 20, 30, tzinfo=UTC)),
        ("", None),
        ("yesterday", None),
    ],
)
def test_parse_time(value: str, expected: datetime | None) -> None:
    assert columns.parse_time(value) == expected


def test_age_of() -> None:
    stamp = (datetime.now(UTC) - timedelta(hours=5, minutes=7, seconds=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert columns.age_of(stamp) == "5h7m"
    assert columns.age_of("") == "<unknown>"
    assert columns.age_of("not a time") == "<unknown>"


def test_age_of_a_future_timestamp_is_invalid() -> None:
    # clock skew of more than a second: upstream translateTimestampSince → HumanDuration → "<invalid>"
    stamp = (datetime.now(UTC) + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert columns.age_of(stamp) == "<invalid>"


def test_name_and_age_columns() -> None:
    obj = {
        "metadata": {
            "name": "n1",
            "creationTimestamp": (datetime.now(UTC) - timedelta(seconds=42)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    }
    name, age = columns.name_column(), columns.age_column()
    assert (name.name, name.type, name.format) == ("Name", "string", "name")
    assert (age.name, age.type) == ("Age", "string")
    assert name.value(obj) == "n1"
    assert age.value(obj) in ("42s", "43s")
    assert name.value({}) == ""
    assert age.value({}) == "<unknown>"
    created = columns.created_at_column()
    assert (created.name, created.type) == ("Created At", "date")
    assert created.value(obj) == obj["metadata"]["creationTimestamp"]
