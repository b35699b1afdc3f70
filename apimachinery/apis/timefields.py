"""Normalise Time and MicroTime fields the way the Kubernetes JSON codec does on every write.

Time is RFC 3339 in UTC with whole seconds (`2006-01-02T15:04:05Z`); MicroTime keeps six fractional
digits (`2006-01-02T15:04:05.000000Z`). Any RFC 3339 input is accepted; anything else is a 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from apimachinery import errors
from apimachinery.apis.schema import META
from apimachinery.apis.types import ResourceDefinition, Schema

TIME = f"{META}.Time"
MICRO_TIME = f"{META}.MicroTime"


def normalize(resource: ResourceDefinition, obj: dict[str, Any]) -> None:
    """Rewrite every Time/MicroTime value of `obj` in place."""
    _walk(resource.schemas, resource.schemas[resource.schema_name], obj)


def format_time(moment: datetime, *, micro: bool) -> str:
    """RFC 3339 in UTC; the year always has four digits (strftime drops the zeros of year 1)."""
    moment = moment.astimezone(UTC)
    date = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    text = f"{date}T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    return f"{text}.{moment.microsecond:06d}Z" if micro else f"{text}Z"


def parse(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise errors.bad_request(f'parsing time "{value}" as "2006-01-02T15:04:05Z07:00": cannot parse') from None
    if moment.tzinfo is None:
        raise errors.bad_request(f'parsing time "{value}" as "2006-01-02T15:04:05Z07:00": missing time zone')
    return moment


def _walk(schemas: Mapping[str, Schema], schema: Schema, value: Any) -> Any:
    ref = schema.get("$ref")
    if ref in (TIME, MICRO_TIME):
        return format_time(parse(value), micro=ref == MICRO_TIME) if isinstance(value, str) and value else value
    if ref:
        return _walk(schemas, schemas[ref], value)
    if isinstance(value, dict) and schema.get("properties"):
        for key, child in schema["properties"].items():
            if key in value and value[key] is not None:
                value[key] = _walk(schemas, child, value[key])
    elif isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            value[index] = _walk(schemas, schema["items"], item)
    return value
