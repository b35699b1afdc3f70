"""Field paths spelled as upstream's `field.Path.String()`: `spec.versions[0].schema`, `properties[spec]`."""

from __future__ import annotations


def child(path: str, *names: str) -> str:
    """`path.a.b`; an empty path starts a new root."""
    out = path
    for name in names:
        out = f"{out}.{name}" if out else name
    return out


def key(path: str, name: str) -> str:
    """`path[name]`: a map key, unquoted as upstream prints it."""
    return f"{path}[{name}]"


def index(path: str, position: int) -> str:
    return f"{path}[{position}]"
