"""Watch semantics on ConfigMaps, after the scenarios of upstream test/e2e/apimachinery/watch.go.

Each test opens real streaming watches with label selectors and checks which notifications arrive, in which
order, and that the object carried by a notification equals the object the write returned.
"""

from __future__ import annotations

import queue
import random
import subprocess
import threading
import time
from typing import Any

from tests.conformance.support import Reply, Watch, call, core, ok, query, summary
from tests.integration.harness import Kplane, Kubectl

LABEL = "watch-this-configmap"


def _cms(ns: str, name: str = "") -> str:
    return core(f"/namespaces/{ns}/configmaps" + (f"/{name}" if name else ""))


def _watch(kplane: Kplane, ns: str, *values: str, resource_version: str | None = None) -> Watch:
    selector = f"{LABEL} in ({','.join(values)})"
    return Watch(kplane, query(_cms(ns), watch="true", labelSelector=selector, resourceVersion=resource_version))


def _create(kplane: Kplane, ns: str, name: str, value: str) -> dict[str, Any]:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {LABEL: value}}}
    return ok(call(kplane, "POST", _cms(ns), body), 201)  # type: ignore[no-any-return]


def _update(kplane: Kplane, ns: str, name: str, mutate: Any) -> dict[str, Any]:
    """Read-modify-write with the read resourceVersion as precondition, retried on conflict."""
    for _ in range(5):
        current = ok(call(kplane, "GET", _cms(ns, name)), 200)
        mutate(current)
        reply: Reply = call(kplane, "PUT", _cms(ns, name), current)
        if reply.status != 409:
            return ok(reply, 200)  # type: ignore[no-any-return]
    raise AssertionError(f"could not update configmap {name}")


def _set_data(key: str, value: str) -> Any:
    def mutate(cm: dict[str, Any]) -> None:
        cm.setdefault("data", {})[key] = value

    return mutate


def _set_label(value: str) -> Any:
    def mutate(cm: dict[str, Any]) -> None:
        cm["metadata"]["labels"][LABEL] = value

    return mutate


def _delete(kplane: Kplane, ns: str, name: str) -> None:
    ok(call(kplane, "DELETE", _cms(ns, name)), 200)


def test_observe_add_update_and_delete_notifications_on_configmaps(kplane: Kplane, ns: str) -> None:
    watch_a = _watch(kplane, ns, "multiple-watchers-A")
    watch_b = _watch(kplane, ns, "multiple-watchers-B")
    watch_ab = _watch(kplane, ns, "multiple-watchers-A", "multiple-watchers-B")
    try:
        # a configmap labelled A: seen by A and AB, never by B
        created_a = _create(kplane, ns, "e2e-watch-test-configmap-a", "multiple-watchers-A")
        watch_a.expect("ADDED", created_a)
        watch_ab.expect("ADDED", created_a)
        watch_b.expect_nothing()

        first_update = _update(kplane, ns, "e2e-watch-test-configmap-a", _set_data("mutation", "1"))
        watch_a.expect("MODIFIED", first_update)
        watch_ab.expect("MODIFIED", first_update)
        watch_b.expect_nothing()

        second_update = _update(kplane, ns, "e2e-watch-test-configmap-a", _set_data("mutation", "2"))
        watch_a.expect("MODIFIED", second_update)
        watch_ab.expect("MODIFIED", second_update)
        watch_b.expect_nothing()

        _delete(kplane, ns, "e2e-watch-test-configmap-a")
        watch_a.expect("DELETED")
        watch_ab.expect("DELETED")
        watch_b.expect_nothing()

        # a configmap labelled B: seen by B and AB, never by A
        created_b = _create(kplane, ns, "e2e-watch-test-configmap-b", "multiple-watchers-B")
        watch_b.expect("ADDED", created_b)
        watch_ab.expect("ADDED", created_b)
        watch_a.expect_nothing()

        _delete(kplane, ns, "e2e-watch-test-configmap-b")
        watch_b.expect("DELETED")
        watch_ab.expect("DELETED")

        # sentinels prove that nothing else was still in flight to A or B
        _create(kplane, ns, "sentinel-a", "multiple-watchers-A")
        watch_a.expect("ADDED")
        _create(kplane, ns, "sentinel-b", "multiple-watchers-B")
        watch_b.expect("ADDED")

        a, b = "e2e-watch-test-configmap-a", "e2e-watch-test-configmap-b"
        assert summary(watch_a.received) == [
            ("ADDED", a),
            ("MODIFIED", a),
            ("MODIFIED", a),
            ("DELETED", a),
            ("ADDED", "sentinel-a"),
        ]
        assert summary(watch_b.received) == [("ADDED", b), ("DELETED", b), ("ADDED", "sentinel-b")]
        assert summary(watch_ab.received) == [
            ("ADDED", a),
            ("MODIFIED", a),
            ("MODIFIED", a),
            ("DELETED", a),
            ("ADDED", b),
            ("DELETED", b),
        ]
    finally:
        for watch in (watch_a, watch_b, watch_ab):
            watch.close()


