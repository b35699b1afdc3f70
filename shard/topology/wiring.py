"""A shard's place in the installation, built once from its options: the HTTPS client it calls other shards
with, its root shard (itself, or the one at `--root-shard-url`), its Shard registration, and what it
writes at start.

Start-up writes: the root shard writes the `root` logical cluster, the built-in WorkspaceTypes, the RBAC of
`system:admin` and root's grants, then its Shard. Any other shard writes only `system:admin`'s RBAC
locally and registers its Shard in root through the root shard (waiting for the root shard to answer).
"""

from __future__ import annotations

from dataclasses import dataclass

from shard.auth import seed
from shard.config import ShardOptions
from shard.registry.bootstrap import bootstrap_root
from shard.registry.context import UserInfo
from shard.registry.registry import Registry
from shard.registry.shardobjects import ShardRegistration
from shard.topology.https import AiohttpTransport, ShardHttp
from shard.topology.remote_root import HttpsRootShard
from shard.topology.root import Authorize, LocalRootShard, RootShard


def base_url(options: ShardOptions) -> str:
    """This shard's own https URL (a wildcard bind address is reached on the loopback address)."""
    host = "127.0.0.1" if options.bind_address in ("0.0.0.0", "::", "") else options.bind_address
    return f"https://{'[' + host + ']' if ':' in host else host}:{options.port}"


def registration(options: ShardOptions) -> ShardRegistration:
    own = base_url(options)
    return ShardRegistration(
        options.name,
        own,
        options.external_url.rstrip("/") or own,
        own,
        labels=dict(options.shard_labels),
        capacity=options.capacity,
    )


@dataclass
class Topology:
    options: ShardOptions
    http: ShardHttp
    remote_root: HttpsRootShard | None
    root: RootShard | None = None

    @classmethod
    def of(cls, options: ShardOptions) -> Topology:
        """Before the registry exists: the remote root (if any) is what the registry reads root's types from."""
        http = ShardHttp(AiohttpTransport(options.pki))
        remote = HttpsRootShard(options.root_shard_url, http) if options.root_shard_url else None
        return cls(options, http, remote)

    def attach(self, registry: Registry, *, authorize: Authorize, user: UserInfo) -> RootShard:
        """With the registry and the authorizer: the root shard this shard uses from now on."""
        self.root = self.remote_root or LocalRootShard(registry, authorize, user)
        return self.root

    async def base_url_of(self, shard_name: str) -> str | None:
        """A shard's `spec.baseURL`, from root's Shard objects."""
        assert self.root is not None, "attach() first"
        for shard in await self.root.shards():
            if (shard.get("metadata") or {}).get("name") == shard_name:
                return str((shard.get("spec") or {}).get("baseURL") or "") or None
        return None

    async def bootstrap(self, registry: Registry, *, user: UserInfo) -> None:
        assert self.root is not None, "attach() first"
        if self.root.is_local:
            await bootstrap_root(registry, user=user)
        await seed.seed_policy(registry, user=user, holds_root=self.root.is_local)
        await self.root.register_shard(registration(self.options))

    async def close(self) -> None:
        await self.http.close()
