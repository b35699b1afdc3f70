"""Entry points of the kubectl plugins `kubectl-ws` (`kubectl ws`) and `kubectl-create-workspace`.

kubectl finds plugins as executables named `kubectl-<name>` on `PATH`: `kubectl ws ...` runs
`kubectl-ws ...`, and `kubectl create workspace ...` runs `kubectl-create-workspace ...`.
"""

from __future__ import annotations

import sys

from kubectl_ws.cli import default_streams, run_create_workspace, run_workspace


def main(argv: list[str] | None = None) -> int:
    """`kubectl ws`: show, switch, create and list kcp workspaces."""
    return run_workspace(sys.argv[1:] if argv is None else argv, default_streams())


def main_create_workspace(argv: list[str] | None = None) -> int:
    """`kubectl create workspace <name>`."""
    return run_create_workspace(sys.argv[1:] if argv is None else argv, default_streams())


if __name__ == "__main__":
    sys.exit(main())
