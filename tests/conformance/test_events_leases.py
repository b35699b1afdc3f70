"""Events (core/v1 and events.k8s.io/v1) and Leases, after upstream test/e2e/instrumentation/core_events.go,
test/e2e/instrumentation/events.go and test/e2e/common/node/lease.go.

Bodies are sent as JSON dicts so timestamps keep the exact MicroTime text upstream clients send; objects read back
are compared whole, minus resourceVersion and managedFields, as upstream compares them with semantic DeepEqual."""

from __future__ import annotations

from typing import Any

from tests.conformance.support import call, core, group, ok, query, strip_server_fields
from tests.integration.harness import Kplane

EVENTS_V1 = "events.k8s.io/v1"
# time.Unix(1505828956, 0) as a MicroTime
SOME_TIME = "2017-09-19T13:49:16.000000Z"


def _core_event(ns: str, name: str, label: str, message: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": name, "labels": {label: "true"}},
        "message": message,
        "reason": "Test",
        "type": "Normal",
        "count": 1,
        "involvedObject": {"namespace": ns},
    }


def _names(listed: dict[str, Any], ns: str) -> set[str]:
    return {item["metadata"]["name"] for item in listed["items"] if item["metadata"]["namespace"] == ns}


def test_manage_the_lifecycle_of_a_core_event(kplane: Kplane, ns: str) -> None:
    events = core(f"/namespaces/{ns}/events")
    ok(call(kplane, "POST", events, _core_event(ns, "event-test", "testevent-constant", "This is a test event")), 201)

    everywhere = ok(call(kplane, "GET", query(core("/events"), labelSelector="testevent-constant=true")), 200)
    assert "event-test" in _names(everywhere, ns)

    patched_message = "This is a test event - patched"
    ok(
        call(
            kplane,
            "PATCH",
            f"{events}/event-test",
            {"message": patched_message},
            "application/strategic-merge-patch+json",
        ),
        200,
    )
    fetched = ok(call(kplane, "GET", f"{events}/event-test"), 200)
    assert fetched["message"] == patched_message

    # an unconditional update adding a series, sent without resourceVersion and managedFields
    to_update = strip_server_fields(fetched)
    to_update["series"] = {"count": 100, "lastObservedTime": SOME_TIME}
    ok(call(kplane, "PUT", f"{events}/event-test", to_update), 200)
    updated = ok(call(kplane, "GET", f"{events}/event-test"), 200)
    assert strip_server_fields(updated) == to_update

    ok(call(kplane, "DELETE", f"{events}/event-test"), 200)
    everywhere = ok(call(kplane, "GET", query(core("/events"), labelSelector="testevent-constant=true")), 200)
    assert "event-test" not in _names(everywhere, ns)


def test_delete_a_collection_of_core_events(kplane: Kplane, ns: str) -> None:
    events = core(f"/namespaces/{ns}/events")
    names = ["test-event-1", "test-event-2", "test-event-3"]
    for name in names:
        ok(call(kplane, "POST", events, _core_event(ns, name, "testevent-set", f"This is {name}")), 201)
    listed = ok(call(kplane, "GET", query(events, labelSelector="testevent-set=true")), 200)
    assert len(listed["items"]) == len(names)
    ok(call(kplane, "DELETE", query(events, labelSelector="testevent-set=true")), 200)
    listed = ok(call(kplane, "GET", query(events, labelSelector="testevent-set=true")), 200)
    assert listed["items"] == []


def _new_event(ns: str, name: str, label: str) -> dict[str, Any]:
    return {
        "apiVersion": EVENTS_V1,
        "kind": "Event",
        "metadata": {"name": name, "labels": {label: "true"}},
        "regarding": {"namespace": ns},
        "eventTime": SOME_TIME,
        "note": f"This is {name}",
        "action": "Do",
        "reason": "Test",
        "type": "Normal",
        "reportingController": "test-controller",
        "reportingInstance": "test-node",
    }


