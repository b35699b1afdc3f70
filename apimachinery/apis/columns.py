"""Cell helpers shared by the printer columns of built-in kinds (Name, Age, counts, dates)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apimachinery.apis.types import Object, PrinterColumn

NAME_DESCRIPTION = (
    "Name must be unique within a namespace. Is required when creating resources, although some resources "
    "may allow a client to request the generation of an appropriate name automatically."
)
AGE_DESCRIPTION = (
    "CreationTimestamp is a timestamp representing the server time when this object was created."
)


def parse_time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def human_duration(seconds: float) -> str:
    """kubectl's short age form: 5s, 7m, 3h, 2d, 400d (same cut-offs as the upstream printer)."""
    secs = int(max(seconds, 0))
    if secs < 120:
        return f"{secs}s"
    minutes = secs // 60
    if minutes < 10:
        rest = secs % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = secs // 3600
    if hours < 8:
        rest = (secs % 3600) // 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if days < 8:
        rest = hours % 24
        return f"{days}d{rest}h" if rest else f"{days}d"
    if days < 365 * 2:
        return f"{days}d"
    return f"{days // 365}y"


def age_of(timestamp: str) -> str:
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
    return PrinterColumn(
        "Created At", "date", AGE_DESCRIPTION, lambda o: metadata(o).get("creationTimestamp", "")
    )
