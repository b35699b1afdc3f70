"""The watch cache: a Storage decorator that lists and watches a prefix once and serves from memory."""

from shard.storage.cacher.cacher import Cacher, CacherConfig

__all__ = ["Cacher", "CacherConfig"]
