"""How the watch cache keeps an object: its JSON, in exact-size bytes, large repeated values shared.

The cache holds every object of the shard for as long as it exists, so what one object costs matters:

- orjson hands back a bytes object whose allocation stays at its 4 KiB growth buffer, whatever the
  JSON's size (measured: 100,000 dumps of a 300-byte object hold 4.0 KiB of RSS each, copies
  0.35 KiB), so everything kept is copied once to an exact-size bytes (`exact`).
- Large values of an object's top-level `data` map (ConfigMaps, Secrets) are often the same in many
  objects: every namespace of every logical cluster has a `kube-root-ca.crt` ConfigMap with the same
  CA bundle. Such a value is kept once (`Encoder`) and the object as the pieces around it, so an
  encoded object is either bytes or a tuple of bytes whose concatenation is its JSON (`joined`).

Encoded objects are shared by the cache state, its events and every reader: never mutated.
"""

from __future__ import annotations

import sys

import orjson

from shard.storage.interface import Object

Encoded = bytes | tuple[bytes, ...]

MIN_SHARED = 256  # a data value at least this long (characters) is shared; shorter ones are not worth a piece
SWEEP_AT = 1024  # the table of shared values is swept of unused ones once it has this many (and doubled)
# what sys.getrefcount reports in `_sweep` for a value nothing else holds: the table's key and value, the
# comprehension's variable and getrefcount's own argument
UNUSED_REFERENCES = 4


def exact(data: bytes) -> bytes:
    """A copy of `data` that owns no spare capacity."""
    return memoryview(data).tobytes()


def joined(encoded: Encoded) -> bytes:
    """The object's JSON in one piece."""
    return encoded if isinstance(encoded, bytes) else b"".join(encoded)


def decode(encoded: Encoded) -> Object:
    """A fresh decoded copy (the caller may mutate it)."""
    obj: Object = orjson.loads(encoded if isinstance(encoded, bytes) else b"".join(encoded))
    return obj


class Encoder:
    """Encodes objects for one cache; the values it shares live as long as an encoded object holds them."""

    def __init__(self, *, min_shared: int = MIN_SHARED, sweep_at: int = SWEEP_AT) -> None:
        self._min_shared = min_shared
        self._sweep_at = self._min_sweep = sweep_at
        self._shared: dict[bytes, bytes] = {}

    def __len__(self) -> int:
        """How many shared values the table holds (some possibly unused until the next sweep)."""
        return len(self._shared)

    def encode(self, obj: Object) -> Encoded:
        data = orjson.dumps(obj)
        values = obj.get("data")
        if not isinstance(values, dict):
            return exact(data)
        pieces: list[bytes] = []
        start = 0
        for value in values.values():
            if not (isinstance(value, str) and len(value) >= self._min_shared):
                continue
            token = orjson.dumps(value)
            at = data.find(token, start)  # any occurrence will do: the pieces join to `data` byte for byte
            if at < 0:
                continue
            pieces += (data[start:at], self._share(token))
            start = at + len(token)
        if not pieces:
            return exact(data)
        pieces.append(data[start:])
        return tuple(pieces)

    def _share(self, token: bytes) -> bytes:
        shared = self._shared.get(token)
        if shared is None:
            if len(self._shared) >= self._sweep_at:
                self._sweep()
            shared = exact(token)
            self._shared[shared] = shared
        return shared

    def _sweep(self) -> None:
        """Forget the values no encoded object holds any more. Misjudging one never changes what is served:
        encoded objects keep their own references; a later object would merely not share it."""
        unused = [value for value in self._shared.values() if sys.getrefcount(value) <= UNUSED_REFERENCES]
        for value in unused:
            del self._shared[value]
        self._sweep_at = max(self._min_sweep, 2 * len(self._shared))