def test_start_watching_from_a_specific_resource_version(kplane: Kplane, ns: str) -> None:
    name = "e2e-watch-test-resource-version"
    _create(kplane, ns, name, "from-resource-version")
    first_update = _update(kplane, ns, name, _set_data("mutation", "1"))
    second_update = _update(kplane, ns, name, _set_data("mutation", "2"))
    _delete(kplane, ns, name)

    watch = _watch(kplane, ns, "from-resource-version", resource_version=first_update["metadata"]["resourceVersion"])
    try:
        # only what happened after the first update is replayed
        assert watch.next() == {"type": "MODIFIED", "object": second_update}
        deleted = watch.next()
        assert deleted["type"] == "DELETED" and deleted["object"]["metadata"]["name"] == name
        watch.expect_nothing()
    finally:
        watch.close()


def test_restart_watching_from_the_last_resource_version_observed(kplane: Kplane, ns: str) -> None:
    name = "e2e-watch-test-watch-closed"
    broken = _watch(kplane, ns, "watch-closed-and-restarted")
    try:
        created = _create(kplane, ns, name, "watch-closed-and-restarted")
        _update(kplane, ns, name, _set_data("mutation", "1"))
        broken.expect("ADDED", created)
        last = broken.expect("MODIFIED")
    finally:
        broken.close()

    # changed while nobody watches
    second_update = _update(kplane, ns, name, _set_data("mutation", "2"))

    restarted = _watch(
        kplane, ns, "watch-closed-and-restarted", resource_version=last["object"]["metadata"]["resourceVersion"]
    )
    try:
        _delete(kplane, ns, name)
        restarted.expect("MODIFIED", second_update)
        restarted.expect("DELETED")
        assert summary(restarted.received) == [("MODIFIED", name), ("DELETED", name)]
    finally:
        restarted.close()


def test_observe_deletion_when_object_stops_matching_the_selector(kplane: Kplane, ns: str) -> None:
    name = "e2e-watch-test-label-changed"
    watch = _watch(kplane, ns, "label-changed-and-restored")
    try:
        created = _create(kplane, ns, name, "label-changed-and-restored")
        first_update = _update(kplane, ns, name, _set_data("mutation", "1"))
        relabelled = _update(kplane, ns, name, _set_label("wrong-value"))
        watch.expect("ADDED", created)
        watch.expect("MODIFIED", first_update)
        gone = watch.expect("DELETED")

        _update(kplane, ns, name, _set_data("mutation", "2"))
        watch.expect_nothing(wait=0.5)

        restored = _update(kplane, ns, name, _set_label("label-changed-and-restored"))
        third_update = _update(kplane, ns, name, _set_data("mutation", "3"))
        _delete(kplane, ns, name)
        watch.expect("ADDED", restored)
        watch.expect("MODIFIED", third_update)
        watch.expect("DELETED")
        assert [kind for kind, _ in summary(watch.received)] == [
            "ADDED",
            "MODIFIED",
            "DELETED",
            "ADDED",
            "MODIFIED",
            "DELETED",
        ]
        # as the apiserver's watch cache and etcd watcher do it (storage/cacher/cache_watcher.go,
        # storage/etcd3/watcher.go): the DELETED notification of an object that left the selector carries the
        # previous content, which still matched, stamped with the resourceVersion of the change
        assert gone["object"]["metadata"]["labels"][LABEL] == "label-changed-and-restored"
        assert gone["object"]["metadata"]["resourceVersion"] == relabelled["metadata"]["resourceVersion"]
    finally:
        watch.close()


