"""tools/fix_proto_imports.py: imports of generated modules point into the package, nothing else moves."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "fix_proto_imports.py"


@pytest.fixture
def fixer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fix_proto_imports", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATED = {
    "etcd/kv_pb2.py": "from google.protobuf import descriptor as _descriptor\n",
    "etcd/rpc_pb2.py": "from etcd import kv_pb2 as etcd_dot_kv__pb2\nfrom google.protobuf import x as y\n",
    "etcd/rpc_pb2.pyi": "from etcd import kv_pb2 as _kv_pb2\n",
    "etcd/rpc_pb2_grpc.py": "import grpc\nfrom etcd import rpc_pb2 as etcd_dot_rpc__pb2\n",
    "k8s/api/core/generated_pb2.py": "import k8s.api.meta_pb2 as meta\nfrom etcd import kv_pb2 as kv\n",
    "k8s/api/meta_pb2.py": "",
    "cache_pb2.py": "from k8s.api.core import generated_pb2 as g\n",
    "cache_pb2_grpc.py": "import cache_pb2 as cache__pb2\nimport google.protobuf.empty_pb2 as e\n",
}

EXPECTED = {
    "etcd/rpc_pb2.py": "from gen.out.etcd import kv_pb2 as etcd_dot_kv__pb2\nfrom google.protobuf import x as y\n",
    "etcd/rpc_pb2.pyi": "from gen.out.etcd import kv_pb2 as _kv_pb2\n",
    "etcd/rpc_pb2_grpc.py": "import grpc\nfrom gen.out.etcd import rpc_pb2 as etcd_dot_rpc__pb2\n",
    "k8s/api/core/generated_pb2.py": (
        "from gen.out.k8s.api import meta_pb2 as meta\nfrom gen.out.etcd import kv_pb2 as kv\n"
    ),
    "cache_pb2.py": "from gen.out.k8s.api.core import generated_pb2 as g\n",
    "cache_pb2_grpc.py": "from gen.out import cache_pb2 as cache__pb2\nimport google.protobuf.empty_pb2 as e\n",
}


def test_rewrites_generated_imports_in_every_subdirectory(
    fixer: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, text in GENERATED.items():
        path = tmp_path / "gen" / "out" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path)
    assert fixer.main(["fix", "gen/out"]) == 0
    for name, text in EXPECTED.items():
        assert (tmp_path / "gen" / "out" / name).read_text() == text, name
    packages = {str(p.parent.relative_to(tmp_path)) for p in tmp_path.rglob("__init__.py")}
    assert packages == {"gen/out", "gen/out/etcd", "gen/out/k8s", "gen/out/k8s/api", "gen/out/k8s/api/core"}
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert fixer.fix(Path("gen/out")) == 0, "a second run changes nothing"
    assert before == {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}


def test_refuses_an_absolute_or_missing_directory(fixer: ModuleType, tmp_path: Path) -> None:
    assert fixer.main(["fix", str(tmp_path)]) == 2
    assert fixer.main(["fix", os.path.join("no", "such", "dir")]) == 2
