"""`kplane start`: readiness line, restart keeps data, one instance per root directory, clean stop."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from tests.integration.harness import BIN, Kubectl, free_port, kubectl_binary, start_kplane


def test_restart_keeps_data_and_second_instance_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "state"
    first = start_kplane(root)
    try:
        assert f"export KUBECONFIG={root.resolve()}/admin.kubeconfig" in first.ready_line
        kubectl = Kubectl(kubectl_binary(), first.kubeconfig)
        kubectl.ok("create", "cm", "survivor", "--from-literal=a=b")
        second = subprocess.run(
            [str(BIN / "kplane"), "start", "--root-dir", str(root), "--port", str(free_port())],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode != 0
        assert "in use by another kplane process" in second.stderr
    finally:
        assert first.stop(signal.SIGINT) == 0
    again = start_kplane(root)
    try:
        kubectl = Kubectl(kubectl_binary(), again.kubeconfig)
        assert kubectl.ok("get", "cm", "survivor", "-o", "jsonpath={.data.a}") == "b"
    finally:
        assert again.stop(signal.SIGTERM) == 0
