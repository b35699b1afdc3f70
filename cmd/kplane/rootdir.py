"""The root-directory lock: at most one kplane process uses a given `--root-dir` at a time.

`RootDirLock` holds an exclusive, non-blocking `flock` on `<root-dir>/.lock` for as long as the
process wants the directory, and writes its PID there so that a second process can say who is in
the way. The kernel drops the lock when the process dies, so a crash never leaves a stale lock;
the descriptor is not inherited by child processes (etcd), so they cannot keep it alive either.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

LOCK_FILE_NAME = ".lock"


class RootDirInUseError(Exception):
    """Another live process holds the lock on the root directory."""

    def __init__(self, root_dir: Path, pid: int | None) -> None:
        holder = f"pid {pid}" if pid is not None else "pid unknown"
        super().__init__(
            f"root directory {root_dir} is in use by another kplane process ({holder}); "
            "stop it first or choose another --root-dir"
        )
        self.root_dir = root_dir
        self.pid = pid


class RootDirLock:
    """An exclusive lock on a root directory, held from `acquire` (or `with`) until `release`."""

    def __init__(self, root_dir: Path) -> None:
        self.root_dir = root_dir
        self.lock_path = root_dir / LOCK_FILE_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """Whether this object currently holds the lock."""
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock and record our PID, or raise `RootDirInUseError` at once."""
        if self._fd is not None:
            raise RuntimeError(f"{self.lock_path} is already held by this RootDirLock")
        self.root_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            raise RootDirInUseError(self.root_dir, holder) from None
        _write_pid(fd, os.getpid())
        self._fd = fd

    def release(self) -> None:
        """Clear the PID and drop the lock; releasing a lock not held does nothing."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> RootDirLock:
        self.acquire()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    return int(text) if text.isdigit() else None


def _write_pid(fd: int, pid: int) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{pid}\n".encode("ascii"), 0)