def test_events_api_fetch_patch_delete_and_list_an_event(kplane: Kplane, ns: str) -> None:
    events = group(EVENTS_V1, f"/namespaces/{ns}/events")
    ok(call(kplane, "POST", events, _new_event(ns, "event-test", "testevent-constant")), 201)

    for collection in (group(EVENTS_V1, "/events"), events):
        listed = ok(call(kplane, "GET", query(collection, labelSelector="testevent-constant=true")), 200)
        assert "event-test" in _names(listed, ns)

    # the same event seen through core/v1, filtered on its source (from reportingController)
    by_source = ok(
        call(kplane, "GET", query(core(f"/namespaces/{ns}/events"), fieldSelector="source=test-controller")), 200
    )
    assert [item["metadata"]["name"] for item in by_source["items"]] == ["event-test"]
    by_controller = ok(call(kplane, "GET", query(events, fieldSelector="reportingController=test-controller")), 200)
    assert [item["metadata"]["name"] for item in by_controller["items"]] == ["event-test"]

    test_event = strip_server_fields(ok(call(kplane, "GET", f"{events}/event-test"), 200))
    patched_note = "This is a test event - patched"
    ok(
        call(kplane, "PATCH", f"{events}/event-test", {"note": patched_note}, "application/strategic-merge-patch+json"),
        200,
    )
    event = ok(call(kplane, "GET", f"{events}/event-test"), 200)
    test_event["note"] = patched_note
    assert strip_server_fields(event) == test_event

    test_event["series"] = {"count": 100, "lastObservedTime": SOME_TIME}
    ok(call(kplane, "PUT", f"{events}/event-test", test_event), 200)
    event = ok(call(kplane, "GET", f"{events}/event-test"), 200)
    assert strip_server_fields(event) == test_event

    ok(call(kplane, "DELETE", f"{events}/event-test"), 200)
    for collection in (group(EVENTS_V1, "/events"), events):
        listed = ok(call(kplane, "GET", query(collection, labelSelector="testevent-constant=true")), 200)
        assert "event-test" not in _names(listed, ns)


def test_events_api_delete_a_collection_of_events(kplane: Kplane, ns: str) -> None:
    events = group(EVENTS_V1, f"/namespaces/{ns}/events")
    names = ["test-event-1", "test-event-2", "test-event-3"]
    for name in names:
        ok(call(kplane, "POST", events, _new_event(ns, name, "testevent-set")), 201)
    listed = ok(call(kplane, "GET", query(events, labelSelector="testevent-set=true")), 200)
    assert len(listed["items"]) == len(names)
    ok(call(kplane, "DELETE", query(events, labelSelector="testevent-set=true")), 200)
    listed = ok(call(kplane, "GET", query(events, labelSelector="testevent-set=true")), 200)
    assert listed["items"] == []


def _spec(holder: str, duration: int, acquire: int, renew: int, transitions: int) -> dict[str, Any]:
    """A LeaseSpec whose times are the zero time plus a few seconds, like upstream's time.Time{}.Add(...)."""

    def at(seconds: int) -> str:
        return f"0001-01-01T00:{seconds // 60:02d}:{seconds % 60:02d}.000000Z"

    return {
        "holderIdentity": holder,
        "leaseDurationSeconds": duration,
        "acquireTime": at(acquire),
        "renewTime": at(renew),
        "leaseTransitions": transitions,
    }


def test_lease_api_should_be_available(kplane: Kplane, ns: str) -> None:
    leases = group("coordination.k8s.io/v1", f"/namespaces/{ns}/leases")
    spec = _spec("holder", 30, 2, 5, 0)
    created = ok(call(kplane, "POST", leases, {"metadata": {"name": "lease"}, "spec": spec}), 201)
    assert ok(call(kplane, "GET", f"{leases}/lease"), 200)["spec"] == spec

    created["spec"] = _spec("holder2", 30, 20, 50, 1)
    ok(call(kplane, "PUT", f"{leases}/lease", created), 200)
    assert ok(call(kplane, "GET", f"{leases}/lease"), 200)["spec"] == created["spec"]

    # a two-way strategic merge patch from the read spec to the wanted one carries every changed field
    patched_spec = _spec("holder3", 60, 50, 70, 2)
    ok(call(kplane, "PATCH", f"{leases}/lease", {"spec": patched_spec}, "application/strategic-merge-patch+json"), 200)
    assert ok(call(kplane, "GET", f"{leases}/lease"), 200)["spec"] == patched_spec

    second = {
        "metadata": {"name": "lease2", "labels": {"deletecollection": "true"}},
        "spec": _spec("holder", 30, 2, 5, 0),
    }
    ok(call(kplane, "POST", leases, second), 201)
    assert len(ok(call(kplane, "GET", leases), 200)["items"]) == 2

    ok(call(kplane, "DELETE", query(leases, labelSelector="deletecollection=true")), 200)
    assert [item["metadata"]["name"] for item in ok(call(kplane, "GET", leases), 200)["items"]] == ["lease"]

    ok(call(kplane, "DELETE", f"{leases}/lease"), 200)
    missing = call(kplane, "GET", f"{leases}/lease")
    assert missing.status == 404 and missing.body["reason"] == "NotFound"
    ok(call(kplane, "GET", group("coordination.k8s.io/v1", "/leases")), 200)
