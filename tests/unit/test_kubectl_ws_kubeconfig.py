"""kubectl_ws.kubeconfig and kubectl_ws.contexts: reading, rewriting and writing kubeconfigs like kcp's plugin.

The rewrite cases mirror kcp's own expectations for `workspace.kcp.io/current` and
`workspace.kcp.io/previous` (entering from the plugin's context or from any other context, `-`
with and without the plugin's clusters, create-context).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubectl_ws import contexts
from kubectl_ws.contexts import CURRENT, PREVIOUS, RewriteError
from kubectl_ws.kubeconfig import Config, Entry, KubeconfigError, LoadingRules, load_file
from kubectl_ws.kubeconfig_write import modify_config, serialize
from kubectl_ws.restconfig import Overrides, client_config

# --- pure rewrites (kcp's expectations) -------------------------------------------------------------


def kcp_config(current: str | None = None, previous: str | None = None) -> Config:
    """kcp's test builder: the plugin's contexts on `https://test/clusters/<path>`, user `test`."""
    config = Config(users={"test": Entry({"token": "test"})})
    if current is not None:
        config.current_context = CURRENT
        config.contexts[CURRENT] = Entry({"cluster": CURRENT, "user": "test"})
        config.clusters[CURRENT] = Entry({"server": f"https://test/clusters/{current}"})
    if previous is not None:
        config.contexts[PREVIOUS] = Entry({"cluster": PREVIOUS, "user": "test"})
        config.clusters[PREVIOUS] = Entry({"server": f"https://test/clusters/{previous}"})
    return config


def test_enter_from_the_plugins_context_moves_it_to_previous() -> None:
    start = kcp_config("root:foo")
    new = contexts.enter(start, start.contexts[CURRENT], "https://test/clusters/root:foo:bar")
    assert new == kcp_config("root:foo:bar", previous="root:foo")
    assert start == kcp_config("root:foo"), "the starting config is not changed"


def test_enter_from_another_context_keeps_that_context_as_previous() -> None:
    # kcp's "create, use after creation": previous is a copy of the old context, no previous cluster.
    start = Config(
        clusters={"test": Entry({"server": "https://test/clusters/root:foo"})},
        contexts={"test": Entry({"cluster": "test", "user": "test"})},
        users={"test": Entry({"token": "test"})},
        current_context="test",
    )
    new = contexts.enter(start, start.contexts["test"], "https://test/clusters/root:foo:bar")
    assert new == Config(
        clusters={
            "test": Entry({"server": "https://test/clusters/root:foo"}),
            CURRENT: Entry({"server": "https://test/clusters/root:foo:bar"}),
        },
        contexts={
            "test": Entry({"cluster": "test", "user": "test"}),
            CURRENT: Entry({"cluster": CURRENT, "user": "test"}),
            PREVIOUS: Entry({"cluster": "test", "user": "test"}),
        },
        users={"test": Entry({"token": "test"})},
        current_context=CURRENT,
    )


def test_enter_copies_every_cluster_and_context_field_and_the_origin() -> None:
    cluster = Entry(
        {"server": "https://h/clusters/root", "certificate-authority-data": "Q0E=", "tls-server-name": "kcp"},
        origin="/cfg/a",
    )
    context = Entry({"cluster": "admin", "user": "u", "namespace": "ns"}, origin="/cfg/b")
    start = Config(clusters={"admin": cluster}, contexts={"admin": context}, current_context="admin")
    new = contexts.enter(start, context, "https://h/clusters/root:org")
    assert new.clusters[CURRENT] == Entry({**cluster.data, "server": "https://h/clusters/root:org"}, origin="/cfg/a")
    assert new.contexts[CURRENT] == Entry({"cluster": CURRENT, "user": "u", "namespace": "ns"}, origin="/cfg/b")
    assert new.contexts[PREVIOUS] == context


def test_enter_needs_the_current_cluster() -> None:
    start = Config(contexts={"x": Entry({"cluster": "gone", "user": "u"})}, current_context="x")
    with pytest.raises(RewriteError, match='^cluster "gone" not found in kubeconfig$'):
        contexts.enter(start, start.contexts["x"], "https://h/clusters/root")


def test_swap_with_the_plugins_contexts() -> None:
    start = kcp_config("root:foo", previous="root:foo:bar")
    assert contexts.swap(start, start.contexts[CURRENT]) == kcp_config("root:foo:bar", previous="root:foo")


def test_swap_without_previous_fails() -> None:
    start = kcp_config("root:foo")
    with pytest.raises(RewriteError, match="^no previous workspace found in kubeconfig$"):
        contexts.swap(start, start.contexts[CURRENT])


def test_swap_to_a_non_workspace_context() -> None:
    """kcp's "- with non-cluster context"."""
    start = Config(
        current_context=CURRENT,
        contexts={
            CURRENT: Entry({"cluster": CURRENT, "user": "test"}),
            PREVIOUS: Entry({"cluster": "other", "user": "other"}),
            "other": Entry({"cluster": "other", "user": "other"}),
        },
        clusters={
            CURRENT: Entry({"server": "https://test/clusters/root:foo"}),
            "other": Entry({"server": "https://other/"}),
        },
        users={"test": Entry({"token": "test"}), "other": Entry({"token": "test"})},
    )
    new = contexts.swap(start, start.contexts[CURRENT])
    assert new.contexts == {
        CURRENT: Entry({"cluster": "other", "user": "other"}),
        PREVIOUS: Entry({"cluster": PREVIOUS, "user": "test"}),
        "other": Entry({"cluster": "other", "user": "other"}),
    }
    assert new.clusters == {
        CURRENT: Entry({"server": "https://test/clusters/root:foo"}),
        PREVIOUS: Entry({"server": "https://test/clusters/root:foo"}),
        "other": Entry({"server": "https://other/"}),
    }
    assert new.current_context == CURRENT
    assert contexts.current_server(new) == "https://other/"


