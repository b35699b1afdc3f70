"""Sample the shard with py-spy while a phase runs, and summarise where its time went: the functions
most often on top of the stack (self) and most often anywhere on it (inclusive), as shares of samples.

py-spy runs non-blocking (it does not pause the shard to read its stacks) at a modest rate, so it costs
the shard little; it still takes CPU on the same machine, which is why figures recorded in
docs/benchmarks.md come from runs without `--profile`.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

RATE = 97
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


@contextlib.asynccontextmanager
async def recording(pid: int, output: Path) -> AsyncIterator[None]:
    py_spy = Path(sys.executable).parent / "py-spy"
    process = await asyncio.create_subprocess_exec(
        str(py_spy),
        "record",
        "--pid",
        str(pid),
        "--rate",
        str(RATE),
        "--nonblocking",
        "--format",
        "raw",
        "--output",
        str(output),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)
            await asyncio.wait_for(process.wait(), 60)


@dataclass(frozen=True)
class Profile:
    samples: int
    top_self: list[tuple[str, float]]
    top_inclusive: list[tuple[str, float]]


def _frame_name(frame: str) -> str:
    match = FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    for marker in ("/site-packages/", "/work/main/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{match['function']} ({path})"


def summarise(raw: Path, *, top: int = 25, skip_inclusive: tuple[str, ...] = ()) -> Profile:
    """`raw`: py-spy's collapsed stacks, one `frame;frame;... count` a line."""
    self_counts: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame_name(frame) for frame in stack.split(";") if frame]
        if not frames:
            continue
        total += count
        self_counts[frames[-1]] += count
        for name in set(frames):
            if not name.startswith(skip_inclusive):
                inclusive[name] += count
    share = 100.0 / total if total else 0.0
    return Profile(
        total,
        [(name, count * share) for name, count in self_counts.most_common(top)],
        [(name, count * share) for name, count in inclusive.most_common(top)],
    )


def render(title: str, profile: Profile) -> str:
    lines = [f"{title}: {profile.samples} samples", "  self:"]
    lines += [f"    {share:5.1f}%  {name}" for name, share in profile.top_self]
    lines.append("  inclusive:")
    lines += [f"    {share:5.1f}%  {name}" for name, share in profile.top_inclusive]
    return "\n".join(lines)
