"""The initializing virtual workspace's pure parts: URL parsing, visibility, allowed status changes."""

from __future__ import annotations

import pytest

from apimachinery.errors import StatusError
from shard.virtual.initializing.filtering import check_initializers_change, initializing_with
from shard.virtual.initializing.paths import VirtualPath, parse

PREFIX = "/services/initializingworkspaces"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (f"{PREFIX}/root:a/clusters/*/apis/x", VirtualPath("root:a", "*", "/apis/x")),
        (f"{PREFIX}/root:a/clusters/abc/api", VirtualPath("root:a", "abc", "/api")),
        (f"{PREFIX}/root:a/clusters/abc", VirtualPath("root:a", "abc", "/")),
        (f"{PREFIX}/whatever/apis", VirtualPath("whatever", "", "/apis")),
        (f"{PREFIX}/whatever", VirtualPath("whatever", "", "/")),
        (f"{PREFIX}/root:a/clusters/root:org/api", None),  # a path, not a logical cluster name
        (f"{PREFIX}//clusters/*/api", None),
        ("/services/apiexport/x", None),
    ],
)
def test_parse(path: str, expected: VirtualPath | None) -> None:
    assert parse(path) == expected


def _lc(phase: str, *initializers: str) -> dict[str, object]:
    return {"metadata": {"name": "cluster"}, "status": {"phase": phase, "initializers": list(initializers)}}


@pytest.mark.parametrize(
    ("obj", "visible"),
    [
        (_lc("Initializing", "root:a", "root:b"), True),
        (_lc("Initializing", "root:b"), False),
        (_lc("Ready", "root:a"), False),
        ({"metadata": {"name": "cluster"}}, False),
    ],
)
def test_visibility(obj: dict[str, object], visible: bool) -> None:
    assert initializing_with("root:a")(obj) is visible


@pytest.mark.parametrize(
    ("before", "after", "allowed"),
    [
        (["root:a", "root:b"], ["root:b"], True),
        (["root:a", "root:b"], ["root:a", "root:b"], True),  # status change that leaves initializers alone
        (["root:a", "root:b"], ["root:a"], False),  # removing another initializer
        (["root:a", "root:b"], [], False),
        (["root:a"], ["wrong"], False),  # kcp lets this through (same length); we refuse it
        (["root:a"], ["root:a", "root:c"], False),
    ],
)
def test_only_removing_itself_is_allowed(before: list[str], after: list[str], allowed: bool) -> None:
    old, new = _lc("Initializing", *before), _lc("Initializing", *after)
    if allowed:
        check_initializers_change(old, new, "root:a")
        return
    with pytest.raises(StatusError) as raised:
        check_initializers_change(old, new, "root:a")
    assert raised.value.code == 422
    assert 'only removing the "root:a" initializer is supported' in str(raised.value.to_status()["message"])
