"""Options of a shard process, as frozen values; built once from the command line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from apimachinery.pki import PkiPaths
from shard.auth.requestheader import DEFAULT_ALLOWED_NAMES
from shard.auth.serviceaccounts import DEFAULT_ISSUER


@dataclass(frozen=True)
class ShardOptions:
    """Everything a shard needs to start. `etcd_servers` empty → an embedded etcd under `root_dir/etcd`.

    Authentication: `token_auth_file` is kube's token CSV (None: no token users but the admin);
    `service_account_key_file` signs and verifies service-account tokens (None: `pki.service_account_key`);
    `api_audiences` are the audiences a token must name one of and a TokenRequest gets by default (empty:
    the issuer, as upstream); `requestheader_allowed_names` are the front-proxy certificate names trusted to
    send `X-Remote-User` (empty: any certificate of the front-proxy CA).

    Topology: `root_shard_url` is the root shard's https URL for a shard that does not hold `root` (it
    registers there and reads root's Shards and WorkspaceTypes through it); `external_url` goes into this
    shard's Shard `spec.externalURL` and so into Workspace `spec.URL`."""

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
    token_auth_file: Path | None = None
    service_account_key_file: Path | None = None
    service_account_issuer: str = DEFAULT_ISSUER
    api_audiences: tuple[str, ...] = ()
    requestheader_allowed_names: tuple[str, ...] = DEFAULT_ALLOWED_NAMES
    root_shard_url: str = ""  # empty: this shard is the root shard (holds `root`)
    external_url: str = ""  # the URL users see (the front-proxy); empty: this shard's own URL
    shard_labels: tuple[tuple[str, str], ...] = ()  # extra labels of this shard's Shard (placement selectors)
    capacity: str = ""  # status.capacity.workspaces of this shard's Shard (placement weight); empty: keep/default

    @property
    def audiences(self) -> tuple[str, ...]:
        return self.api_audiences or (self.service_account_issuer,)

    @property
    def signing_key_file(self) -> Path:
        return self.service_account_key_file or self.pki.service_account_key
