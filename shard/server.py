"""A shard process: options → storage → registry → HTTPS server, and a graceful shutdown.

Start-up order: etcd (embedded or given), storage (with the watch cache), the start-up writes of
shard/topology/wiring.py (root shard: the `root` logical cluster, the built-in WorkspaceTypes, the RBAC
policy of `system:admin` and root's grants, its Shard; other shards: `system:admin`'s policy, then their
Shard registered through the root shard, waited for), the RBAC index (served only once it has listed),
controllers, then the listener; `ready` is called once requests are served. Shutdown runs in reverse: the
listener stops (watches drain first), controllers are cancelled, storage and etcd close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

from aiohttp import web

from apimachinery import gctuning
from apimachinery.apis.catalog import builtin_catalog
from apimachinery.pki import ssl_server_context
from shard.auth.access import ShardAccess
from shard.auth.rbac.follower import RBACFollower
from shard.auth.rbac.index import RBACIndex
from shard.auth.wiring import build_authentication
from shard.config import ShardOptions
from shard.controllers.clusterroleaggregation.controller import ClusterRoleAggregator
from shard.controllers.crd.controller import CRDController
from shard.controllers.garbagecollector.controller import GarbageCollector
from shard.controllers.homes.controller import HomeReadiness
from shard.controllers.logicalclusterdeletion.controller import LogicalClusterDeletionController
from shard.controllers.logicalclusterdeletion.sweeper import Sweeper
from shard.controllers.namespace.controller import NamespaceController
from shard.controllers.pathindex.controller import PathIndexController
from shard.controllers.workspace.controller import WorkspaceController
from shard.controllers.workspace.remote import RemoteClusters, RoutingClusterWriter
from shard.controllers.workspace.seam import LocalClusters
from shard.endpoints.app import build_app
from shard.endpoints.metrics import RequestMetrics
from shard.endpoints.reviews import Reviews
from shard.endpoints.router import Router
from shard.registry.context import UserInfo
from shard.registry.homes import HomeWorkspaces
from shard.registry.registry import Registry
from shard.storage.cacher import Cacher, CacherConfig
from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.compactor import run_compactor
from shard.storage.etcd3.config import EtcdClientConfig
from shard.storage.etcd3.embedded import EmbeddedEtcd, EmbeddedEtcdConfig
from shard.storage.etcd3.store import Etcd3Storage
from shard.storage.interface import Storage
from shard.topology.global_reviews import GlobalReviews
from shard.topology.wiring import Topology
from shard.virtual.initializing import paths as initializing_paths
from shard.virtual.initializing.handler import InitializingWorkspaces

log = logging.getLogger("kplane.shard")
ADMIN = UserInfo("kplane-admin", ("system:masters",))
VERSION_INFO = {
    "major": "1",
    "minor": "33",
    "gitVersion": "v1.33.0+kplane",
    "gitCommit": "",
    "gitTreeState": "clean",
    "buildDate": "2026-11-24T00:00:00Z",
    "goVersion": "python3.11",
    "compiler": "cpython",
    "platform": "linux/amd64",
}


async def run_shard(options: ShardOptions, *, ready: Callable[[], None], stop: asyncio.Event) -> None:
    async with AsyncExitStack() as stack:
        storage = await stack.enter_async_context(_storage(options))
        topology = Topology.of(options)
        stack.push_async_callback(topology.close)
        ca_pem = options.pki.ca_cert.read_text()
        registry = Registry(builtin_catalog(), storage, root_ca_pem=ca_pem, root_types=topology.remote_root)
        rbac_index = RBACIndex()
        access = ShardAccess(storage, rbac_index)
        root = topology.attach(registry, authorize=access.authorize, user=ADMIN)
        if not await _unless_stopped(topology.bootstrap(registry, user=ADMIN), stop):
            return
        follower = RBACFollower(storage=storage, index=rbac_index)
        stack.push_async_callback(_cancel, asyncio.create_task(follower.run()))
        stack.push_async_callback(_cancel, asyncio.create_task(root.run()))
        remote = RemoteClusters(topology.http, topology.base_url_of)
        sweeper = Sweeper(registry)  # the deletions' last sweeps, later and many at once
        writer = RoutingClusterWriter(options.name, LocalClusters(registry, sweeper.schedule), remote)
        workspaces = WorkspaceController(registry, writer, root.shards)
        registry.workspace_placement = workspaces.place
        registry.workspace_writer = workspaces.write_new
        controllers = (
            ClusterRoleAggregator(registry),
            HomeReadiness(registry),
            NamespaceController(registry),
            GarbageCollector(registry),
            CRDController(registry),
            PathIndexController(registry.storage, registry.paths.index, options.name),
            LogicalClusterDeletionController(registry, sweeper),
            workspaces,
        )
        for controller in controllers:
            stack.push_async_callback(_cancel, asyncio.create_task(controller.run()))
        await follower.synced.wait()  # never decide on an empty policy
        global_reviews = GlobalReviews(topology.http, options.external_url) if options.external_url else None
        runner = await _serve(options, registry, access, global_reviews)
        stack.push_async_callback(runner.cleanup)
        gctuning.after_start()
        ready()
        await stop.wait()


@contextlib.asynccontextmanager
async def _storage(options: ShardOptions) -> AsyncIterator[Storage]:
    async with AsyncExitStack() as stack:
        endpoints = options.etcd_servers
        if not endpoints:
            etcd = await stack.enter_async_context(
                EmbeddedEtcd(
                    EmbeddedEtcdConfig(options.root_dir / "etcd", unsafe_no_fsync=options.etcd_unsafe_no_fsync)
                )
            )
            endpoints = (etcd.endpoint,)
            # where operators (etcdctl) and tests reading etcd directly find it; it changes every start
            (options.root_dir / "etcd" / "client-url").write_text(f"{etcd.endpoint}\n")
        etcd_client = await stack.enter_async_context(EtcdClient(EtcdClientConfig(endpoint=endpoints[0])))
        compactor = asyncio.create_task(run_compactor(etcd_client, interval=options.compaction_interval))
        stack.push_async_callback(_cancel, compactor)
        storage: Storage = Etcd3Storage(etcd_client=etcd_client)
        if options.watch_cache:
            cache_config = CacherConfig(capacity=options.watch_cache_size)
            storage = await stack.enter_async_context(
                Cacher(underlying=storage, prefix="/registry/", config=cache_config)
            )
        yield storage


async def _serve(
    options: ShardOptions, registry: Registry, access: ShardAccess, global_reviews: GlobalReviews | None
) -> web.AppRunner:
    metrics = RequestMetrics()
    authentication = build_authentication(options, admin=ADMIN, storage=registry.storage)
    authenticator = authentication.authenticator
    homes = HomeWorkspaces(registry, options.name)
    reviews = Reviews(authorize=access.authorize, rules_for=access.rules_for)
    router = Router(
        registry,
        registry.paths.clusters,
        VERSION_INFO,
        access,
        homes=homes,
        reviews=reviews,
        token_issuer=authentication.token_issuer,
    )
    initializing = InitializingWorkspaces(
        registry.storage,
        access,
        registry.paths.cluster_of,
        global_reviews.allows if global_reviews else None,
        content=router,
    )
    services = {initializing_paths.PREFIX: initializing.handle}
    app = build_app(router=router, authenticator=authenticator, metrics=metrics, services=services)
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    ssl_context = ssl_server_context(options.pki, client_ca=authentication.client_cas)
    site = web.TCPSite(runner, options.bind_address, options.port, ssl_context=ssl_context, reuse_address=True)
    await site.start()
    return runner


async def _unless_stopped(work: Awaitable[None], stop: asyncio.Event) -> bool:
    """Run `work` unless `stop` is set first (a shard waiting for its root shard can still be stopped)."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait((task, stopping), return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        stopping.cancel()
        task.result()
        return True
    await _cancel(task)
    return False


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
