"""Continue tokens: round trip, and every way a token can be invalid."""

from __future__ import annotations

import base64

import orjson
import pytest

from shard.storage.errors import InvalidContinueError
from shard.storage.paging import ContinueToken, decode_continue, encode_continue, key_after

PREFIX = "/registry/core/configmaps/root/"


def raw_token(document: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(document)).decode()


@pytest.mark.parametrize("start", [f"{PREFIX}default/a\x00", f"{PREFIX}ns/ü\x00", f"{PREFIX}x"])
def test_round_trip(start: str) -> None:
    token = ContinueToken(revision=42, start_key=start)
    assert decode_continue(PREFIX, encode_continue(PREFIX, token)) == token


def test_token_holds_the_key_relative_to_the_prefix() -> None:
    token = encode_continue(PREFIX, ContinueToken(revision=7, start_key=f"{PREFIX}default/a"))
    document = orjson.loads(base64.urlsafe_b64decode(token))
    assert document["rv"] == 7 and document["start"] == "default/a"


def test_token_of_another_prefix_is_invalid() -> None:
    token = encode_continue(PREFIX, ContinueToken(revision=7, start_key=f"{PREFIX}a"))
    with pytest.raises(InvalidContinueError):
        decode_continue("/registry/core/secrets/root/", token)


@pytest.mark.parametrize(
    "token",
    [
        "%%%",
        "not base64 at all!",
        raw_token([1, 2]),
        raw_token({"v": "other/v1", "rv": 1, "start": "a", "p": "x"}),
        base64.urlsafe_b64encode(b"{not json").decode(),
    ],
)
def test_malformed_token_is_invalid(token: str) -> None:
    with pytest.raises(InvalidContinueError):
        decode_continue(PREFIX, token)


@pytest.mark.parametrize(("revision", "start"), [(0, "a"), (-3, "a"), ("5", "a"), (True, "a"), (5, ""), (5, 7)])
def test_token_with_bad_fields_is_invalid(revision: object, start: object) -> None:
    good = orjson.loads(base64.urlsafe_b64decode(encode_continue(PREFIX, ContinueToken(1, f"{PREFIX}a"))))
    with pytest.raises(InvalidContinueError):
        decode_continue(PREFIX, raw_token({**good, "rv": revision, "start": start}))


def test_encode_refuses_a_key_outside_the_prefix() -> None:
    with pytest.raises(ValueError):
        encode_continue(PREFIX, ContinueToken(revision=1, start_key="/registry/other"))


def test_key_after_sorts_right_after() -> None:
    assert "a" < key_after("a") < "a\x01" < "b"
    assert key_after("a").encode() == b"a\x00"
