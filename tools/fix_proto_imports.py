"""Rewrite the absolute imports protoc writes into generated code so they resolve inside our package.

protoc emits `from etcd import kv_pb2` (for proto/etcd/kv.proto), `import a.b.c_pb2 as ...` or
`import cache_pb2 as ...` (for a top-level proto/cache.proto). Those names are not importable: the
code lives in `apimachinery/_generated/`. This tool rewrites every import that names a module which
exists in the output directory (and only those: `google.protobuf` stays as it is) to
`apimachinery._generated.<...>`, and adds an empty `__init__.py` to every generated directory that
lacks one. It is idempotent, so `make proto` reproduces the committed files byte for byte.

Usage: python tools/fix_proto_imports.py apimachinery/_generated
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

GENERATED_SUFFIXES = (".py", ".pyi")
FROM_IMPORT = re.compile(r"^from ([\w.]+) import (\w+)( as \w+)?$", re.MULTILINE)
PLAIN_IMPORT = re.compile(r"^import ([\w.]+) as (\w+)$", re.MULTILINE)


def package_of(out_dir: Path) -> str:
    """The dotted import path of `out_dir`, which must be relative to the repository root."""
    return ".".join(part for part in out_dir.as_posix().split("/") if part not in ("", "."))


def is_generated(out_dir: Path, dotted: str) -> bool:
    """True if `dotted` names a module generated into `out_dir` (a.b.c_pb2 → out_dir/a/b/c_pb2.py)."""
    return out_dir.joinpath(*dotted.split(".")).with_suffix(".py").is_file()


def rewrite(source: str, out_dir: Path) -> str:
    """Point imports of generated modules at the package of `out_dir`."""
    package = package_of(out_dir)

    def from_import(match: re.Match[str]) -> str:
        module, name, alias = match.group(1), match.group(2), match.group(3) or ""
        if not is_generated(out_dir, f"{module}.{name}"):
            return match.group(0)
        return f"from {package}.{module} import {name}{alias}"

    def plain_import(match: re.Match[str]) -> str:
        dotted, alias = match.group(1), match.group(2)
        if not is_generated(out_dir, dotted):
            return match.group(0)
        parent, _, name = dotted.rpartition(".")
        origin = f"{package}.{parent}" if parent else package
        return f"from {origin} import {name} as {alias}"

    return PLAIN_IMPORT.sub(plain_import, FROM_IMPORT.sub(from_import, source))


def ensure_init_files(out_dir: Path) -> None:
    """Every directory holding generated code must be a package."""
    for directory in [out_dir, *(p for p in out_dir.rglob("*") if p.is_dir())]:
        if directory.name == "__pycache__":
            continue
        init = directory / "__init__.py"
        if not init.exists():
            init.write_text("")


def fix(out_dir: Path) -> int:
    """Rewrite every generated file under `out_dir`; returns how many files changed."""
    changed = 0
    for path in sorted(out_dir.rglob("*")):
        if path.suffix not in GENERATED_SUFFIXES or path.name == "__init__.py":
            continue
        original = path.read_text()
        fixed = rewrite(original, out_dir)
        if fixed != original:
            path.write_text(fixed)
            changed += 1
    ensure_init_files(out_dir)
    return changed


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out_dir = Path(argv[1])
    if out_dir.is_absolute() or not out_dir.is_dir():
        print(f"expected a directory relative to the repository root, got {out_dir}", file=sys.stderr)
        return 2
    fix(out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
