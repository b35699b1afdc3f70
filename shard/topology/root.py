"""What a shard needs from the root shard, behind one protocol: the Shard objects of `root` (placement),
root's WorkspaceTypes (workspace admission and initializers), registering this shard, and root's
authorizer (the `use` check on root's types).

Two implementations: `LocalRootShard` here (this shard is the root shard: its own storage and authorizer)
and `HttpsRootShard` (shard/topology/remote_root.py, over HTTPS with the shard-client certificate).
Types in workspaces other than `root` are resolved on the shard that asks, never through the root shard.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from apimachinery.apis.core_kcp_io import SHARDS
from apimachinery.apis.tenancy_kcp_io import WORKSPACETYPES
from shard.auth.authz import Attributes, Decision
from shard.registry.bootstrap import register_shard
from shard.registry.context import RequestContext, UserInfo
from shard.registry.keys import collection_prefix, object_key
from shard.registry.registry import Registry
from shard.registry.shardobjects import ShardRegistration
from shard.storage.interface import ListOptions

Object = dict[str, Any]
ROOT = "root"
Authorize = Callable[[Attributes], Awaitable[Decision]]


def use_attributes(user: UserInfo, type_name: str) -> Attributes:
    """The `use` check kcp makes on a WorkspaceType of root."""
    return Attributes(user, "use", ROOT, api_group="tenancy.kcp.io", resource="workspacetypes", name=type_name)


class RootShard(Protocol):
    @property
    def is_local(self) -> bool:
        """True when this shard is the root shard."""
        ...

    async def shards(self) -> list[Object]:
        """The Shard objects in root (possibly a few seconds old for a remote root)."""
        ...

    async def workspace_type(self, path: str, name: str) -> Object | None:
        """The WorkspaceType `name` in the workspace `path` (only `root` for a remote root)."""
        ...

    async def register_shard(self, registration: ShardRegistration) -> None:
        """Create or refresh this shard's Shard object in root, with `status.capacity.workspaces`."""
        ...

    async def allows(self, attributes: Attributes) -> bool:
        """Root's authorizer decision for `attributes` (cluster `root`)."""
        ...

    async def may_use(self, user: UserInfo, type_name: str) -> bool:
        """`allows` for the `use` verb on root's WorkspaceType `type_name`."""
        ...

    async def run(self) -> None:
        """Keep whatever is cached current until cancelled (nothing to do for the local root)."""
        ...


@dataclass
class LocalRootShard:
    """This shard holds `root`: everything is read from its own storage and authorizer."""

    registry: Registry
    authorize: Authorize
    user: UserInfo

    @property
    def is_local(self) -> bool:
        return True

    async def shards(self) -> list[Object]:
        prefix = collection_prefix(SHARDS, ROOT)
        return (await self.registry.storage.list(prefix, ListOptions(consistent=False))).items

    async def workspace_type(self, path: str, name: str) -> Object | None:
        cluster_name = await self.registry.paths.cluster_of(path)
        if cluster_name is None:
            return None
        return await self.registry.paths.read(object_key(WORKSPACETYPES, cluster_name, "", name))

    async def register_shard(self, registration: ShardRegistration) -> None:
        await register_shard(self.registry, RequestContext(ROOT, self.user), registration)

    async def allows(self, attributes: Attributes) -> bool:
        return (await self.authorize(attributes)).allowed

    async def may_use(self, user: UserInfo, type_name: str) -> bool:
        return await self.allows(use_attributes(user, type_name))

    async def run(self) -> None:
        return None
