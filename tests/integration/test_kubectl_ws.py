"""The `kubectl ws` plugin against a real kplane: kcp's navigation, kubeconfig rewriting and messages."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.integration.harness import Kplane, Kubectl


def _plugin_kubectl(kplane: Kplane, kubectl: Kubectl, tmp_path: Path) -> Kubectl:
    """kubectl with its own copy of the admin kubeconfig (the plugin rewrites it) and the plugins on PATH."""
    kubeconfig = tmp_path / "ws.kubeconfig"
    shutil.copy(kplane.kubeconfig, kubeconfig)
    return Kubectl(kubectl.binary, kubeconfig)


def _ws(ctl: Kubectl, *args: str) -> tuple[int, str, str]:
    result = ctl.ws(*args)
    return result.returncode, result.stdout, result.stderr


def test_navigate_create_and_tree(kplane: Kplane, kubectl: Kubectl, tmp_path: Path) -> None:
    ctl = _plugin_kubectl(kplane, kubectl, tmp_path)
    code, out, err = _ws(ctl, "create", "wsorg", "--type", "organization", "--enter")
    assert code == 0, err
    assert "Current workspace is 'root:wsorg'" in out + err
    code, out, err = _ws(ctl, "create", "team-a", "--enter")
    assert code == 0, err
    assert "Current workspace is 'root:wsorg:team-a'" in out + err
    ctl.ok("create", "cm", "x", "--from-literal=a=b")
    code, out, err = _ws(ctl, "..")
    assert code == 0 and "Current workspace is 'root:wsorg'" in out + err
    code, out, err = _ws(ctl, ":root")
    assert code == 0, err
    code, out, err = _ws(ctl, "tree")
    assert code == 0, err
    lines = [line.rstrip() for line in out.splitlines()]
    assert lines[:2] == [".", "└── root"]
    org = next(i for i, line in enumerate(lines) if line.endswith("── wsorg"))
    assert lines[org].startswith("    ") and lines[org + 1].endswith("── team-a")
    assert len(lines[org + 1]) - len("team-a") > len(lines[org]) - len("wsorg")
    code, out, err = _ws(ctl, "-")
    assert code == 0 and "Current workspace is 'root:wsorg'" in out + err
    code, out, err = _ws(ctl, "team-a")
    assert code == 0, err
    assert ctl.ok("get", "cm", "x", "-o", "jsonpath={.data.a}") == "b"
    code, out, err = _ws(ctl, ":root")
    assert code == 0
    rows = ctl.ok("get", "workspaces").splitlines()
    assert rows[0].split() == ["NAME", "TYPE", "REGION", "PHASE", "URL", "AGE"]
    org = next(row.split() for row in rows[1:] if row.split()[0] == "wsorg")
    assert "Ready" in org and any(cell.endswith("/clusters/root:wsorg") for cell in org)


def test_unknown_workspace_prints_kcps_message(kplane: Kplane, kubectl: Kubectl, tmp_path: Path) -> None:
    ctl = _plugin_kubectl(kplane, kubectl, tmp_path)
    code, _, err = _ws(ctl, ":root:does-not-exist")
    assert code == 1 and 'workspace "root:does-not-exist" not found' in err
