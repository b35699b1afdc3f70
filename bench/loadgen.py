"""Closed-loop load: N concurrent workers repeat one async operation for a fixed count; ops/s and latency."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    name: str
    operations: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.operations / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else 0.0


async def run(name: str, operation: Callable[[int], Awaitable[None]], *, count: int, concurrency: int) -> Result:
    """Call `operation(i)` for i in range(count) with `concurrency` workers."""
    counter = iter(range(count))
    latencies: list[float] = []

    async def worker() -> None:
        for index in counter:
            started = time.perf_counter()
            await operation(index)
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Result(name, count, time.perf_counter() - started, latencies)
