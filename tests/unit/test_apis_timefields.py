"""Time and MicroTime values are rewritten to the canonical RFC 3339 forms on write."""

from __future__ import annotations

import pytest

from apimachinery.apis.coordination_v1 import LEASES
from apimachinery.apis.timefields import normalize
from apimachinery.errors import StatusError


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2026-11-24T10:11:12.123456Z", "2026-11-24T10:11:12.123456Z"),
        ("2026-11-24T10:11:12.123456+00:00", "2026-11-24T10:11:12.123456Z"),
        ("2026-11-24T11:11:12.5+01:00", "2026-11-24T10:11:12.500000Z"),
        ("0001-01-01T00:00:02.000000Z", "0001-01-01T00:00:02.000000Z"),
    ],
)
def test_micro_time_is_canonical(given: str, stored: str) -> None:
    lease = {"metadata": {"name": "l", "creationTimestamp": "2026-11-24T10:11:12.9Z"}, "spec": {"renewTime": given}}
    normalize(LEASES, lease)
    assert lease["spec"]["renewTime"] == stored
    assert lease["metadata"]["creationTimestamp"] == "2026-11-24T10:11:12Z"


def test_time_without_zone_is_a_bad_request() -> None:
    with pytest.raises(StatusError) as info:
        normalize(LEASES, {"spec": {"acquireTime": "2026-11-24T10:11:12"}})
    assert info.value.code == 400
