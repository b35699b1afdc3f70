"""Home workspaces' naming (kcp's): the logical cluster of user `<name>` and the `user:` path rewrite.

A user's home logical cluster is named from the first 8 bytes of sha224(user name), in base36 with one
`0` per leading zero byte; its canonical path is `user:<name>`. A path `user:<name>:rest` is rewritten
to `<home cluster>:rest` before lookup, so homes and their children are addressable by path.
"""

from __future__ import annotations

import hashlib

BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
HOME_PATH_PREFIX = "user"


def home_cluster_name(user_name: str) -> str:
    prefix = hashlib.sha224(user_name.encode()).digest()[:8]
    number = int.from_bytes(prefix, "big")
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = BASE36[rest] + digits
    leading_zeros = len(prefix) - len(prefix.lstrip(b"\0"))
    return "0" * leading_zeros + digits


def home_path(user_name: str) -> str:
    return f"{HOME_PATH_PREFIX}:{user_name}"


def rewrite_home_path(workspace_path: str) -> str:
    """`user:paul:abc` → `<home cluster of paul>:abc`; any other path unchanged."""
    segments = workspace_path.split(":")
    if segments[0] != HOME_PATH_PREFIX or len(segments) < 2:
        return workspace_path
    return ":".join([home_cluster_name(segments[1]), *segments[2:]])
