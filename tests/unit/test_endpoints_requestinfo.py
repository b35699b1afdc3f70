"""Request paths → (logical cluster, API path) → meaning, as upstream's RequestInfoFactory reads them."""

from __future__ import annotations

import pytest

from shard.endpoints.requestinfo import ApiPath, ResourcePath, parse, split_cluster


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/clusters/root/api/v1", ("root", "/api/v1")),
        (
            "/clusters/root:org:team/apis/rbac.authorization.k8s.io/v1/roles",
            ("root:org:team", "/apis/rbac.authorization.k8s.io/v1/roles"),
        ),
        ("/clusters/root", ("root", "/")),
        ("/clusters/root/", ("root", "/")),
        ("/clusters/*/api/v1/configmaps", ("*", "/api/v1/configmaps")),
        ("/clusters/2x9f0a1b3c4d5e6g/openapi/v3", ("2x9f0a1b3c4d5e6g", "/openapi/v3")),
    ],
)
def test_split_cluster(path: str, expected: tuple[str, str]) -> None:
    assert split_cluster(path) == expected


@pytest.mark.parametrize("path", ["/api/v1", "/", "/clusters", "/clustersx/root/api", "/services/apiexport/x"])
def test_split_cluster_outside_clusters_is_none(path: str) -> None:
    assert split_cluster(path) is None


CORE = ("", "v1")
RBAC = ("rbac.authorization.k8s.io", "v1")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # core group, namespaced
        ("/api/v1/configmaps", ResourcePath(*CORE, "configmaps")),
        ("/api/v1/namespaces/default/configmaps", ResourcePath(*CORE, "configmaps", "default")),
        ("/api/v1/namespaces/default/configmaps/", ResourcePath(*CORE, "configmaps", "default")),
        ("/api/v1/namespaces/default/configmaps/cm1", ResourcePath(*CORE, "configmaps", "default", "cm1")),
        (
            "/api/v1/namespaces/default/configmaps/cm1/status",
            ResourcePath(*CORE, "configmaps", "default", "cm1", "status"),
        ),
        (
            "/api/v1/namespaces/default/serviceaccounts/sa1/token",
            ResourcePath(*CORE, "serviceaccounts", "default", "sa1", "token"),
        ),
        # a namespace's own subresources are not a namespaced resource called "status"
        ("/api/v1/namespaces", ResourcePath(*CORE, "namespaces")),
        ("/api/v1/namespaces/default", ResourcePath(*CORE, "namespaces", name="default")),
        (
            "/api/v1/namespaces/default/status",
            ResourcePath(*CORE, "namespaces", name="default", subresource="status"),
        ),
        (
            "/api/v1/namespaces/kube-system/finalize",
            ResourcePath(*CORE, "namespaces", name="kube-system", subresource="finalize"),
        ),
        # named groups, namespaced and cluster-scoped
        (
            "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l1",
            ResourcePath("coordination.k8s.io", "v1", "leases", "kube-system", "l1"),
        ),
        ("/apis/rbac.authorization.k8s.io/v1/clusterroles", ResourcePath(*RBAC, "clusterroles")),
        (
            "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin",
            ResourcePath(*RBAC, "clusterroles", name="admin"),
        ),
        (
            "/apis/rbac.authorization.k8s.io/v1/namespaces/ns1/rolebindings/rb",
            ResourcePath(*RBAC, "rolebindings", "ns1", "rb"),
        ),
        (
            "/apis/core.kcp.io/v1alpha1/logicalclusters/cluster/status",
            ResourcePath("core.kcp.io", "v1alpha1", "logicalclusters", name="cluster", subresource="status"),
        ),
        # legacy /watch/ prefix
        ("/api/v1/watch/configmaps", ResourcePath(*CORE, "configmaps", legacy_watch=True)),
        ("/api/v1/watch/namespaces", ResourcePath(*CORE, "namespaces", legacy_watch=True)),
        (
            "/api/v1/watch/namespaces/default",
            ResourcePath(*CORE, "namespaces", name="default", legacy_watch=True),
        ),
        (
            "/api/v1/watch/namespaces/default/configmaps",
            ResourcePath(*CORE, "configmaps", "default", legacy_watch=True),
        ),
        (
            "/api/v1/watch/namespaces/default/configmaps/cm1",
            ResourcePath(*CORE, "configmaps", "default", "cm1", legacy_watch=True),
        ),
        (
            "/apis/rbac.authorization.k8s.io/v1/watch/clusterroles/admin",
            ResourcePath(*RBAC, "clusterroles", name="admin", legacy_watch=True),
        ),
    ],
)
def test_resource_paths(path: str, expected: ResourcePath) -> None:
    assert parse(path) == expected


def test_legacy_watch_of_a_namespace_subresource_stays_a_watch() -> None:
    # Upstream's RequestInfo for /api/v1/watch/namespaces/default/status has verb "watch" (resource
    # namespaces, name default, subresource status); no handler serves it, so it must never be read as
    # a plain GET of the status.
    parsed = parse("/api/v1/watch/namespaces/default/status")
    assert parsed is None or (isinstance(parsed, ResourcePath) and parsed.legacy_watch)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", ApiPath("root")),
        ("", ApiPath("root")),
        ("/api", ApiPath("api")),
        ("/api/", ApiPath("api")),
        ("/api/v1", ApiPath("group_version", version="v1")),
        ("/apis", ApiPath("apis")),
        ("/apis/rbac.authorization.k8s.io", ApiPath("group", group="rbac.authorization.k8s.io")),
        (
            "/apis/rbac.authorization.k8s.io/v1",
            ApiPath("group_version", group="rbac.authorization.k8s.io", version="v1"),
        ),
        ("/openapi/v2", ApiPath("openapi", rest="v2")),
        ("/openapi/v3", ApiPath("openapi", rest="v3")),
        ("/openapi/v3/api/v1", ApiPath("openapi", rest="v3/api/v1")),
        (
            "/openapi/v3/apis/coordination.k8s.io/v1",
            ApiPath("openapi", rest="v3/apis/coordination.k8s.io/v1"),
        ),
        ("/version", ApiPath("version")),
        ("/version/", ApiPath("version")),
        ("/healthz", ApiPath("healthz")),
        ("/healthz/etcd", ApiPath("healthz", rest="etcd")),
        ("/livez", ApiPath("livez")),
        ("/livez/ping", ApiPath("livez", rest="ping")),
        ("/readyz", ApiPath("readyz")),
        ("/metrics", ApiPath("metrics")),
    ],
)
def test_api_paths(path: str, expected: ApiPath) -> None:
    assert parse(path) == expected


@pytest.mark.parametrize(
    "path",
    [
        "/foo",
        "/foo/bar",
        "/version/extra",
        "/healthz/a/b",
        "/api/v1/watch",
        "/apis/rbac.authorization.k8s.io/v1/watch",
        "/ap",
        "/swagger.json",
    ],
)
def test_unknown_paths_are_none(path: str) -> None:
    assert parse(path) is None


def test_parsing_a_path_split_from_its_cluster() -> None:
    split = split_cluster("/clusters/root:org/api/v1/namespaces/default/configmaps/cm1")
    assert split is not None
    cluster, api_path = split
    assert cluster == "root:org"
    assert parse(api_path) == ResourcePath("", "v1", "configmaps", "default", "cm1")