def test_swap_between_two_foreign_contexts() -> None:
    """kcp's "- with non-cluster context, with non-cluster previous context": clusters untouched."""
    start = Config(
        current_context="other",
        contexts={
            CURRENT: Entry({"cluster": CURRENT, "user": "test"}),
            PREVIOUS: Entry({"cluster": "other2", "user": "other2"}),
            "other": Entry({"cluster": "other", "user": "other"}),
            "other2": Entry({"cluster": "other2", "user": "other2"}),
        },
        clusters={
            CURRENT: Entry({"server": "https://test/clusters/root:foo"}),
            "other": Entry({"server": "https://other/"}),
            "other2": Entry({"server": "https://other2/"}),
        },
    )
    new = contexts.swap(start, start.contexts["other"])
    assert new.contexts[CURRENT] == Entry({"cluster": "other2", "user": "other2"})
    assert new.contexts[PREVIOUS] == Entry({"cluster": "other", "user": "other"})
    assert new.clusters == start.clusters
    assert new.current_context == CURRENT


def test_create_context_named_after_the_workspace_and_switched_to() -> None:
    start = kcp_config("root:foo")
    created = contexts.create_context(start, name="", cluster_url="", overwrite=False, keep_current=False)
    assert created.message == 'Created context "root:foo" and switched to it.'
    assert created.config.contexts["root:foo"] == Entry({"cluster": "root:foo", "user": "test"})
    assert created.config.clusters["root:foo"] == Entry({"server": "https://test/clusters/root:foo"})
    assert created.config.current_context == "root:foo"


def test_create_context_keep_current_overwrite_and_refusal() -> None:
    start = kcp_config("root:foo")
    created = contexts.create_context(
        start, name="mine", cluster_url="https://test/clusters/root:foo:bar", overwrite=False, keep_current=True
    )
    assert created.message == 'Created context "mine".'
    assert created.config.clusters["mine"].get("server") == "https://test/clusters/root:foo:bar"
    assert created.config.current_context == CURRENT
    with pytest.raises(RewriteError, match='^context "mine" already exists in kubeconfig, use --overwrite to update'):
        contexts.create_context(created.config, name="mine", cluster_url="", overwrite=False, keep_current=False)
    updated = contexts.create_context(created.config, name="mine", cluster_url="", overwrite=True, keep_current=False)
    assert updated.message == 'Updated context "mine" and switched to it.'


def test_create_context_needs_a_workspace_url() -> None:
    start = Config(
        contexts={"x": Entry({"cluster": "x", "user": "u"})},
        clusters={"x": Entry({"server": "https://plain"})},
        current_context="x",
    )
    with pytest.raises(RewriteError, match='^current URL "https://plain" does not point to a workspace$'):
        contexts.create_context(start, name="", cluster_url="", overwrite=False, keep_current=False)


# --- files ------------------------------------------------------------------------------------------


def write_yaml(path: Path, document: dict[str, Any]) -> str:
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return str(path)


def named(section: str, inner: str, **entries: dict[str, Any]) -> dict[str, Any]:
    return {section: [{"name": name, inner: body} for name, body in entries.items()]}


