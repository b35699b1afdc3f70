"""Normalise Time and MicroTime fields the way the Kubernetes JSON codec does on every write.

Time is RFC 3339 in UTC with whole seconds (`2006-01-02T15:04:05Z`); MicroTime keeps six fractional
digits (`2006-01-02T15:04:05.000000Z`). Any RFC 3339 input is accepted; anything else is a 400.

The walk follows the schema (`$ref`, `properties`, `items`) but only into the parts that can hold a
Time: which those are is worked out once per set of schemas (`_Plan`, kept for the last PLANS_KEPT),
as most of an object (spec, labels, annotations) never does. Schemas are never changed once defined.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from apimachinery import errors
from apimachinery.apis.schema import META
from apimachinery.apis.types import ResourceDefinition, Schema

TIME = f"{META}.Time"
MICRO_TIME = f"{META}.MicroTime"
PLANS_KEPT = 512
# the forms format_time writes: a value already in its form is kept once it parses
_CANONICAL = {
    False: re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"),
    True: re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z"),
}


def normalize(resource: ResourceDefinition, obj: dict[str, Any]) -> None:
    """Rewrite every Time/MicroTime value of `obj` in place."""
    plan = _plan(resource.schemas)
    _walk(plan, resource.schemas[resource.schema_name], obj)


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


def _normal_time(value: str, *, micro: bool) -> str:
    moment = parse(value)
    return value if _CANONICAL[micro].fullmatch(value) else format_time(moment, micro=micro)


def _walk(plan: _Plan, schema: Schema, value: Any) -> Any:
    ref = schema.get("$ref")
    if ref in (TIME, MICRO_TIME):
        return _normal_time(value, micro=ref == MICRO_TIME) if isinstance(value, str) and value else value
    if ref:
        return _walk(plan, plan.schemas[ref], value)
    if isinstance(value, dict) and schema.get("properties"):
        for key, child in plan.timed_properties(schema):
            if key in value and value[key] is not None:
                value[key] = _walk(plan, child, value[key])
    elif isinstance(value, list) and "items" in schema and plan.reaches_time(schema["items"]):
        for index, item in enumerate(value):
            value[index] = _walk(plan, schema["items"], item)
    return value


class _Plan:
    """Which schemas of one set can lead the walk to a Time or MicroTime."""

    def __init__(self, schemas: Mapping[str, Schema]) -> None:
        self.schemas = schemas
        self._timed_names = _timed_names(schemas)
        self._properties: dict[int, list[tuple[str, Schema]]] = {}  # by id of a schema of `schemas`
        self._reaches: dict[int, bool] = {}

    def timed_properties(self, schema: Schema) -> list[tuple[str, Schema]]:
        known = self._properties.get(id(schema))
        if known is None:
            known = [(key, child) for key, child in schema["properties"].items() if self.reaches_time(child)]
            self._properties[id(schema)] = known
        return known

    def reaches_time(self, schema: Any) -> bool:
        known = self._reaches.get(id(schema))
        if known is None:
            timed, names = _references(schema)
            # a name missing from the schemas is walked, to fail as it always did
            known = timed or any(name in self._timed_names or name not in self.schemas for name in names)
            self._reaches[id(schema)] = known
        return known


_plans: dict[int, _Plan] = {}


def _plan(schemas: Mapping[str, Schema]) -> _Plan:
    plan = _plans.get(id(schemas))
    if plan is None or plan.schemas is not schemas:
        if len(_plans) >= PLANS_KEPT:
            del _plans[next(iter(_plans))]
        plan = _plans[id(schemas)] = _Plan(schemas)  # holds `schemas`, so its id is not reused while kept
    return plan


def _references(schema: Any) -> tuple[bool, set[str]]:
    """(whether the walk meets a Time in `schema` itself, the named schemas it may go on to); a schema that
    is not an object counts as timed, so that the walk meets it and fails as it always did."""
    if not isinstance(schema, dict):
        return True, set()
    ref = schema.get("$ref")
    if ref in (TIME, MICRO_TIME):
        return True, set()
    if ref:
        return False, {ref}
    timed, names = False, set[str]()
    children = list((schema.get("properties") or {}).values())
    if "items" in schema:
        children.append(schema["items"])
    for child in children:
        child_timed, child_names = _references(child)
        timed, names = timed or child_timed, names | child_names
    return timed, names


def _timed_names(schemas: Mapping[str, Schema]) -> set[str]:
    """The named schemas from which the walk can meet a Time (a fixed point: schemas refer to each other)."""
    references = {name: _references(schema) for name, schema in schemas.items()}
    timed = {name for name, (direct, _) in references.items() if direct}
    while True:
        more = {
            name
            for name, (_, names) in references.items()
            if name not in timed and any(other in timed or other not in schemas for other in names)
        }
        if not more:
            return timed
        timed |= more
