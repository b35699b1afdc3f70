"""kplane.rootdir: the root-directory lock, checked against real second processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

CMD_DIR = Path(__file__).resolve().parents[2] / "cmd"
if str(CMD_DIR) not in sys.path:  # `kplane` lives under the cmd/ source root
    sys.path.insert(0, str(CMD_DIR))

from kplane.rootdir import RootDirInUseError, RootDirLock  # noqa: E402

HOLD_LOCK = textwrap.dedent(
    """
    import subprocess, sys
    from pathlib import Path
    from kplane.rootdir import RootDirLock
    lock = RootDirLock(Path(sys.argv[1]))
    lock.acquire()
    if len(sys.argv) > 2:  # start a long-lived child, as kplane starts etcd
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], close_fds=False)
        print(child.pid, flush=True)
    print("locked", flush=True)
    sys.stdin.read()
    """
)

TRY_LOCK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from kplane.rootdir import RootDirInUseError, RootDirLock
    try:
        RootDirLock(Path(sys.argv[1])).acquire()
    except RootDirInUseError as err:
        print(err, flush=True)
        sys.exit(3)
    """
)


def _python(script: str, *args: str, stdin: int | None = None, stdout: int | None = None) -> subprocess.Popen[str]:
    """Run `script` in a fresh interpreter that can import `kplane`."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(CMD_DIR), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-c", script, *args]
    return subprocess.Popen(command, env=env, text=True, stdin=stdin, stdout=stdout)


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    proc = _python(HOLD_LOCK, str(tmp_path / "root"), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == "locked\n"
    yield proc
    proc.kill()
    proc.wait(timeout=10)


def test_second_process_is_refused_with_holder_pid(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    with pytest.raises(RootDirInUseError) as excinfo:
        RootDirLock(tmp_path / "root").acquire()
    assert excinfo.value.pid == holder.pid
    assert str(excinfo.value) == (
        f"root directory {tmp_path / 'root'} is in use by another kplane process (pid {holder.pid}); "
        "stop it first or choose another --root-dir"
    )


def test_lock_is_free_after_the_holder_exits(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(timeout=10) == 0
    with RootDirLock(tmp_path / "root") as lock:
        assert lock.held
        assert lock.lock_path.read_text() == f"{os.getpid()}\n"


def test_lock_is_free_after_the_holder_is_killed(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    with RootDirLock(tmp_path / "root"):
        pass


def test_children_of_the_holder_do_not_keep_the_lock(tmp_path: Path) -> None:
    proc = _python(HOLD_LOCK, str(tmp_path / "root"), "spawn", stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    child_pid = int(proc.stdout.readline())
    try:
        assert proc.stdout.readline() == "locked\n"
        proc.kill()
        proc.wait(timeout=10)
        os.kill(child_pid, 0)  # the grandchild is still alive ...
        with RootDirLock(tmp_path / "root"):  # ... and holds no lock
            pass
    finally:
        os.kill(child_pid, signal.SIGKILL)


def test_other_process_is_refused_while_we_hold_it(tmp_path: Path) -> None:
    with RootDirLock(tmp_path / "root"):
        proc = _python(TRY_LOCK, str(tmp_path / "root"), stdout=subprocess.PIPE)
        stdout, _ = proc.communicate(timeout=30)
    assert proc.returncode == 3
    assert f"is in use by another kplane process (pid {os.getpid()})" in stdout
    proc = _python(TRY_LOCK, str(tmp_path / "root"), stdout=subprocess.PIPE)
    assert proc.wait(timeout=30) == 0


def test_second_lock_in_same_process_is_refused(tmp_path: Path) -> None:
    with RootDirLock(tmp_path / "root"), pytest.raises(RootDirInUseError):
        RootDirLock(tmp_path / "root").acquire()


def test_creates_the_directory_and_clears_pid_on_release(tmp_path: Path) -> None:
    root = tmp_path / "a" / "b"
    lock = RootDirLock(root)
    lock.acquire()
    assert root.is_dir()
    with pytest.raises(RuntimeError, match="already held"):
        lock.acquire()
    lock.release()
    lock.release()
    assert not lock.held
    assert (root / ".lock").read_text() == ""


def test_unknown_pid_is_reported_as_such(tmp_path: Path) -> None:
    err = RootDirInUseError(tmp_path, None)
    assert "(pid unknown)" in str(err) and err.pid is None
