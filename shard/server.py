"""A shard process: options → storage → registry → HTTPS server, and a graceful shutdown.

Start-up order: etcd (embedded or given), storage (with the watch cache), the `root` logical cluster,
controllers, then the listener; `ready` is called once requests are served. Shutdown runs in reverse:
the listener stops (watches drain first), controllers are cancelled, storage and etcd close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack

from aiohttp import web

from apimachinery import errors
from apimachinery.apis.catalog import builtin_catalog
from apimachinery.apis.core_kcp_io import LOGICALCLUSTERS
from apimachinery.pki import read_token, ssl_server_context
from shard.auth.authn import ClientCertificates, StaticTokens, Union
from shard.auth.authz import BootstrapDiscovery, Chain, SystemMasters
from shard.config import ShardOptions
from shard.controllers.crd.controller import CRDController
from shard.controllers.garbagecollector.controller import GarbageCollector
from shard.controllers.namespace.controller import NamespaceController
from shard.endpoints.app import build_app
from shard.endpoints.metrics import RequestMetrics
from shard.endpoints.router import Router
from shard.registry.clusters import LogicalClusters
from shard.registry.context import RequestContext, UserInfo, WriteOptions
from shard.registry.registry import Registry
from shard.storage.cacher import Cacher, CacherConfig
from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.compactor import run_compactor
from shard.storage.etcd3.config import EtcdClientConfig
from shard.storage.etcd3.embedded import EmbeddedEtcd, EmbeddedEtcdConfig
from shard.storage.etcd3.store import Etcd3Storage
from shard.storage.interface import Storage

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
        registry = Registry(builtin_catalog(), storage, root_ca_pem=options.pki.ca_cert.read_text())
        await bootstrap_root(registry)
        for controller in (NamespaceController(registry), GarbageCollector(registry), CRDController(registry)):
            stack.push_async_callback(_cancel, asyncio.create_task(controller.run()))
        runner = await _serve(options, registry)
        stack.push_async_callback(runner.cleanup)
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


async def bootstrap_root(registry: Registry) -> None:
    """The `root` logical cluster exists from the first start; later starts find it already there."""
    ctx = RequestContext("root", ADMIN)
    try:
        await registry.store_of(LOGICALCLUSTERS).create(ctx, {"metadata": {"name": "cluster"}}, WriteOptions())
    except errors.StatusError as err:
        if err.reason != "AlreadyExists":
            raise


async def _serve(options: ShardOptions, registry: Registry) -> web.AppRunner:
    metrics = RequestMetrics()
    tokens = {read_token(options.pki.admin_token): ADMIN}
    for token, (user, groups) in options.extra_tokens.items():
        tokens[token] = UserInfo(user, groups)
    authenticator = Union([StaticTokens(tokens), ClientCertificates()])
    authorizer = Chain([SystemMasters(), BootstrapDiscovery()])
    router = Router(registry, LogicalClusters(registry.storage), VERSION_INFO, authorizer)
    app = build_app(router=router, authenticator=authenticator, metrics=metrics)
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    ssl_context = ssl_server_context(options.pki, client_ca=options.pki.ca_cert)
    site = web.TCPSite(runner, options.bind_address, options.port, ssl_context=ssl_context, reuse_address=True)
    await site.start()
    return runner


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
