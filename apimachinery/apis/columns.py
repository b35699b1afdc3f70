"""Cell helpers shared by the printer columns of built-in kinds (Name, Age, counts, dates)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apimachinery.apis.types import Object, PrinterColumn

NAME_DESCRIPTION = (
    "Name must be unique within a namespace. Is required when creating resources, although some resources "
    "may allow a client to request the generation of an appropriate name automatically."
)
AGE_DESCRIPTION = "CreationTimestamp is a timestamp representing the server time when this object was created."


def parse_time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


SECOND = 1_000_000_000  # nanoseconds, like Go's time.Duration
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE


def human_duration(seconds: float) -> str:
    """Upstream apimachinery `duration.HumanDuration`: kubectl's short age form (5s, 3m10s, 7h59m, 2y1d)."""
    nanos = round(seconds * SECOND)
    whole_seconds = int(nanos / SECOND)  # Go's int(d.Seconds()) truncates toward zero
    if whole_seconds < -1:  # more than a second of clock skew
        return "<invalid>"
    if whole_seconds < 0:
        return "0s"
    if whole_seconds < 120:
        return f"{whole_seconds}s"
    minutes = nanos // MINUTE
    if minutes < 180:
        return _with_rest(minutes, "m", whole_seconds % 60, "s") if minutes < 10 else f"{minutes}m"
    return _hours_and_more(nanos // HOUR, minutes % 60)


def _hours_and_more(hours: int, minutes: int) -> str:
    if hours < 8:
        return _with_rest(hours, "h", minutes, "m")
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if hours < 24 * 8:
        return _with_rest(days, "d", hours % 24, "h")
    if hours < 24 * 365 * 2:
        return f"{days}d"
    if hours < 24 * 365 * 8:
        return _with_rest(days // 365, "y", days % 365, "d")
    return f"{days // 365}y"


def _with_rest(value: int, unit: str, rest: int, rest_unit: str) -> str:
    return f"{value}{unit}{rest}{rest_unit}" if rest else f"{value}{unit}"


def age_of(timestamp: str) -> str:
    """Upstream translateTimestampSince: `<unknown>` without a time, `<invalid>` well in the future."""
    created = parse_time(timestamp)
    if created is None:
        return "<unknown>"
    return human_duration((datetime.now(UTC) - created).total_seconds())


def metadata(obj: Object) -> dict[str, Any]:
    return obj.get("metadata") or {}


def name_column() -> PrinterColumn:
    return PrinterColumn("Name", "string", NAME_DESCRIPTION, lambda o: metadata(o).get("name", ""), format="name")


def age_column() -> PrinterColumn:
    return PrinterColumn("Age", "string", AGE_DESCRIPTION, lambda o: age_of(metadata(o).get("creationTimestamp", "")))


def created_at_column() -> PrinterColumn:
    return PrinterColumn("Created At", "date", AGE_DESCRIPTION, lambda o: metadata(o).get("creationTimestamp", ""))
