"""Garbage-collector settings of the long-running server processes (shard, front-proxy), applied once they
have started.

What start-up allocates (schemas, catalogs, modules, certificates) lives as long as the process: frozen, the
collector never scans it again. Serving allocates many short-lived containers per request; with Python's
default first-generation threshold (700 allocations) the collector ran hundreds of times per thousand
workspaces and took 3–4% of a busy shard's CPU (measured with gc.callbacks over `bench.workspaces`, 2,000
workspaces: 0.88 s of 24.5 s; 0.10 s with these settings). Reference cycles are still collected, later.
"""

from __future__ import annotations

import gc

THRESHOLDS = (20_000, 10, 10)  # allocations before a first-generation collection; then as Python counts


def after_start() -> None:
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
