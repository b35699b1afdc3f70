"""The garbage collector's graph holds a node per object of the shard: nodes stay small."""

from __future__ import annotations

import orjson

from shard.controllers.garbagecollector.graph import Node


def decoded(name: str, namespace: str, uid: str) -> dict[str, object]:
    """A fresh object as a watch delivers it (every string a new one)."""
    obj: dict[str, object] = orjson.loads(
        orjson.dumps({"metadata": {"name": name, "namespace": namespace, "uid": uid}})
    )
    return obj


def test_nodes_share_their_cluster_namespace_and_name_strings() -> None:
    first = Node.of("/registry/core/configmaps/c1/default/a", decoded("kube-root-ca.crt", "default", "u1"), "c1")
    cluster = "".join(["c", "1"])  # another str object of the same value
    second = Node.of("/registry/core/configmaps/c1/default/b", decoded("kube-root-ca.crt", "default", "u2"), cluster)
    assert first.cluster is second.cluster and first.namespace is second.namespace and first.name is second.name
    assert not hasattr(first, "__dict__")


def test_a_node_of_an_object_without_names() -> None:
    node = Node.of("/registry/x/y/c1/n", {"metadata": {"uid": "u", "name": None}}, "c1")
    assert (node.namespace, node.name, node.owners, node.finalizers) == ("", "", (), ())
