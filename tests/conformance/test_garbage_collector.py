"""Garbage collection through ownerReferences, after upstream test/e2e/apimachinery/garbage_collector.go.

Upstream owners are ReplicationControllers/Deployments whose controllers create Pods/ReplicaSets; here an owner
ConfigMap gets ConfigMap and Secret dependents written by the test itself with the ownerReferences a controller
would set (controller=true, blockOwnerDeletion=true). Where upstream relies on pod graceful termination to make
"owner still there while dependents are being deleted" observable, a dependent carries a finalizer instead.
"""

from __future__ import annotations

import time
from typing import Any

from tests.conformance.support import call, core, ok, wait_until
from tests.integration.harness import Kplane, Kubectl

HOLD = "e2e.example.com/hold"


def _ref(owner: dict[str, Any], kind: str = "ConfigMap", *, controller: bool = True) -> dict[str, Any]:
    ref: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": kind,
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
    }
    if controller:
        ref.update(controller=True, blockOwnerDeletion=True)
    return ref


def _create(kplane: Kplane, ns: str, resource: str, name: str, **metadata: Any) -> dict[str, Any]:
    body = {"metadata": {"name": name, **metadata}}
    return ok(call(kplane, "POST", core(f"/namespaces/{ns}/{resource}"), body), 201)  # type: ignore[no-any-return]


def _get(kplane: Kplane, ns: str, resource: str, name: str) -> dict[str, Any] | None:
    reply = call(kplane, "GET", core(f"/namespaces/{ns}/{resource}/{name}"))
    if reply.status == 404:
        return None
    return ok(reply, 200)  # type: ignore[no-any-return]


def _delete(kplane: Kplane, ns: str, resource: str, obj: dict[str, Any], policy: str | None) -> dict[str, Any]:
    options: dict[str, Any] = {"preconditions": {"uid": obj["metadata"]["uid"]}}
    if policy:
        options["propagationPolicy"] = policy
    path = core(f"/namespaces/{ns}/{resource}/{obj['metadata']['name']}")
    return ok(call(kplane, "DELETE", path, options), 200, 202)  # type: ignore[no-any-return]


