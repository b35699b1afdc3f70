"""Options of a shard process, as frozen values; built once from the command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from apimachinery.pki import PkiPaths


@dataclass(frozen=True)
class ShardOptions:
    """Everything a shard needs to start. `etcd_servers` empty → an embedded etcd under `root_dir/etcd`."""

    root_dir: Path
    pki: PkiPaths
    bind_address: str = "127.0.0.1"
    port: int = 6443
    etcd_servers: tuple[str, ...] = ()
    etcd_unsafe_no_fsync: bool = False
    name: str = "root"
    extra_tokens: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    watch_cache: bool = True
    watch_cache_size: int = 10_000
    compaction_interval: float = 300.0
