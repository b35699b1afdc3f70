"""Paged lists (limit/continue), after upstream test/e2e/apimachinery/chunking.go.

Upstream uses 400 PodTemplates; here 400 ConfigMaps in one namespace, shared by the tests of this module. The
namespace also holds the auto-provisioned `kube-root-ca.crt`, so the expected order is computed from a full list.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.conformance.support import call, core, ok, query, short_id
from tests.integration.harness import COMPACTION_INTERVAL_SECONDS, Kplane, Kubectl

TOTAL_CREATED = 400


@pytest.fixture(scope="module")
def many(kplane: Kplane) -> Iterator[tuple[str, list[str]]]:
    """A namespace with 400 configmaps `template-0000` .. `template-0399`, plus what the server provisions."""
    ns = f"chunking-{short_id()}"
    ok(call(kplane, "POST", core("/namespaces"), {"metadata": {"name": ns}}), 201)

    def create(index: int) -> None:
        body = {"metadata": {"name": f"template-{index:04d}"}, "data": {"index": str(index)}}
        for _ in range(4):
            if call(kplane, "POST", core(f"/namespaces/{ns}/configmaps"), body).status == 201:
                return
        raise AssertionError(f"unable to create template {index}")

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(create, range(TOTAL_CREATED)))
    everything = ok(call(kplane, "GET", core(f"/namespaces/{ns}/configmaps")), 200)
    names = [item["metadata"]["name"] for item in everything["items"]]
    assert {f"template-{i:04d}" for i in range(TOTAL_CREATED)} <= set(names)
    assert names == sorted(names)
    yield ns, names
    call(kplane, "DELETE", core(f"/namespaces/{ns}"))


def _page(kplane: Kplane, ns: str, limit: int, token: str | None = None) -> Any:
    return call(kplane, "GET", query(core(f"/namespaces/{ns}/configmaps"), limit=limit, **{"continue": token}))


def _check_remaining(page: dict[str, Any], found: int, total: int) -> None:
    """remainingItemCount is absent on the last page and otherwise counts exactly what is left."""
    meta = page["metadata"]
    if not meta.get("continue"):
        assert meta.get("remainingItemCount") is None, meta
    else:
        assert meta.get("remainingItemCount") is not None, meta
        assert meta["remainingItemCount"] + len(page["items"]) + found == total, meta


def test_return_chunks_of_results_for_list_calls(kplane: Kplane, many: tuple[str, list[str]]) -> None:
    ns, names = many
    rng = random.Random(11)
    for _ in range(3):
        found = 0
        token = None
        first_rv = None
        while True:
            limit = rng.randint(1, TOTAL_CREATED // 10)
            page = ok(_page(kplane, ns, limit, token), 200)
            assert len(page["items"]) <= limit
            first_rv = first_rv or page["metadata"]["resourceVersion"]
            # every page of one paged list is served at the resourceVersion of the first page
            assert page["metadata"]["resourceVersion"] == first_rv
            _check_remaining(page, found, len(names))
            for item in page["items"]:
                assert item["metadata"]["name"] == names[found]
                found += 1
            token = page["metadata"].get("continue")
            if not token:
                break
        assert found == len(names)

    everything = ok(_page(kplane, ns, len(names) + 1), 200)
    assert len(everything["items"]) == len(names)
    assert not everything["metadata"].get("continue")


def test_continue_listing_after_the_original_version_was_compacted(kplane: Kplane, many: tuple[str, list[str]]) -> None:
    """The continue token expires with compaction; the 410 carries a token that continues inconsistently."""
    ns, names = many
    one_tenth = TOTAL_CREATED // 10
    first = ok(_page(kplane, ns, one_tenth), 200)
    first_token, first_rv = first["metadata"]["continue"], first["metadata"]["resourceVersion"]
    _check_remaining(first, 0, len(names))

    # writes elsewhere move the store past the first page's revision, so compaction can remove it
    scratch = f"/namespaces/{ns}/secrets/chunking-scratch"
    ok(call(kplane, "POST", core(f"/namespaces/{ns}/secrets"), {"metadata": {"name": "chunking-scratch"}}), 201)
    inconsistent_token = None
    deadline = time.monotonic() + 3 * COMPACTION_INTERVAL_SECONDS + 2
    while time.monotonic() < deadline:
        ok(call(kplane, "PATCH", core(scratch), {"data": {"t": "MQ=="}}, "application/merge-patch+json"), 200)
        reply = _page(kplane, ns, one_tenth, first_token)
        if reply.status == 200:
            time.sleep(1)
            continue
        assert reply.status == 410, reply
        assert reply.body["reason"] == "Expired", reply
        assert reply.message.startswith(
            "The provided continue parameter is too old to display a consistent list result."
        ), reply
        inconsistent_token = reply.body["metadata"].get("continue")
        assert inconsistent_token, f"a 410 for an expired continue token must carry a new token: {reply}"
        break
    assert inconsistent_token, "the continue token never expired"

    second = ok(_page(kplane, ns, one_tenth, inconsistent_token), 200)
    assert second["metadata"]["resourceVersion"] != first_rv
    assert len(second["items"]) == one_tenth
    found = one_tenth
    _check_remaining(second, found, len(names))
    for item in second["items"]:
        assert item["metadata"]["name"] == names[found]
        found += 1

    token, last_rv = second["metadata"]["continue"], second["metadata"]["resourceVersion"]
    while token:
        page = ok(_page(kplane, ns, one_tenth, token), 200)
        _check_remaining(page, found, len(names))
        assert len(page["items"]) <= one_tenth
        assert page["metadata"]["resourceVersion"] == last_rv
        for item in page["items"]:
            assert item["metadata"]["name"] == names[found]
            found += 1
        token = page["metadata"].get("continue")
    assert found == len(names)


def test_kubectl_get_pages_through_a_large_list(any_kubectl: Kubectl, many: tuple[str, list[str]]) -> None:
    """`kubectl get --chunk-size` walks the same pages (limit, then continue) and shows every object once."""
    ns, names = many
    result = any_kubectl.run("-n", ns, "get", "configmaps", "--chunk-size=37", "-o", "name", "-v=6")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [f"configmap/{name}" for name in names]
    requests = sorted(set(re.findall(r"https://[^\s\"]+/configmaps\?[^\s\"]+", result.stderr)))
    assert len(requests) == -(-len(names) // 37), requests
    assert all("limit=37" in url for url in requests)
    assert sum("continue=" in url for url in requests) == len(requests) - 1
