"""Key ranges in etcd's bytewise key order."""

from __future__ import annotations


def prefix_range_end(prefix: bytes) -> bytes:
    """The exclusive end of the range of every key starting with `prefix`.

    b"/a/" → b"/a0"; trailing 0xff bytes roll over; an empty or all-0xff prefix means "to the end"
    (etcd's b"\\x00").
    """
    end = bytearray(prefix)
    while end:
        if end[-1] < 0xFF:
            end[-1] += 1
            return bytes(end)
        end.pop()
    return b"\x00"
