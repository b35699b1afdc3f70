"""Kube's token file: upstream's CSV rules, errors naming the line, and the authenticator built from it."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest

from shard.auth.authn import Credentials
from shard.auth.tokenfile import (
    TokenFileError,
    TokenRecord,
    find_user,
    format_record,
    load_token_file,
    parse_token_file,
    read_token_file,
    write_token_file,
)
from shard.registry.context import UserInfo


@pytest.mark.parametrize(
    ("text", "records"),
    [
        ("t1,jane,u1\n", [TokenRecord("t1", UserInfo("jane", (), "u1"))]),
        ('t1,jane,u1,"devs,ops"\n', [TokenRecord("t1", UserInfo("jane", ("devs", "ops"), "u1"))]),
        ("t1,jane,u1,devs\n", [TokenRecord("t1", UserInfo("jane", ("devs",), "u1"))]),
        ("t1,jane,u1,devs,ignored,columns\n", [TokenRecord("t1", UserInfo("jane", ("devs",), "u1"))]),
        ("t1,jane,u1,\n", [TokenRecord("t1", UserInfo("jane", ("",), "u1"))]),  # upstream: one empty group
        ("t1,jane,\n", [TokenRecord("t1", UserInfo("jane", (), ""))]),
        ("\n\nt1,jane,u1\n\n", [TokenRecord("t1", UserInfo("jane", (), "u1"))]),
        (
            "t1,jane,u1\r\nt2,bob,u2\r\n",
            [TokenRecord("t1", UserInfo("jane", (), "u1")), TokenRecord("t2", UserInfo("bob", (), "u2"))],
        ),
        ("t1,jane,u1", [TokenRecord("t1", UserInfo("jane", (), "u1"))]),  # no final newline
        (",jane,u1\nt2,bob,u2\n", [TokenRecord("t2", UserInfo("bob", (), "u2"))]),  # empty token skipped
        ('"t,1","ja""ne",u1\n', [TokenRecord("t,1", UserInfo('ja"ne', (), "u1"))]),
        ("", []),
    ],
)
def test_parse(text: str, records: list[TokenRecord]) -> None:
    assert parse_token_file(text, source="tokens.csv") == records


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "t1,jane,u1\nt2,bob\n",
            "token file 'tokens.csv', line 2: must have at least 3 columns (token, user name, user uid), found 2",
        ),
        (
            "# users of the team\nt1,jane,u1\n",  # upstream has no comments: a one-column record
            "token file 'tokens.csv', line 1: must have at least 3 columns (token, user name, user uid), found 1",
        ),
        (
            "\n\n   \n",
            "token file 'tokens.csv', line 3: must have at least 3 columns (token, user name, user uid), found 1",
        ),
        ('t1,jane,u1\n"t2"x,bob,u2\n', "token file 'tokens.csv', line 2: "),
        ('t1,jane,u1\n"t2,bob,u2\n', "token file 'tokens.csv', line 2: "),
    ],
)
def test_malformed_files_name_the_line(text: str, message: str) -> None:
    with pytest.raises(TokenFileError) as caught:
        parse_token_file(text, source="tokens.csv")
    assert str(caught.value).startswith(message)


def test_duplicates_keep_both_records_and_warn(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="kplane.auth"):
        records = parse_token_file("t1,jane,u1\nt1,bob,u2\n,x,y\n", source="tokens.csv")
    assert [r.user.name for r in records] == ["jane", "bob"]
    assert [r.getMessage() for r in caplog.records] == [
        "duplicate token has been found in token file 'tokens.csv', line 2",
        "empty token has been found in token file 'tokens.csv', line 3",
    ]


async def test_authenticator_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "tokens.csv"
    path.write_text('t1,jane,u1,"devs,ops"\nt2,bob,u2\nt1,jane-again,u3\n')
    tokens = load_token_file(path)
    assert await tokens.authenticate(Credentials("t1")) == UserInfo("jane-again", (), "u3")  # later line wins
    assert await tokens.authenticate(Credentials("t2")) == UserInfo("bob", (), "u2")
    assert await tokens.authenticate(Credentials("t3")) is None


@pytest.mark.parametrize("content", [None, b"\xff\xfe not utf-8"])
def test_unreadable_file_is_an_error(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "tokens.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(TokenFileError, match="cannot be read"):
        read_token_file(path)


@pytest.mark.parametrize(
    ("record", "line"),
    [
        (("t1", "jane", "u1", ()), "t1,jane,u1\n"),
        (("t1", "jane", "u1", ("devs",)), "t1,jane,u1,devs\n"),
        (("t1", "jane", "u1", ("devs", "ops")), 't1,jane,u1,"devs,ops"\n'),
        (("t,1", 'ja"ne', "u1", ()), '"t,1","ja""ne",u1\n'),
    ],
)
def test_format_record_round_trips(record: tuple[str, str, str, tuple[str, ...]], line: str) -> None:
    token, name, uid, groups = record
    assert format_record(token, name, uid, groups) == line
    assert parse_token_file(line, source="x") == [TokenRecord(token, UserInfo(name, groups, uid))]


def test_write_token_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "tokens.csv"
    write_token_file(path, [("t1", "tenant", "u1", ("tenants",)), ("t2", "bob", "u2", ())])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    records = read_token_file(path)
    assert find_user(records, "tenant") == TokenRecord("t1", UserInfo("tenant", ("tenants",), "u1"))
    assert find_user(records, "nobody") is None
