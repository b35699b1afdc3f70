"""List and watch options, validated as upstream's ValidateListOptions and storage layer do."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.errors import StatusError
from shard.registry.options import ListRequest, WatchRequest, check_list, check_watch, parse_resource_version


def _invalid(causes: list[tuple[str, str, str]]) -> dict[str, Any]:
    """The upstream 422 for ListOptions: (reason, field, message) per cause."""
    texts = [f"{field}: {message}" for _, field, message in causes]
    joined = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    return {
        "code": 422,
        "reason": "Invalid",
        "message": f'ListOptions.meta.k8s.io "" is invalid: {joined}',
        "details": {
            "group": "meta.k8s.io",
            "kind": "ListOptions",
            "causes": [{"reason": r, "message": m, "field": f} for r, f, m in causes],
        },
    }


def _status(err: StatusError) -> dict[str, Any]:
    status = err.to_status()
    return {k: status[k] for k in ("code", "reason", "message", "details") if k in status}


FORBIDDEN = "FieldValueForbidden"
NO_RV = "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (
            ListRequest(resource_version_match="NotOlderThan"),
            _invalid([(FORBIDDEN, "resourceVersionMatch", NO_RV)]),
        ),
        (ListRequest(resource_version_match="Exact"), _invalid([(FORBIDDEN, "resourceVersionMatch", NO_RV)])),
        (
            ListRequest(resource_version_match="Exact", resource_version="0"),
            _invalid(
                [
                    (
                        FORBIDDEN,
                        "resourceVersionMatch",
                        'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
                    )
                ]
            ),
        ),
        (
            ListRequest(resource_version_match="Bogus", resource_version="5"),
            _invalid(
                [
                    (
                        "FieldValueNotSupported",
                        "resourceVersionMatch",
                        'Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""',
                    )
                ]
            ),
        ),
        (
            ListRequest(resource_version_match="NotOlderThan", resource_version="0", continue_token="tok"),
            _invalid(
                [
                    (
                        FORBIDDEN,
                        "resourceVersionMatch",
                        "Forbidden: resourceVersionMatch is forbidden when continue is provided",
                    )
                ]
            ),
        ),
    ],
)
def test_invalid_list_options(request_: ListRequest, expected: dict[str, Any]) -> None:
    with pytest.raises(StatusError) as info:
        check_list(request_)
    assert _status(info.value) == expected


def test_continue_with_a_resource_version_is_a_bad_request() -> None:
    # upstream storage (etcd3 store / storage.ValidateListOptions): 400, not a 422 of ListOptions
    with pytest.raises(StatusError) as info:
        check_list(ListRequest(continue_token="tok", resource_version="5"))
    assert _status(info.value) == {
        "code": 400,
        "reason": "BadRequest",
        "message": "specifying resource version is not allowed when using continue",
    }


@pytest.mark.parametrize(
    "request_",
    [
        ListRequest(),
        ListRequest(resource_version="0"),
        ListRequest(resource_version="12"),
        ListRequest(resource_version="12", resource_version_match="Exact"),
        ListRequest(resource_version="12", resource_version_match="NotOlderThan"),
        ListRequest(resource_version="0", resource_version_match="NotOlderThan"),
        ListRequest(continue_token="tok"),
        ListRequest(continue_token="tok", resource_version="0"),
        ListRequest(limit=500, label_selector="a=b", field_selector="metadata.name=x"),
    ],
)
def test_valid_list_options(request_: ListRequest) -> None:
    check_list(request_)


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (
            WatchRequest(send_initial_events=True, allow_bookmarks=True),
            _invalid(
                [
                    (
                        FORBIDDEN,
                        "resourceVersionMatch",
                        "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                    )
                ]
            ),
        ),
        (
            WatchRequest(send_initial_events=False),
            _invalid(
                [
                    (
                        FORBIDDEN,
                        "resourceVersionMatch",
                        "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                    )
                ]
            ),
        ),
        (
            WatchRequest(resource_version_match="NotOlderThan", resource_version="5"),
            _invalid(
                [
                    (
                        FORBIDDEN,
                        "resourceVersionMatch",
                        "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided",
                    )
                ]
            ),
        ),
        (
            WatchRequest(
                send_initial_events=True,
                allow_bookmarks=True,
                resource_version_match="Exact",
                resource_version="5",
            ),
            _invalid(
                [
                    (
                        FORBIDDEN,
                        "resourceVersionMatch",
                        "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan",
                    ),
                    (
                        "FieldValueNotSupported",
                        "resourceVersionMatch",
                        'Unsupported value: "Exact": supported values: "NotOlderThan"',
                    ),
                ]
            ),
        ),
    ],
)
def test_invalid_watch_options(request_: WatchRequest, expected: dict[str, Any]) -> None:
    with pytest.raises(StatusError) as info:
        check_watch(request_)
    assert _status(info.value) == expected


@pytest.mark.parametrize(
    "request_",
    [
        WatchRequest(),
        WatchRequest(resource_version="0", allow_bookmarks=True),
        WatchRequest(resource_version="17"),
        WatchRequest(send_initial_events=True, allow_bookmarks=True, resource_version_match="NotOlderThan"),
        WatchRequest(
            send_initial_events=True,
            allow_bookmarks=True,
            resource_version_match="NotOlderThan",
            resource_version="17",
        ),
        WatchRequest(send_initial_events=False, resource_version_match="NotOlderThan", resource_version="17"),
    ],
)
def test_valid_watch_options(request_: WatchRequest) -> None:
    check_watch(request_)


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("1", 1), ("123456789", 123456789)])
def test_parse_resource_version(value: str, expected: int) -> None:
    assert parse_resource_version(value) == expected


# strconv.ParseUint(value, 10, 64) upstream: ASCII digits only, no sign, underscore or whitespace
@pytest.mark.parametrize(
    "value",
    ["abc", "-1", "1.5", "0x10", "12a", "+5", "1_000", " 12", "12\n", "\u0663", "18446744073709551616"],
)
def test_invalid_resource_version_is_a_bad_request(value: str) -> None:
    with pytest.raises(StatusError) as info:
        parse_resource_version(value)
    status = info.value.to_status()
    assert (status["code"], status["reason"]) == (400, "BadRequest")
    assert status["message"].startswith("invalid resource version")
    assert value in status["message"]