def _owner_with_dependents(kplane: Kplane, ns: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    owner = _create(kplane, ns, "configmaps", "simpletest-owner")
    refs = [_ref(owner)]
    dependents = [("configmaps", "dependent-cm-1"), ("configmaps", "dependent-cm-2"), ("secrets", "dependent-secret")]
    for resource, name in dependents:
        _create(kplane, ns, resource, name, ownerReferences=refs)
    return owner, dependents


def test_delete_dependents_when_not_orphaning(kplane: Kplane, ns: str) -> None:
    owner, dependents = _owner_with_dependents(kplane, ns)
    _delete(kplane, ns, "configmaps", owner, "Background")
    wait_until(
        lambda: all(_get(kplane, ns, r, n) is None for r, n in [("configmaps", "simpletest-owner"), *dependents]),
        what="the owner and all its dependents to be garbage collected",
    )


def test_delete_dependents_when_no_propagation_policy_is_given(kplane: Kplane, ns: str) -> None:
    """Upstream's "OrphanDependents is nil" case relies on ReplicationController's orphaning default; ConfigMaps
    have no such default, so a plain delete cascades in the background."""
    owner, dependents = _owner_with_dependents(kplane, ns)
    _delete(kplane, ns, "configmaps", owner, None)
    assert _get(kplane, ns, "configmaps", "simpletest-owner") is None
    wait_until(
        lambda: all(_get(kplane, ns, r, n) is None for r, n in dependents),
        what="the dependents to be garbage collected",
    )


def test_orphan_dependents_with_propagation_policy_orphan(kplane: Kplane, ns: str) -> None:
    owner, dependents = _owner_with_dependents(kplane, ns)
    _delete(kplane, ns, "configmaps", owner, "Orphan")
    wait_until(lambda: _get(kplane, ns, "configmaps", "simpletest-owner") is None, what="the owner to be deleted")
    time.sleep(2)  # upstream waits 30 s to see whether the collector mistakenly deletes the dependents
    for resource, name in dependents:
        dependent = _get(kplane, ns, resource, name)
        assert dependent is not None, f"{resource}/{name} was deleted"
        assert not any(
            ref["uid"] == owner["metadata"]["uid"] for ref in dependent["metadata"].get("ownerReferences", [])
        ), dependent["metadata"]


def test_keep_the_owner_around_until_all_its_dependents_are_deleted(kplane: Kplane, ns: str) -> None:
    owner = _create(kplane, ns, "configmaps", "simpletest-owner")
    refs = [_ref(owner)]
    _create(kplane, ns, "configmaps", "dependent-quick", ownerReferences=refs)
    _create(kplane, ns, "configmaps", "dependent-held", ownerReferences=refs, finalizers=[HOLD])

    deleting = _delete(kplane, ns, "configmaps", owner, "Foreground")
    assert deleting["metadata"].get("deletionTimestamp"), deleting
    assert "foregroundDeletion" in deleting["metadata"].get("finalizers", [])

    wait_until(lambda: _get(kplane, ns, "configmaps", "dependent-quick") is None, what="the free dependent to go")
    held = wait_until(
        lambda: (
            (d := _get(kplane, ns, "configmaps", "dependent-held")) and d["metadata"].get("deletionTimestamp") and d
        ),
        what="the held dependent to be marked for deletion",
    )
    assert HOLD in held["metadata"]["finalizers"]
    # the owner waits for its last dependent
    still = _get(kplane, ns, "configmaps", "simpletest-owner")
    assert still is not None and still["metadata"].get("deletionTimestamp"), still

    ok(
        call(
            kplane,
            "PATCH",
            core(f"/namespaces/{ns}/configmaps/dependent-held"),
            {"metadata": {"finalizers": None}},
            "application/merge-patch+json",
        ),
        200,
    )
    wait_until(lambda: _get(kplane, ns, "configmaps", "simpletest-owner") is None, what="the owner to be deleted")
    assert _get(kplane, ns, "configmaps", "dependent-held") is None


def test_not_delete_dependents_that_have_both_valid_owner_and_owner_waiting_for_dependents(
    kplane: Kplane, ns: str
) -> None:
    to_delete = _create(kplane, ns, "configmaps", "simpletest-owner-to-be-deleted")
    to_stay = _create(kplane, ns, "configmaps", "simpletest-owner-to-stay")
    names = [f"dependent-{i}" for i in range(6)]
    for name in names:
        _create(kplane, ns, "configmaps", name, ownerReferences=[_ref(to_delete)])
    half = names[: len(names) // 2]
    for name in half:
        # a strategic merge patch merges ownerReferences by uid, so this adds a second owner
        patched = ok(
            call(
                kplane,
                "PATCH",
                core(f"/namespaces/{ns}/configmaps/{name}"),
                {"metadata": {"ownerReferences": [_ref(to_stay, controller=False)]}},
                "application/strategic-merge-patch+json",
            ),
            200,
        )
        assert len(patched["metadata"]["ownerReferences"]) == 2, patched["metadata"]

    _delete(kplane, ns, "configmaps", to_delete, "Foreground")
    wait_until(
        lambda: _get(kplane, ns, "configmaps", "simpletest-owner-to-be-deleted") is None,
        what="the foreground-deleted owner to be deleted",
    )
    remaining = {name: _get(kplane, ns, "configmaps", name) for name in names}
    assert sorted(name for name, obj in remaining.items() if obj is not None) == half
    for name in half:
        meta = remaining[name]["metadata"]  # type: ignore[index]
        assert not meta.get("deletionTimestamp"), meta
        assert [ref["uid"] for ref in meta["ownerReferences"]] == [to_stay["metadata"]["uid"]], meta


def test_not_be_blocked_by_dependency_circle(kplane: Kplane, ns: str) -> None:
    objects = [_create(kplane, ns, "configmaps", f"cm{i}") for i in (1, 2, 3)]
    # cm1 is owned by cm3, cm2 by cm1, cm3 by cm2
    for index, owner_index in ((0, 2), (1, 0), (2, 1)):
        ok(
            call(
                kplane,
                "PATCH",
                core(f"/namespaces/{ns}/configmaps/cm{index + 1}"),
                {"metadata": {"ownerReferences": [_ref(objects[owner_index])]}},
                "application/strategic-merge-patch+json",
            ),
            200,
        )
    _delete(kplane, ns, "configmaps", objects[0], "Foreground")
    wait_until(
        lambda: all(_get(kplane, ns, "configmaps", f"cm{i}") is None for i in (1, 2, 3)),
        what="all three configmaps of the cycle to be deleted",
    )


def test_kubectl_delete_cascade_modes(any_kubectl: Kubectl, kplane: Kplane, ns: str) -> None:
    """`kubectl delete --cascade=orphan|foreground|background` against the same owner/dependent pairs."""
    for mode in ("orphan", "foreground", "background"):
        owner = _create(kplane, ns, "configmaps", f"owner-{mode}")
        _create(kplane, ns, "configmaps", f"dependent-{mode}", ownerReferences=[_ref(owner)])
        deleted = any_kubectl.ok("-n", ns, "delete", "configmap", f"owner-{mode}", f"--cascade={mode}", "--timeout=30s")
        assert f'configmap "owner-{mode}" deleted' in deleted
        assert _get(kplane, ns, "configmaps", f"owner-{mode}") is None
        if mode == "orphan":
            time.sleep(1)
            dependent = _get(kplane, ns, "configmaps", f"dependent-{mode}")
            assert dependent is not None and not dependent["metadata"].get("ownerReferences"), dependent
        elif mode == "foreground":
            # kubectl waited for the owner, which itself waited for its dependent
            assert _get(kplane, ns, "configmaps", f"dependent-{mode}") is None
        else:
            wait_until(
                lambda m=mode: _get(kplane, ns, "configmaps", f"dependent-{m}") is None,  # type: ignore[misc]
                what="the background dependent to be collected",
            )
