"""Fixtures of the conformance suite.

The running-server fixtures come from the integration suite, so a single kplane process serves the whole
conformance session. On top of them: a kubectl fixture parametrized over every usable kubectl binary, and a
namespace fixture whose name is safe for parametrized test ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.conformance.support import call, core, kubectl_binaries, ok, short_id
from tests.integration.conftest import api_client, kplane, kubectl, namespace  # noqa: F401
from tests.integration.harness import Kplane, Kubectl

KUBECTLS = kubectl_binaries()


@pytest.fixture(params=[binary for _, binary in KUBECTLS], ids=[name for name, _ in KUBECTLS])
def any_kubectl(request: pytest.FixtureRequest, kplane: Kplane) -> Kubectl:  # noqa: F811
    """Every kubectl the suite can drive: the venv one and another one from PATH when present."""
    return Kubectl(str(request.param), kplane.kubeconfig)


@pytest.fixture
def ns(kplane: Kplane, request: pytest.FixtureRequest) -> Iterator[str]:  # noqa: F811
    """A fresh namespace whose name is derived from the (possibly parametrized) test id."""
    stem = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower().removeprefix("test_"))[:40].strip("-")
    name = f"c-{stem}-{short_id()[:5]}"
    ok(call(kplane, "POST", core("/namespaces"), {"metadata": {"name": name}}))
    yield name
    call(kplane, "DELETE", core(f"/namespaces/{name}"))
