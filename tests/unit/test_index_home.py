"""Home workspace naming: kcp's HomeClusterName vectors, the `user:` rewrite, and the `~` answer."""

from __future__ import annotations

import pytest

from apimachinery.index.home import home_cluster_name, rewrite_home_path
from apimachinery.index.state import PathIndex, lookup
from shard.registry.context import UserInfo
from shard.registry.homes import home_logical_cluster, home_workspace


@pytest.mark.parametrize(
    ("user", "cluster"),
    [
        ("", "36ks9xj4a2n61"),
        ("alice", "v1u4alow0iv9"),
        ("bob", "2okdry95y5lkv"),
        ("user-with-dash", "1e25681jymk1l"),
        ("user:with:colons", "2bqfj6xlthg3t"),
        ("user172", "0f9mt7goyif7"),  # leading zero byte
    ],
)
def test_home_cluster_name_matches_kcp(user: str, cluster: str) -> None:
    assert home_cluster_name(user) == cluster


@pytest.mark.parametrize(
    ("path", "rewritten"),
    [
        ("user:alice", "v1u4alow0iv9"),
        ("user:alice:team:x", "v1u4alow0iv9:team:x"),
        ("user", "user"),
        ("root:user:alice", "root:user:alice"),
        ("root", "root"),
    ],
)
def test_user_paths_are_rewritten_to_the_home_cluster(path: str, rewritten: str) -> None:
    assert rewrite_home_path(path) == rewritten


def test_lookup_follows_children_of_a_home() -> None:
    index = PathIndex()
    index.set_cluster("v1u4alow0iv9", "shard-1")
    index.set_cluster("child", "shard-1")
    index.set_workspace("v1u4alow0iv9", "team", "child")
    located = lookup(index, "user:alice:team")
    assert located is not None and located.cluster_name == "child"


def test_home_logical_cluster_and_the_workspace_answered_for_it() -> None:
    user = UserInfo("alice", ("devs",))
    logical_cluster = home_logical_cluster(user, ["root:x"])
    annotations = logical_cluster["metadata"]["annotations"]
    assert annotations["kcp.io/path"] == "user:alice"
    assert annotations["internal.tenancy.kcp.io/type"] == "root:home"
    assert annotations["experimental.tenancy.kcp.io/owner"] == '{"username":"alice","groups":["devs"]}'
    assert logical_cluster["spec"] == {
        "createdBy": {"username": "alice", "groups": ["devs"]},
        "initializers": ["root:x"],
    }
    logical_cluster["metadata"]["annotations"]["kcp.io/cluster"] = "v1u4alow0iv9"
    logical_cluster["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z"
    logical_cluster["status"] = {"phase": "Ready", "URL": "https://h/clusters/v1u4alow0iv9"}
    assert home_workspace(logical_cluster) == {
        "kind": "Workspace",
        "apiVersion": "tenancy.kcp.io/v1alpha1",
        "metadata": {"name": "cluster", "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"cluster": "v1u4alow0iv9", "URL": "https://h/clusters/v1u4alow0iv9"},
        "status": {"phase": "Ready"},
    }
