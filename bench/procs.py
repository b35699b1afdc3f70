"""The processes of a `kplane start` installation and the CPU each one uses during a phase of a benchmark.

`kplane start --shards N` (N ≥ 2) is a supervisor whose children are `kplane shard --name <name>` processes
(each the parent of its embedded etcd) and `kplane front-proxy`; with N = 1 the `kplane start` process is
itself the shard and the parent of its etcd. The tree is read from /proc (ppid and argv of every process),
and each process gets a stable name ("shard root", "etcd shard-1", "front-proxy", "supervisor") so figures
of different runs line up. CPU time is utime + stime from /proc/<pid>/stat: a process's own threads, not
its children (etcd is counted on its own).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

LOAD_GENERATOR = "load generator"


@dataclass(frozen=True)
class ProcStat:
    pid: int
    ppid: int
    cpu_ticks: int  # utime + stime, in clock ticks


def parse_stat(text: str) -> ProcStat:
    """The fields of a /proc/<pid>/stat line we need. The command name (field 2) is in parentheses and may
    itself hold spaces or parentheses, so fields are counted from the last ')'."""
    pid = int(text.split(" ", 1)[0])
    fields = text.rpartition(")")[2].split()
    # after the name: state(3) ppid(4) … utime(14) stime(15), i.e. indexes 0, 1, …, 11, 12 here
    return ProcStat(pid=pid, ppid=int(fields[1]), cpu_ticks=int(fields[11]) + int(fields[12]))


@dataclass(frozen=True)
class ProcInfo:
    ppid: int
    argv: tuple[str, ...]


def _subcommand(argv: tuple[str, ...]) -> tuple[str, str]:
    """(`kplane` subcommand, value of --name) of a kplane command line, or ("", "") for anything else."""
    for index, arg in enumerate(argv[:3]):
        if Path(arg).name == "kplane" and index + 1 < len(argv):
            rest = argv[index + 2 :]
            name = next((rest[i + 1] for i, a in enumerate(rest[:-1]) if a == "--name"), "root")
            return argv[index + 1], name
    return "", ""


def name_processes(root: int, processes: Mapping[int, ProcInfo]) -> dict[str, int]:
    """Name `root` (a `kplane start`) and its descendants: shards, their etcds, the front-proxy."""
    children: dict[int, list[int]] = {}
    for pid, info in processes.items():
        children.setdefault(info.ppid, []).append(pid)
    sharded = any(_subcommand(processes[c].argv)[0] == "shard" for c in children.get(root, []) if c in processes)
    owner = {root: "root"}
    names: dict[str, int] = {("supervisor" if sharded else "shard root"): root}
    queue = sorted(children.get(root, []))
    while queue:
        pid = queue.pop(0)
        info = processes[pid]
        command, shard = _subcommand(info.argv)
        if command == "shard":
            owner[pid] = shard
            names[f"shard {shard}"] = pid
        elif command == "front-proxy":
            names["front-proxy"] = pid
        elif info.argv and Path(info.argv[0]).name == "etcd":
            names[f"etcd {owner.get(info.ppid, '?')}"] = pid
        queue.extend(sorted(children.get(pid, [])))
    return dict(sorted(names.items(), key=lambda item: _order(item[0])))


def _order(name: str) -> tuple[int, str, int]:
    """Each shard then its etcd (root first), then the front-proxy, the supervisor, the load generator."""
    role, _, shard = name.partition(" ")
    if role in ("shard", "etcd"):
        return (0, "" if shard == "root" else shard, 0 if role == "shard" else 1)
    return ({"front-proxy": 1, "supervisor": 2}.get(name, 3), name, 0)


def read_processes(proc: Path = Path("/proc")) -> dict[int, ProcInfo]:
    """ppid and argv of every process we may read (ones that exit meanwhile are skipped)."""
    processes: dict[int, ProcInfo] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = parse_stat((entry / "stat").read_text())
            argv = tuple(a for a in (entry / "cmdline").read_bytes().decode(errors="replace").split("\0") if a)
            processes[stat.pid] = ProcInfo(stat.ppid, argv)
    return processes


def kplane_processes(root: int) -> dict[str, int]:
    """The named processes of the installation whose `kplane start` is `root`, and this load generator."""
    return {**name_processes(root, read_processes()), LOAD_GENERATOR: os.getpid()}


def pin(pid: int, cpus: set[int], proc: Path = Path("/proc")) -> None:
    """Every thread of `pid` (sched_setaffinity moves one thread only; threads started later inherit the
    mask of the thread that starts them) allowed on `cpus` only. Threads that exit meanwhile are skipped."""
    for task in (proc / str(pid) / "task").iterdir():
        with contextlib.suppress(ProcessLookupError):
            os.sched_setaffinity(int(task.name), cpus)


@contextlib.contextmanager
def own_core(processes: Mapping[str, int], owner: str) -> Iterator[None]:
    """`owner` on the last CPU, every other process (this load generator too) on the rest, as if `owner`
    ran on a machine of its own; every CPU for all of them again afterwards."""
    everything = os.sched_getaffinity(0)
    last = max(everything)
    try:
        for name, pid in processes.items():
            pin(pid, {last} if name == owner else everything - {last})
        yield
    finally:
        for pid in processes.values():
            with contextlib.suppress(FileNotFoundError):
                pin(pid, everything)
