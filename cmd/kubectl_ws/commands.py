"""What each `kubectl ws` command does, one module per command (use.py, create.py, treecmd.py) over the shared
`Session` (session.py). Each follows kcp's plugin step for step: the same API calls in the same order, the
same kubeconfig rewrite, the same texts and errors. This module is the one the command line imports.
"""

from __future__ import annotations

from kubectl_ws.create import CreateRequest, CreateWorkspace, create_context
from kubectl_ws.session import USER_ERRORS, CommandError, ConnectionOptions, Session, Streams
from kubectl_ws.treecmd import WorkspaceTree
from kubectl_ws.use import UseWorkspace, current_workspace

__all__ = [
    "USER_ERRORS",
    "CommandError",
    "ConnectionOptions",
    "CreateRequest",
    "CreateWorkspace",
    "Session",
    "Streams",
    "UseWorkspace",
    "WorkspaceTree",
    "create_context",
    "current_workspace",
]
