"""kubectl_ws.paths: kcp's logical-cluster path semantics and how `kubectl ws` arguments become paths."""

from __future__ import annotations

import pytest
from kubectl_ws.paths import (
    LEGACY_ROOT_NOTE,
    ROOT,
    LogicalPath,
    PathError,
    absolute_name,
    expand_home,
    home_path_from_url,
    is_valid_path_segment_name,
    parse_cluster_url,
    preprocess,
    resolve_dots,
)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("root", True),
        ("root:org:team-a", True),
        ("*", True),
        ("a", True),
        ("1abc", True),
        ("", False),
        ("Root", False),
        ("root:", False),
        (":root", False),
        ("root::a", False),
        ("-a", False),
        ("a-", False),
        ("ju:nk§", False),
        ("a" * 63, True),
        ("a" * 64, False),
        ("root:..", False),
    ],
)
def test_validity_follows_logicalcluster(value: str, valid: bool) -> None:
    assert LogicalPath(value).is_valid() is valid


def test_parent_split_base_join() -> None:
    path = LogicalPath("root:org:team")
    assert path.split() == (LogicalPath("root:org"), "team")
    assert path.parent() == (LogicalPath("root:org"), True)
    assert path.base == "team"
    assert ROOT.parent() == (LogicalPath(), False)
    assert ROOT.split() == (LogicalPath(), "root")
    assert LogicalPath().join("root") == ROOT
    assert ROOT.join("org") == LogicalPath("root:org")


def test_system_paths_are_not_split() -> None:
    # logicalcluster: "system:..." is a single name, its Split keeps it whole with no last name.
    assert LogicalPath("system:admin").split() == (LogicalPath("system:admin"), "")


@pytest.mark.parametrize(
    ("path", "prefix", "expected"),
    [
        ("root:org", "root", True),
        ("root", "root", True),
        ("rooty", "root", False),
        ("root:a", "", True),
        ("root:org", "root:", True),
        ("root", "root:org", False),
    ],
)
def test_has_prefix(path: str, prefix: str, expected: bool) -> None:
    assert LogicalPath(path).has_prefix(LogicalPath(prefix)) is expected


def test_request_path_and_top() -> None:
    assert LogicalPath("root:org").request_path() == "/clusters/root:org"
    assert LogicalPath("root:org:team").top() == ROOT
    assert LogicalPath("my-root:foo").top() == LogicalPath("my-root")
    assert ROOT.top() == ROOT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("root:foo:bar:..", "root:foo"),
        ("root:foo:bar:baz:..:..", "root:foo"),
        ("root:foo:bar:..:bar:baz:..:baz", "root:foo:bar:baz"),
        ("root:foo:.:bar:.:.:baz:.", "root:foo:bar:baz"),
        ("root:..:other", "other"),
    ],
)
def test_resolve_dots(text: str, expected: str) -> None:
    assert resolve_dots(text) == LogicalPath(expected)


def test_resolve_dots_cannot_go_above_the_top() -> None:
    with pytest.raises(PathError, match="^cannot go up from root$"):
        resolve_dots("root:..:..")


def test_parse_cluster_url_splits_base_and_path() -> None:
    base, path = parse_cluster_url("https://kcp.example:6443/clusters/root:org")
    assert path == LogicalPath("root:org")
    assert base.base == "https://kcp.example:6443"
    assert base.with_path(LogicalPath("root:org:team")) == "https://kcp.example:6443/clusters/root:org:team"


def test_parse_cluster_url_keeps_a_prefix_and_ignores_what_follows_the_path() -> None:
    base, path = parse_cluster_url("https://proxy/kcp/clusters/root:a/apis/x")
    assert path == LogicalPath("root:a")
    assert base.with_path(ROOT) == "https://proxy/kcp/clusters/root"
    assert base.base == "https://proxy"


@pytest.mark.parametrize("host", ["https://test", "https://test/", "https://test/clusters/", "https://t/clusters/Bad"])
def test_parse_cluster_url_refuses_urls_without_a_workspace(host: str) -> None:
    with pytest.raises(PathError):
        parse_cluster_url(host)


def test_preprocess_maps_shell_home_slashes_and_legacy_root() -> None:
    assert preprocess("/home/sts", home_dir="/home/sts", short=False).name == "~"
    assert preprocess("/home/sts/bar/baz", home_dir="/home/sts", short=False).name == "~:bar:baz"
    assert preprocess("../..", home_dir="/home/sts", short=False).name == "..:.."
    legacy = preprocess("root:foo", home_dir="", short=False)
    assert (legacy.name, legacy.notes) == (":root:foo", (LEGACY_ROOT_NOTE,))
    # kcp: a bare "root" is always rewritten (even with --short); "root:x" only without it.
    assert preprocess("root", home_dir="", short=True).name == ":root"
    assert preprocess("root:foo", home_dir="", short=True).name == "root:foo"
    assert preprocess("rooty", home_dir="", short=False).notes == ()


def test_no_argument_means_home() -> None:
    home = preprocess("", home_dir="/home/sts", short=False)
    assert (home.name, home.went_home_implicitly) == ("~", True)
    assert preprocess("~", home_dir="", short=False).went_home_implicitly is False


def test_absolute_relative_and_home_names() -> None:
    current = LogicalPath("root:foo")
    assert absolute_name(":root:a:b", current) == "root:a:b"
    assert absolute_name("bar:baz", current) == "root:foo:bar:baz"
    assert absolute_name("..", current) == "root:foo:.."
    home = LogicalPath("root:users:ab:cd:user-name")
    assert expand_home("~", home) == ":root:users:ab:cd:user-name"
    assert expand_home("~:bar", home) == ":root:users:ab:cd:user-name:bar"
    assert home_path_from_url("https://test/clusters/root:users:ab:cd:user-name") == home


def test_client_go_refuses_dot_names() -> None:
    assert not is_valid_path_segment_name("..")
    assert not is_valid_path_segment_name(".")
    assert not is_valid_path_segment_name("a/b")
    assert is_valid_path_segment_name("~")
    assert is_valid_path_segment_name("team-a")
