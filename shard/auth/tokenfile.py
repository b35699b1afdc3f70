"""Kube's static token file (`--token-auth-file`) for the shard and `kplane start`: re-exported from
apimachinery/auth/tokenfile.py, which the front-proxy reads too."""

from __future__ import annotations

from apimachinery.auth.tokenfile import (
    MIN_COLUMNS,
    TokenFileError,
    TokenRecord,
    find_user,
    format_record,
    load_token_file,
    parse_token_file,
    read_token_file,
    write_token_file,
)

__all__ = [
    "MIN_COLUMNS",
    "TokenFileError",
    "TokenRecord",
    "find_user",
    "format_record",
    "load_token_file",
    "parse_token_file",
    "read_token_file",
    "write_token_file",
]
