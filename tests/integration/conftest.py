"""Fixtures of the integration suite: one real kplane for the session, kubectl and the Python client; and for
a module that reads etcd directly, a kplane of its own (`server`, `ctl`) on an etcd of its own (`etcd`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client as k8s
from kubernetes import config as k8s_config

from tests.integration.harness import Kplane, Kubectl, kubectl_binary, start_kplane
from tests.integration.own_etcd import EtcdInThread


@pytest.fixture(scope="session")
def kplane(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kplane]:
    server = start_kplane(tmp_path_factory.mktemp("kplane") / "root")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def kubectl(kplane: Kplane) -> Kubectl:
    return Kubectl(kubectl_binary(), kplane.kubeconfig)


@pytest.fixture(scope="session")
def api_client(kplane: Kplane) -> Iterator[k8s.ApiClient]:
    configuration = k8s.Configuration()
    k8s_config.load_kube_config(config_file=str(kplane.kubeconfig), client_configuration=configuration)
    with k8s.ApiClient(configuration) as api:
        yield api


@pytest.fixture
def namespace(kubectl: Kubectl, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh namespace per test, named after the test."""
    name = "t-" + request.node.name.lower().replace("_", "-")[:50].strip("-")
    kubectl.ok("create", "namespace", name)
    yield name
    kubectl.run("delete", "namespace", name, "--wait=false")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def etcd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EtcdInThread]:
    with EtcdInThread(tmp_path_factory.mktemp("etcd")) as running:
        yield running


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, etcd: EtcdInThread) -> Iterator[Kplane]:
    kplane = start_kplane(tmp_path_factory.mktemp("kplane") / "root", extra_args=("--etcd-servers", etcd.endpoint))
    yield kplane
    kplane.stop()


@pytest.fixture(scope="module")
def ctl(server: Kplane) -> Kubectl:
    return Kubectl(kubectl_binary(), server.kubeconfig)
