"""Continue tokens for paged lists: what a token holds and how it is written.

A token is opaque to clients: URL-safe base64 of a small JSON document holding the revision of the
first page (every page is read at it), the next key to read relative to the listed prefix, and a
fingerprint of that prefix, so that a token is only accepted for the prefix it was issued for. Both
storage implementations (etcd3 and the cacher) write and read the same format, so a listing may
switch between them from one page to the next.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

import orjson

from shard.storage.errors import InvalidContinueError

TOKEN_VERSION = "kplane.io/v1"
# the revision of a token handed out after the first page's revision was compacted: continue at the
# latest revision (an inconsistent list, as the client was told); decoded as revision 0
LATEST = -1


@dataclass(frozen=True)
class ContinueToken:
    """Where the next page of a listing of `prefix` starts: at `start_key`, read at `revision`."""

    revision: int
    start_key: str


def prefix_fingerprint(prefix: str) -> str:
    """A short digest that ties a token to the prefix it lists."""
    return hashlib.sha256(prefix.encode()).hexdigest()[:12]


def encode_continue(prefix: str, token: ContinueToken) -> str:
    """The opaque token for the next page; `token.start_key` must lie under `prefix`."""
    if not token.start_key.startswith(prefix) or (token.revision <= 0 and token.revision != LATEST):
        raise ValueError(f"cannot encode a continue token for {token!r} under {prefix!r}")
    document = {
        "v": TOKEN_VERSION,
        "rv": token.revision,
        "start": token.start_key[len(prefix) :],
        "p": prefix_fingerprint(prefix),
    }
    return base64.urlsafe_b64encode(orjson.dumps(document)).decode("ascii")


def decode_continue(prefix: str, token: str) -> ContinueToken:
    """The position a token points at; InvalidContinueError if it is malformed or from another prefix."""
    document = _parse(prefix, token)
    if document.get("v") != TOKEN_VERSION or document.get("p") != prefix_fingerprint(prefix):
        raise InvalidContinueError(prefix, "continue key is not valid: it was issued for another list")
    revision, start = document.get("rv"), document.get("start")
    if not isinstance(revision, int) or isinstance(revision, bool) or (revision <= 0 and revision != LATEST):
        raise InvalidContinueError(prefix, "continue key is not valid: incorrect encoded start resourceVersion")
    if not isinstance(start, str) or not start:
        raise InvalidContinueError(prefix, "continue key is not valid: missing start key")
    return ContinueToken(revision=max(revision, 0), start_key=prefix + start)


def _parse(prefix: str, token: str) -> dict[str, object]:
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
        document = orjson.loads(raw)
    except (ValueError, binascii.Error, UnicodeEncodeError, orjson.JSONDecodeError) as err:
        raise InvalidContinueError(prefix, f"continue key is not valid: {err}") from err
    if not isinstance(document, dict):
        raise InvalidContinueError(prefix, "continue key is not valid: not an object")
    return document


def key_after(key: str) -> str:
    """The smallest key that sorts after `key` (etcd orders keys bytewise)."""
    return key + "\x00"
