"""Messages whose JSON form is not an object of their fields.

* `meta.v1.Time`: an RFC 3339 string with second precision (`2024-01-02T03:04:05Z`); nanos are ignored
  on read and never written, as upstream does. An empty message is the zero time: left out.
* `meta.v1.MicroTime`: the same with six fractional digits (`2024-01-02T03:04:05.123456Z`); nanos are
  truncated to microseconds.
* `meta.v1.FieldsV1`: its `Raw` bytes are a JSON document, which stands in its place.
* `ExtraValue` / `AttestationValue`: a list of strings.

`to_json` returns None when the value is to be left out of the JSON form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from google.protobuf.message import Message

from apimachinery.serializers.protobuf.errors import MalformedProtobufBody, UnencodableObject

EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class SpecialType:
    """How one message type is written to and read from its JSON form."""

    to_json: Callable[[Message], Any]
    from_json: Callable[[Any, Message], None]


def _datetime(seconds: int, microseconds: int) -> datetime:
    try:
        return EPOCH + timedelta(seconds=seconds, microseconds=microseconds)
    except OverflowError as error:
        raise MalformedProtobufBody(f"timestamp {seconds}s is out of range") from error


def time_to_json(message: Message) -> str | None:
    if message.ByteSize() == 0:
        return None
    return _datetime(message.seconds, 0).isoformat(timespec="seconds") + "Z"


def micro_time_to_json(message: Message) -> str | None:
    if message.ByteSize() == 0:
        return None
    return _datetime(message.seconds, message.nanos // 1000).isoformat(timespec="microseconds") + "Z"


def parse_timestamp(value: Any) -> tuple[int, int]:
    """(seconds since the epoch, microseconds) of an RFC 3339 string; naive times are taken as UTC."""
    if not isinstance(value, str):
        raise UnencodableObject(f"a timestamp must be a string, not {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise UnencodableObject(f"{value!r} is not an RFC 3339 timestamp") from error
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    delta = parsed - EPOCH
    return delta.days * 86400 + delta.seconds, delta.microseconds


def time_from_json(value: Any, message: Message) -> None:
    message.seconds = parse_timestamp(value)[0]


def micro_time_from_json(value: Any, message: Message) -> None:
    seconds, microseconds = parse_timestamp(value)
    message.seconds = seconds
    if microseconds:
        message.nanos = microseconds * 1000


def fields_v1_to_json(message: Message) -> Any:
    if not message.Raw:
        return None
    try:
        return orjson.loads(message.Raw)
    except orjson.JSONDecodeError as error:
        raise MalformedProtobufBody(f"fieldsV1 does not hold JSON: {error}") from error


def fields_v1_from_json(value: Any, message: Message) -> None:
    message.Raw = orjson.dumps(value)


def string_list_to_json(message: Message) -> list[str]:
    return list(message.items)


def string_list_from_json(value: Any, message: Message) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise UnencodableObject(f"expected a list of strings, got {value!r}")
    message.items.extend(value)


TIME = SpecialType(time_to_json, time_from_json)
MICRO_TIME = SpecialType(micro_time_to_json, micro_time_from_json)
FIELDS_V1 = SpecialType(fields_v1_to_json, fields_v1_from_json)
STRING_LIST = SpecialType(string_list_to_json, string_list_from_json)

SPECIAL_TYPES: Mapping[str, SpecialType] = {
    "kplane.k8s.meta.v1.Time": TIME,
    "kplane.k8s.meta.v1.MicroTime": MICRO_TIME,
    "kplane.k8s.meta.v1.FieldsV1": FIELDS_V1,
    "kplane.k8s.authorization.v1.ExtraValue": STRING_LIST,
    "kplane.k8s.authentication.v1.ExtraValue": STRING_LIST,
    "kplane.k8s.authentication.v1.AttestationValue": STRING_LIST,
}


def special_type(message_full_name: str) -> SpecialType | None:
    """The special JSON form of a message type, or None if it is an ordinary object."""
    return SPECIAL_TYPES.get(message_full_name)
