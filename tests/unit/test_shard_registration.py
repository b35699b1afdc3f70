"""A shard's declaration of its Shard object: URLs, labels, capacity, and how they meet what root holds."""

from __future__ import annotations

from typing import Any

import pytest
from kplane.shard import OptionError, parse_capacity, parse_labels

from shard.registry.shardobjects import DEFAULT_CAPACITY, ShardRegistration, merged, with_capacity

REGISTRATION = ShardRegistration("s1", "https://10.0.0.2:6443", "https://proxy", labels={"region": "eu"})


def test_the_shard_object_carries_urls_and_labels() -> None:
    shard = REGISTRATION.shard_object()
    assert shard["metadata"]["labels"] == {"region": "eu", "name": "s1"}
    assert shard["spec"] == {
        "baseURL": "https://10.0.0.2:6443",
        "externalURL": "https://proxy",
        "virtualWorkspaceURL": "https://10.0.0.2:6443",
    }


def test_the_name_label_cannot_be_overridden() -> None:
    assert ShardRegistration("s1", "https://a", labels={"name": "other"}).all_labels() == {"name": "s1"}


def test_declared_labels_and_urls_win_other_labels_stay() -> None:
    current: dict[str, Any] = {
        "metadata": {"name": "s1", "labels": {"name": "s1", "region": "us", "team": "x"}},
        "spec": {"baseURL": "https://old"},
    }
    updated = merged(current, REGISTRATION)
    assert updated is not None
    assert updated["metadata"]["labels"] == {"name": "s1", "region": "eu", "team": "x"}
    assert updated["spec"]["baseURL"] == "https://10.0.0.2:6443"
    assert merged(updated, REGISTRATION) is None  # nothing left to write


@pytest.mark.parametrize(
    ("declared", "held", "expected"),
    [
        ("", None, DEFAULT_CAPACITY),  # nothing anywhere: the default
        ("", "500", None),  # an operator's value is kept
        ("800", "500", "800"),  # a declared capacity wins
        ("500", "500", None),  # already so: no write
    ],
)
def test_capacity(declared: str, held: str | None, expected: str | None) -> None:
    current: dict[str, Any] = {"status": {"capacity": {"workspaces": held}}} if held else {}
    updated = with_capacity(current, ShardRegistration("s1", "https://a", capacity=declared))
    if expected is None:
        assert updated is None
    else:
        assert updated is not None and updated["status"]["capacity"]["workspaces"] == expected


def test_flag_parsing() -> None:
    assert parse_labels("region=eu, tier=gold") == (("region", "eu"), ("tier", "gold"))
    assert parse_labels("") == ()
    assert parse_capacity("250") == "250"
    for bad_labels in ("region", "=eu"):
        with pytest.raises(OptionError):
            parse_labels(bad_labels)
    for bad_capacity in ("0", "-3", "lots"):
        with pytest.raises(OptionError):
            parse_capacity(bad_capacity)
