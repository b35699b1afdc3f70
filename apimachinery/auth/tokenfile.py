"""Kube's static token file (`--token-auth-file`): parsing, loading, and writing one user's line.

The format is upstream's CSV: `token,user,uid[,"group1,group2"]`, one user per record, extra columns
ignored. As upstream: blank lines are skipped, a record with fewer than three columns is an error (there
are no comment lines: `# note` is a one-column record), an empty token is skipped with a warning, and a
repeated token replaces the earlier one with a warning. Errors name the file and the line.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from apimachinery.auth.authn import StaticTokens
from apimachinery.auth.user import UserInfo
from apimachinery.certs import write_atomic

log = logging.getLogger("kplane.auth")
MIN_COLUMNS = 3


class TokenFileError(ValueError):
    """The token file cannot be used: unreadable, malformed CSV, or a record with too few columns."""


@dataclass(frozen=True)
class TokenRecord:
    """One user of the token file."""

    token: str
    user: UserInfo


def parse_token_file(text: str, *, source: str) -> list[TokenRecord]:
    """The records of a token file's `text` in file order; `source` names the file in messages."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[TokenRecord] = []
    seen: set[str] = set()
    try:
        for row in reader:
            record = _record(row, source=source, line=reader.line_num)
            if record is None:
                continue
            if record.token in seen:
                log.warning("duplicate token has been found in token file %r, line %d", source, reader.line_num)
            seen.add(record.token)
            records.append(record)
    except csv.Error as err:
        raise TokenFileError(f"token file {source!r}, line {reader.line_num}: {err}") from None
    return records


def _record(row: list[str], *, source: str, line: int) -> TokenRecord | None:
    if not row:  # a blank line
        return None
    if len(row) < MIN_COLUMNS:
        raise TokenFileError(
            f"token file {source!r}, line {line}: must have at least 3 columns (token, user name, user uid), "
            f"found {len(row)}"
        )
    token, name, uid = row[0], row[1], row[2]
    if not token:
        log.warning("empty token has been found in token file %r, line %d", source, line)
        return None
    # Upstream splits the fourth column on commas as it is, so an empty column is one empty group.
    groups = tuple(row[3].split(",")) if len(row) > MIN_COLUMNS else ()
    return TokenRecord(token, UserInfo(name, groups, uid))


def read_token_file(path: Path) -> list[TokenRecord]:
    """The records of the token file at `path`; an unreadable file is a `TokenFileError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise TokenFileError(f"token file {str(path)!r} cannot be read: {err}") from None
    return parse_token_file(text, source=str(path))


def load_token_file(path: Path) -> StaticTokens:
    """An authenticator for the users of the token file at `path` (read once, at start-up)."""
    return StaticTokens.of((record.token, record.user) for record in read_token_file(path))


def find_user(records: Sequence[TokenRecord], name: str) -> TokenRecord | None:
    """The last record of user `name` (the one a repeated token would keep)."""
    matches = [record for record in records if record.user.name == name]
    return matches[-1] if matches else None


def format_record(token: str, name: str, uid: str, groups: Sequence[str] = ()) -> str:
    """One CSV line of the token file, quoted where the format needs it (the group list always is)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([token, name, uid, ",".join(groups)] if groups else [token, name, uid])
    return out.getvalue()


def write_token_file(path: Path, records: Sequence[tuple[str, str, str, Sequence[str]]]) -> None:
    """Write (token, user, uid, groups) records to `path`, atomically and readable by the owner only."""
    text = "".join(format_record(token, name, uid, groups) for token, name, uid, groups in records)
    write_atomic(path, text.encode("utf-8"), mode=0o600)