def test_load_resolves_relative_file_references_and_records_origins(tmp_path: Path) -> None:
    path = write_yaml(
        tmp_path / "config",
        {
            **named(
                "clusters", "cluster", root={"server": "https://h/clusters/root", "certificate-authority": "ca.crt"}
            ),
            **named(
                "users",
                "user",
                admin={"client-certificate": "certs/a.crt", "client-key": "/abs/a.key", "tokenFile": "tok"},
            ),
            **named("contexts", "context", root={"cluster": "root", "user": "admin"}),
            "current-context": "root",
        },
    )
    config = load_file(path)
    assert config.clusters["root"] == Entry(
        {"server": "https://h/clusters/root", "certificate-authority": str(tmp_path / "ca.crt")}, path
    )
    assert config.users["admin"].data == {
        "client-certificate": str(tmp_path / "certs/a.crt"),
        "client-key": "/abs/a.key",
        "tokenFile": str(tmp_path / "tok"),
    }
    assert config.current_context == "root"


def test_kubeconfig_env_merges_first_file_wins(tmp_path: Path) -> None:
    first = write_yaml(
        tmp_path / "a", {**named("clusters", "cluster", c={"server": "https://a"}), "current-context": ""}
    )
    second = write_yaml(
        tmp_path / "b",
        {
            **named("clusters", "cluster", c={"server": "https://b"}, d={"server": "https://d"}),
            "current-context": "ctx",
        },
    )
    rules = LoadingRules.from_environment(
        None, {"KUBECONFIG": os.pathsep.join([first, str(tmp_path / "gone"), second, first])}
    )
    assert rules.loading_precedence() == [first, str(tmp_path / "gone"), second]
    config = rules.load()
    assert config.clusters["c"] == Entry({"server": "https://a"}, first)
    assert config.clusters["d"].origin == second
    assert config.current_context == "ctx"
    assert rules.default_filename() == first


def test_explicit_kubeconfig_must_exist(tmp_path: Path) -> None:
    rules = LoadingRules.from_environment(str(tmp_path / "nope"), {"KUBECONFIG": "/elsewhere"})
    assert rules.loading_precedence() == [str(tmp_path / "nope")]
    with pytest.raises(KubeconfigError, match="no such file or directory"):
        rules.load()


def test_default_location_is_home_kube_config(tmp_path: Path) -> None:
    rules = LoadingRules.from_environment(None, {"HOME": str(tmp_path)})
    assert rules.loading_precedence() == [str(tmp_path / ".kube" / "config")]
    assert rules.load() == Config()


def test_modify_writes_changes_like_kubectl(tmp_path: Path) -> None:
    (tmp_path / "ca.crt").write_text("x")
    path = write_yaml(
        tmp_path / "config",
        {
            "apiVersion": "v1",
            "kind": "Config",
            **named(
                "clusters", "cluster", root={"server": "https://h/clusters/root", "certificate-authority": "ca.crt"}
            ),
            **named("users", "user", admin={"token": "t"}),
            **named("contexts", "context", root={"cluster": "root", "user": "admin"}),
            "current-context": "root",
        },
    )
    os.chmod(path, 0o640)
    rules = LoadingRules.from_environment(path, {})
    start = rules.load()
    modify_config(rules, start, contexts.enter(start, start.contexts["root"], "https://h/clusters/root:org"))

    text = Path(path).read_text(encoding="utf-8")
    assert (
        text
        == """\
apiVersion: v1
clusters:
- cluster:
    certificate-authority: ca.crt
    server: https://h/clusters/root
  name: root
- cluster:
    certificate-authority: ca.crt
    server: https://h/clusters/root:org
  name: workspace.kcp.io/current
contexts:
- context:
    cluster: root
    user: admin
  name: root
- context:
    cluster: workspace.kcp.io/current
    user: admin
  name: workspace.kcp.io/current
- context:
    cluster: root
    user: admin
  name: workspace.kcp.io/previous
current-context: workspace.kcp.io/current
kind: Config
preferences: {}
users:
- name: admin
  user:
    token: t
"""
    )
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640, "an existing file keeps its mode"
    assert not Path(path + ".lock").exists()

    again = rules.load()
    modify_config(rules, again, contexts.enter(again, again.contexts[CURRENT], "https://h/clusters/root:org:a"))
    final = rules.load()
    assert final.clusters[PREVIOUS].get("server") == "https://h/clusters/root:org"
    assert final.contexts[PREVIOUS] == Entry({"cluster": PREVIOUS, "user": "admin"}, path)


