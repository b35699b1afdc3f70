"""What a set of workspaces costs at rest: the shard's resident memory (VmRSS from /proc), sampled while
they are created so the marginal cost can be told apart from fixed costs (the watch cache's event ring
fills early, then stays full), and what etcd holds for them (keys and bytes under /registry/, writes as
revisions)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.procs import parse_stat
from shard.storage.etcd3.client import EtcdClient
from shard.storage.etcd3.keys import prefix_range_end

PAGE = 2000


def rss_bytes(pid: int) -> int:
    """VmRSS of `pid` in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


async def settled_rss(pid: int, *, seconds: float = 3.0) -> int:
    """RSS after the shard had `seconds` with no load (controllers finish, buffers drain)."""
    gc.collect()  # ours, not the shard's: only keeps this process's garbage out of the machine's way
    await asyncio.sleep(seconds)
    return rss_bytes(pid)


@dataclass
class RssSamples:
    """(workspaces done, RSS bytes) pairs taken every `interval` seconds during a phase."""

    points: list[tuple[int, int]] = field(default_factory=list)

    def marginal_bytes_per_item(self, *, from_fraction: float = 0.5) -> float:
        """Least-squares slope of RSS over items done, on the samples past `from_fraction` of the last count."""
        if not self.points:
            return 0.0
        last = self.points[-1][0]
        tail = [(x, y) for x, y in self.points if x >= last * from_fraction]
        if len(tail) < 2:
            return 0.0
        mean_x = sum(x for x, _ in tail) / len(tail)
        mean_y = sum(y for _, y in tail) / len(tail)
        spread = sum((x - mean_x) ** 2 for x, _ in tail)
        return sum((x - mean_x) * (y - mean_y) for x, y in tail) / spread if spread else 0.0


@contextlib.asynccontextmanager
async def sampling(pid: int, done: Callable[[], int], *, interval: float = 1.0) -> AsyncIterator[RssSamples]:
    samples = RssSamples()

    async def sample() -> None:
        while True:
            samples.points.append((done(), rss_bytes(pid)))
            await asyncio.sleep(interval)

    task = asyncio.create_task(sample())
    try:
        yield samples
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        samples.points.append((done(), rss_bytes(pid)))


@dataclass(frozen=True)
class EtcdFootprint:
    revision: int
    keys: int
    key_bytes: int
    value_bytes: int


async def etcd_footprint(etcd_client: EtcdClient, prefix: bytes = b"/registry/") -> EtcdFootprint:
    """Every key under `prefix`, read in pages (a single range of 100,000+ values exceeds gRPC's limit)."""
    end = prefix_range_end(prefix)
    start, keys, key_bytes, value_bytes, revision = prefix, 0, 0, 0, 0
    while True:
        page = await etcd_client.range(start, range_end=end, limit=PAGE, revision=revision)
        revision = revision or page.revision
        for kv in page.kvs:
            keys += 1
            key_bytes += len(kv.key)
            value_bytes += len(kv.value)
        if not page.more or not page.kvs:
            return EtcdFootprint(revision, keys, key_bytes, value_bytes)
        start = page.kvs[-1].key + b"\x00"


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` so far (its threads included)."""
    return parse_stat(Path(f"/proc/{pid}/stat").read_text()).cpu_ticks / TICKS


def machine_busy_seconds() -> float:
    """CPU time every process of the machine spent so far (all CPUs, idle and iowait excluded)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / TICKS


@dataclass
class CpuUse:
    """CPU seconds per named process during a phase, and of the whole machine."""

    seconds: dict[str, float] = field(default_factory=dict)
    machine: float = 0.0
    wall: float = 0.0

    @property
    def others(self) -> float:
        """What processes outside the benchmark used meanwhile (another job on the machine)."""
        return max(self.machine - sum(self.seconds.values()), 0.0)


@contextlib.asynccontextmanager
async def cpu_use(pids: dict[str, int]) -> AsyncIterator[CpuUse]:
    use = CpuUse()
    start = {name: cpu_seconds(pid) for name, pid in pids.items()}
    machine, wall = machine_busy_seconds(), time.perf_counter()
    try:
        yield use
    finally:
        use.seconds = {name: cpu_seconds(pid) - start[name] for name, pid in pids.items()}
        use.machine = machine_busy_seconds() - machine
        use.wall = time.perf_counter() - wall


async def etcd_requests_so_far(endpoint: str) -> Counter[str]:
    """gRPC requests etcd has handled, by method (Range, Txn, Put, DeleteRange, ...), from its /metrics."""
    counts: Counter[str] = Counter()
    async with aiohttp.ClientSession() as session, session.get(f"{endpoint}/metrics") as response:
        text = await response.text()
    for line in text.splitlines():
        if line.startswith("grpc_server_handled_total{") and 'grpc_type="unary"' in line:
            labels, _, value = line.rpartition(" ")
            method = labels.split('grpc_method="', 1)[1].split('"', 1)[0]
            counts[method] += int(float(value))
    return counts


@contextlib.asynccontextmanager
async def etcd_requests(endpoint: str) -> AsyncIterator[Counter[str]]:
    """The unary requests etcd handled during the block, by method."""
    during: Counter[str] = Counter()
    before = await etcd_requests_so_far(endpoint)
    try:
        yield during
    finally:
        during.update(await etcd_requests_so_far(endpoint))
        during.subtract(before)
