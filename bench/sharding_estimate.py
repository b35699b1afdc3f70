"""How throughput would scale past this machine's 2 cores, on paper, from the CPU figures of one run.

Assumptions (stated in the text): each shard gets one core for itself and its etcd, the front-proxy gets one
core per K shards, work spreads over the shards as placement spreads it, and CPU per operation stays what it
was here (measured on 2 shared cores, so contention is inside the figures). Only work that does not spread,
the root shard's excess over the other shards, limits the workspace creation rate as shards are added.
"""

from __future__ import annotations

import math

from bench.sharding_figures import CreationRun, ProxyRun, per_operation_ms, shard_ms, shard_names

SHARD_COUNTS = (4, 16, 64)


def estimate(proxy: ProxyRun, creation: CreationRun | None) -> str:
    parts = [
        "**Scaling on paper: an estimate from the CPU figures above, not a measurement.** Assumed: one core per "
        "shard (the shard process and its etcd), one front-proxy core per K shards, requests spread evenly, "
        "and the CPU per operation measured here unchanged on more cores (it was measured on 2 shared cores, and "
        "a shard batches the etcd revision reads of concurrent reads, so it depends on the load's shape)."
    ]
    parts += [_request_path(proxy, figure) for figure in ("get", "create")]
    if creation is not None:
        parts.append(_workspaces(creation))
    return "\n\n".join(part for part in parts if part)


def _request_path(proxy: ProxyRun, figure: str) -> str:
    """A request of `figure` through the front-proxy: what the shard core and the proxy core each carry."""
    result = proxy.proxied[figure]
    per = per_operation_ms(proxy.proxied_cpu[figure], result.operations)
    shard, front = shard_ms(per, "root"), per.get("front-proxy", 0.0)
    if shard <= 0 or front <= 0:
        return ""
    per_shard, per_proxy_core = 1000 / shard, 1000 / front
    k = shard / front
    examples = []
    for shards in SHARD_COUNTS:
        proxy_cores = math.ceil(shards / k)
        examples.append(
            f"{shards} shards + {proxy_cores} proxy cores ≈ {shards * per_shard:,.0f}/s on {shards + proxy_cores} cores"
        )
    noun = "get" if figure == "get" else "create"
    return (
        f"- A {noun} through the front-proxy costs the shard {per.get('shard root', 0.0):.2f} ms and its etcd "
        f"{per.get('etcd root', 0.0):.2f} ms (together {shard:.2f} ms on the shard's core) and the front-proxy "
        f"{front:.2f} ms. One shard core serves ≤ 1000 / {shard:.2f} = {per_shard:,.0f} {noun}s/s; one proxy core "
        f"forwards ≤ 1000 / {front:.2f} = {per_proxy_core:,.0f}/s, so K = {shard:.2f} / {front:.2f} = {k:.2f} "
        f"shards per proxy core. With S shards and ⌈S / K⌉ proxy cores: ≈ S × {per_shard:,.0f}/s, e.g. "
        + "; ".join(examples)
        + "."
    )


def _workspaces(run: CreationRun) -> str:
    """Workspace creation: the part of each workspace's cost that lands on whichever shard holds it spreads;
    the root shard's excess over the mean of the others does not."""
    per = per_operation_ms(run.cpu, run.result.operations)
    names = shard_names(per)
    costs = {name: shard_ms(per, name) for name in names}
    if "root" not in costs or len(costs) < 2:
        return ""
    others = [cost for name, cost in costs.items() if name != "root"]
    mean_other = sum(others) / len(others)
    excess = max(costs["root"] - mean_other, 0.0)
    total = sum(costs.values())
    spread = total - excess
    front = per.get("front-proxy", 0.0)
    examples = []
    for shards in SHARD_COUNTS:
        rate = 1000 / (spread / shards + excess)
        examples.append(f"{shards} shards ≈ {rate:,.0f}/s (front-proxy: {rate * front / 1000:.1f} cores)")
    limit = f"; the limit as S grows is 1000 / {excess:.2f} = {1000 / excess:,.0f}/s" if excess > 0 else ""
    listed = ", ".join(f"{name} {cost:.2f} ms" for name, cost in costs.items())
    return (
        f"- A workspace created with {run.shards} shards cost, per shard with its etcd: {listed} (total "
        f"{total:.2f} ms), and the front-proxy {front:.2f} ms. The root shard's excess over the mean of the "
        f"others ({excess:.2f} ms) is taken, pessimistically, as work only the root shard does (it holds `root`: "
        "the Shard objects, the parents' Workspaces; here also its larger share of parents) and stays on one "
        f"core whatever S is; the remaining {spread:.2f} ms spreads over S shards. Creation rate "
        f"with one core per shard ≈ 1000 / ({spread:.2f} / S + {excess:.2f}) per second: " + "; ".join(examples)
        + limit + ". This assumes enough workspaces in flight to keep every core busy (closed-loop clients: "
        "about rate × time to Ready of them)."
    )