def test_modify_writes_each_entry_to_its_own_file(tmp_path: Path) -> None:
    clusters = write_yaml(
        tmp_path / "clusters", named("clusters", "cluster", root={"server": "https://h/clusters/root"})
    )
    users = write_yaml(
        tmp_path / "users",
        {
            **named("users", "user", admin={"token": "t"}),
            **named("contexts", "context", root={"cluster": "root", "user": "admin"}),
            "current-context": "root",
        },
    )
    users_before = Path(users).read_text(encoding="utf-8")
    rules = LoadingRules.from_environment(None, {"KUBECONFIG": os.pathsep.join([clusters, users])})
    start = rules.load()
    modify_config(rules, start, contexts.enter(start, start.contexts["root"], "https://h/clusters/root:a"))
    clusters_doc = yaml.safe_load(Path(clusters).read_text(encoding="utf-8"))
    users_doc = yaml.safe_load(Path(users).read_text(encoding="utf-8"))
    # The new cluster goes where the copied cluster came from, the contexts where the copied context came
    # from, and current-context into the default (first existing) file.
    assert [c["name"] for c in clusters_doc["clusters"]] == ["root", CURRENT]
    assert [c["name"] for c in users_doc["contexts"]] == ["root", CURRENT, PREVIOUS]
    assert clusters_doc["current-context"] == CURRENT
    assert users_doc["current-context"] == "root"
    assert users_doc["users"] == [{"name": "admin", "user": {"token": "t"}}]
    assert users_before != Path(users).read_text(encoding="utf-8")
    assert rules.load().current_context == CURRENT


def test_modify_refuses_while_locked(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "config", named("clusters", "cluster", c={"server": "https://h"}))
    Path(path + ".lock").touch()
    rules = LoadingRules.from_environment(path, {})
    start = rules.load()
    changed = start.copy()
    changed.current_context = "c"
    with pytest.raises(KubeconfigError, match="file exists"):
        modify_config(rules, start, changed)


def test_serialize_keeps_long_values_on_one_line_and_empty_sections_null() -> None:
    data = "QUJD" * 100
    text = serialize({**named("clusters", "cluster", c={"server": "https://h", "certificate-authority-data": data})})
    assert f"certificate-authority-data: {data}\n" in text
    assert "contexts: null\n" in text and "users: null\n" in text and 'current-context: ""\n' in text


# --- connection settings ----------------------------------------------------------------------------


def connection_config() -> Config:
    return Config(
        clusters={
            "root": Entry(
                {
                    "server": "https://h:6443/clusters/root",
                    "certificate-authority-data": "Q0E=",
                    "tls-server-name": "kcp",
                }
            ),
            "other": Entry({"server": "https://other/clusters/root:x"}),
        },
        users={"admin": Entry({"token": "t1"}), "bob": Entry({"username": "bob", "password": "pw"})},
        contexts={
            "root": Entry({"cluster": "root", "user": "admin"}),
            "other": Entry({"cluster": "other", "user": "bob"}),
        },
        current_context="root",
    )


def test_client_config_uses_the_current_context() -> None:
    rest = client_config(connection_config(), Overrides())
    assert (rest.host, rest.ca_data, rest.server_name, rest.token) == (
        "https://h:6443/clusters/root",
        b"CA",
        "kcp",
        "t1",
    )


def test_client_config_overrides() -> None:
    rest = client_config(connection_config(), Overrides(context="other"))
    assert (rest.host, rest.username, rest.password, rest.token) == ("https://other/clusters/root:x", "bob", "pw", "")
    rest = client_config(
        connection_config(),
        Overrides(server="https://s/clusters/root:y", token="t2", user="bob", insecure_skip_tls_verify=True),
    )
    assert (rest.host, rest.token, rest.username, rest.insecure, rest.ca_data, rest.server_name) == (
        "https://s/clusters/root:y",
        "t2",
        "bob",
        True,
        b"",
        "",
    )


def test_client_config_errors() -> None:
    with pytest.raises(KubeconfigError, match="^invalid configuration: context was not found for specified context: x"):
        client_config(connection_config(), Overrides(context="x"))
    with pytest.raises(KubeconfigError, match="^invalid configuration: no configuration has been provided"):
        client_config(Config(), Overrides())
    broken = Config(clusters={"c": Entry({})}, contexts={"c": Entry({"cluster": "c"})}, current_context="c")
    with pytest.raises(KubeconfigError, match='^invalid configuration: no server found for cluster "c"$'):
        client_config(broken, Overrides())