def _produce_events(kplane: Kplane, ns: str, stop: threading.Event, failures: list[str]) -> None:
    """Random creates, unconditional updates and deletes, as fast as a few milliseconds apart."""
    existing: list[int] = []
    counter = 0
    rng = random.Random(7)
    while not stop.is_set():
        operation = "create" if not existing else rng.choice(["create", "update", "delete"])
        if operation == "create":
            reply = call(kplane, "POST", _cms(ns), {"metadata": {"name": f"cm-{counter}"}})
            existing.append(counter)
            counter += 1
        elif operation == "update":
            index = rng.choice(existing)
            reply = call(kplane, "PUT", _cms(ns, f"cm-{index}"), {"metadata": {"name": f"cm-{index}"}})
        else:
            index = existing.pop(rng.randrange(len(existing)))
            reply = call(kplane, "DELETE", _cms(ns, f"cm-{index}"))
        if reply.status not in (200, 201):
            failures.append(f"{operation}: {reply}")
            return
        time.sleep(0.005)


def test_receive_events_on_concurrent_watches_in_same_order(kplane: Kplane, ns: str) -> None:
    iterations = 100
    resource_version = ok(call(kplane, "GET", _cms(ns)), 200)["metadata"]["resourceVersion"]
    stop = threading.Event()
    failures: list[str] = []
    producer = threading.Thread(target=_produce_events, args=(kplane, ns, stop, failures), daemon=True)
    producer.start()
    watches: list[Watch] = []
    try:
        for _ in range(iterations):
            # a new watcher starts from the last resourceVersion the first watcher has seen
            watches.append(Watch(kplane, query(_cms(ns), watch="true", resourceVersion=resource_version)))
            resource_version = watches[0].next()["object"]["metadata"]["resourceVersion"]
            for other in watches[1:]:
                got = other.next()["object"]["metadata"]["resourceVersion"]
                assert got == resource_version, f"resource version mismatch: expected {resource_version}, got {got}"
        assert not failures, failures
    finally:
        stop.set()
        producer.join(timeout=10)
        for watch in watches:
            watch.close()


def test_kubectl_get_watch_observes_add_update_and_delete(any_kubectl: Kubectl, kplane: Kplane, ns: str) -> None:
    """The first watch scenario again, with `kubectl get --watch-only` as the watcher."""
    command = [
        any_kubectl.binary,
        "--kubeconfig",
        str(any_kubectl.kubeconfig),
        "-n",
        ns,
        "get",
        "configmaps",
        "-l",
        f"{LABEL}=multiple-watchers-A",
        "--watch-only",
        "--output-watch-events",
        "-o",
        'jsonpath={.type} {.object.metadata.name} {.object.data.mutation}{"\\n"}',
    ]
    watcher = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[list[str]] = queue.Queue()

    def pump() -> None:
        assert watcher.stdout is not None
        for line in watcher.stdout:
            lines.put(line.split())

    threading.Thread(target=pump, daemon=True).start()
    try:
        # sentinels until kubectl shows one, so its list+watch is surely established
        for attempt in range(60):
            _create(kplane, ns, f"ready-{attempt}", "multiple-watchers-A")
            try:
                lines.get(timeout=0.5)
                break
            except queue.Empty:
                continue
        else:
            raise AssertionError("kubectl get --watch-only never showed an event")

        _create(kplane, ns, "kubectl-watched-b", "multiple-watchers-B")
        _create(kplane, ns, "kubectl-watched-a", "multiple-watchers-A")
        _update(kplane, ns, "kubectl-watched-a", _set_data("mutation", "1"))
        _delete(kplane, ns, "kubectl-watched-a")
        seen: list[list[str]] = []
        deadline = time.monotonic() + 20
        while len(seen) < 3 and time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if len(line) < 2 or not line[1].startswith("ready-"):
                seen.append(line)
        assert seen == [
            ["ADDED", "kubectl-watched-a"],
            ["MODIFIED", "kubectl-watched-a", "1"],
            ["DELETED", "kubectl-watched-a", "1"],
        ], seen
    finally:
        watcher.kill()
        watcher.communicate(timeout=10)
