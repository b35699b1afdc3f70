"""Impersonation headers: one `impersonate` check per requested attribute, upstream's texts, kcp's limits."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from apimachinery import errors
from shard.auth.authz import Attributes, Decision
from shard.auth.impersonation import SCOPES_EXTRA, impersonate, impersonation_requests, split_service_account
from shard.registry.context import UserInfo

BOB = UserInfo("bob", ("devs", "system:authenticated"))
ADMIN = UserInfo("kplane-admin", ("system:masters", "system:authenticated"))


def _headers(*pairs: tuple[str, str]) -> CIMultiDictProxy[str]:
    return CIMultiDictProxy(CIMultiDict(pairs))


class Authorizer:
    """Allows what `allow` says, recording every question."""

    def __init__(self, allow: Callable[[Attributes], bool] = lambda _: True, reason: str = "") -> None:
        self.allow, self.reason = allow, reason
        self.asked: list[Attributes] = []

    async def __call__(self, attributes: Attributes) -> Decision:
        self.asked.append(attributes)
        return Decision(self.allow(attributes), self.reason)


def _asked(authorizer: Authorizer) -> list[tuple[str, str, str, str, str, str]]:
    return [(a.verb, a.api_group, a.resource, a.subresource, a.namespace, a.name) for a in authorizer.asked]


async def test_without_headers_the_user_is_unchanged() -> None:
    authorizer = Authorizer()
    assert await impersonate(BOB, _headers(("Accept", "*/*")), cluster="c1", authorize=authorizer) is BOB
    assert authorizer.asked == []


async def test_every_requested_attribute_is_one_check_in_upstreams_order() -> None:
    authorizer = Authorizer()
    headers = _headers(
        ("Impersonate-Uid", "u-9"),
        ("Impersonate-Extra-Authentication.kcp.io%2fScopes", "cluster:x"),
        ("Impersonate-Group", "qa"),
        ("Impersonate-User", "jane"),
        ("impersonate-group", "ops"),
        ("impersonate-extra-reason", "debug"),
    )
    user = await impersonate(BOB, headers, cluster="c1", authorize=authorizer)
    assert _asked(authorizer) == [
        ("impersonate", "", "users", "", "", "jane"),
        ("impersonate", "", "groups", "", "", "qa"),
        ("impersonate", "", "groups", "", "", "ops"),
        ("impersonate", "authentication.k8s.io", "userextras", "authentication.kcp.io/scopes", "", "cluster:x"),
        ("impersonate", "authentication.k8s.io", "userextras", "reason", "", "debug"),
        ("impersonate", "authentication.k8s.io", "uids", "", "", "u-9"),
    ]
    assert all(a.user is BOB and a.cluster == "c1" for a in authorizer.asked)
    assert user == UserInfo(
        "jane",
        ("qa", "ops", "system:authenticated"),
        "u-9",
        {SCOPES_EXTRA: ("cluster:x", "cluster:c1"), "reason": ("debug",)},  # scoped to the request's cluster
    )


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([("Impersonate-User", "jane")], UserInfo("jane", ("system:authenticated",))),
        (
            [("Impersonate-User", "system:serviceaccount:ns1:robot")],
            UserInfo(
                "system:serviceaccount:ns1:robot",
                ("system:serviceaccounts", "system:serviceaccounts:ns1", "system:authenticated"),
            ),
        ),
        (
            [("Impersonate-User", "system:serviceaccount:ns1:robot"), ("Impersonate-Group", "g")],
            UserInfo("system:serviceaccount:ns1:robot", ("g", "system:authenticated")),
        ),
        ([("Impersonate-User", "system:anonymous")], UserInfo("system:anonymous", ("system:unauthenticated",))),
        (
            [("Impersonate-User", "system:anonymous"), ("Impersonate-Group", "system:unauthenticated")],
            UserInfo("system:anonymous", ("system:unauthenticated",)),
        ),
        (
            [("Impersonate-User", "jane"), ("Impersonate-Group", "system:unauthenticated")],
            UserInfo("jane", ("system:unauthenticated",)),
        ),
        (
            [("Impersonate-User", "jane"), ("Impersonate-Group", "system:authenticated")],
            UserInfo("jane", ("system:authenticated",)),
        ),
    ],
)
async def test_impersonated_groups(pairs: list[tuple[str, str]], expected: UserInfo) -> None:
    # As system:masters, so no scope is added and the comparison is about groups only.
    assert await impersonate(ADMIN, _headers(*pairs), cluster="c1", authorize=Authorizer()) == expected


async def test_service_account_is_authorized_as_a_namespaced_serviceaccount() -> None:
    authorizer = Authorizer()
    headers = _headers(("Impersonate-User", "system:serviceaccount:ns1:robot"))
    await impersonate(BOB, headers, cluster="c1", authorize=authorizer)
    assert _asked(authorizer) == [("impersonate", "", "serviceaccounts", "", "ns1", "robot")]


@pytest.mark.parametrize(
    ("pairs", "denied", "message"),
    [
        (
            [("Impersonate-User", "jane")],
            "users",
            'users "jane" is forbidden: User "bob" cannot impersonate resource "users" in API group "" '
            "at the cluster scope",
        ),
        (
            [("Impersonate-User", "system:serviceaccount:ns1:robot")],
            "serviceaccounts",
            'serviceaccounts "robot" is forbidden: User "bob" cannot impersonate resource "serviceaccounts" in API '
            'group "" in the namespace "ns1"',
        ),
        (
            [("Impersonate-User", "jane"), ("Impersonate-Group", "qa")],
            "groups",
            'groups "qa" is forbidden: User "bob" cannot impersonate resource "groups" in API group "" at the '
            "cluster scope",
        ),
        (
            [("Impersonate-User", "jane"), ("Impersonate-Extra-Scopes", "cluster:x")],
            "userextras",
            'userextras.authentication.k8s.io "cluster:x" is forbidden: User "bob" cannot impersonate resource '
            '"userextras/scopes" in API group "authentication.k8s.io" at the cluster scope',
        ),
        (
            [("Impersonate-User", "jane"), ("Impersonate-Uid", "u-9")],
            "uids",
            'uids.authentication.k8s.io "u-9" is forbidden: User "bob" cannot impersonate resource "uids" in API '
            'group "authentication.k8s.io" at the cluster scope',
        ),
    ],
)
async def test_a_denied_attribute_is_upstreams_403(pairs: list[tuple[str, str]], denied: str, message: str) -> None:
    authorizer = Authorizer(lambda attributes: attributes.resource != denied)
    with pytest.raises(errors.StatusError) as caught:
        await impersonate(BOB, _headers(*pairs), cluster="c1", authorize=authorizer)
    assert (caught.value.code, caught.value.reason, caught.value.message) == (403, "Forbidden", message)
    assert authorizer.asked[-1].resource == denied  # nothing after the first denial is asked


async def test_the_authorizers_reason_is_appended() -> None:
    authorizer = Authorizer(lambda _: False, reason="no RBAC policy matched")
    with pytest.raises(errors.StatusError) as caught:
        await impersonate(BOB, _headers(("Impersonate-User", "jane")), cluster="c1", authorize=authorizer)
    assert caught.value.message.endswith("at the cluster scope: no RBAC policy matched")


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ([("Impersonate-Group", "devs")], "requested [{Group  devs    }] without impersonating a user"),
        (
            [("Impersonate-Group", "a"), ("Impersonate-Group", "b")],
            "requested [{Group  a    } {Group  b    }] without impersonating a user",
        ),
        (
            [("Impersonate-Extra-Scopes", "cluster:x")],
            "requested [{UserExtra  cluster:x  authentication.k8s.io/v1  scopes}] without impersonating a user",
        ),
        (
            [("Impersonate-Uid", "u-9")],
            "requested [{UID  u-9  authentication.k8s.io/v1  }] without impersonating a user",
        ),
        (
            [("Impersonate-User", ""), ("Impersonate-Group", "devs")],
            "requested [{Group  devs    }] without impersonating a user",
        ),
    ],
)
async def test_attributes_without_a_user_are_a_400(pairs: list[tuple[str, str]], message: str) -> None:
    authorizer = Authorizer()
    with pytest.raises(errors.StatusError) as caught:
        await impersonate(ADMIN, _headers(*pairs), cluster="c1", authorize=authorizer)
    assert (caught.value.code, caught.value.reason, caught.value.message) == (400, "BadRequest", message)
    assert authorizer.asked == []


@pytest.mark.parametrize(
    ("requestor_groups", "group", "allowed"),
    [
        (("system:authenticated",), "system:masters", False),
        (("system:authenticated",), "system:kcp:admin", False),
        (("system:kcp:admin",), "system:masters", False),
        (("system:kcp:admin",), "system:kcp:admin", True),
        (("system:masters",), "system:masters", True),
        (("system:authenticated",), "system:authenticated", True),
        ((), "system:authenticated", False),
        (("system:authenticated",), "devs", True),
    ],
)
async def test_nobody_impersonates_a_more_privileged_group(
    requestor_groups: tuple[str, ...], group: str, allowed: bool
) -> None:
    requestor = UserInfo("bob", requestor_groups)
    headers = _headers(("Impersonate-User", "jane"), ("Impersonate-Group", group))
    authorizer = Authorizer()
    if allowed:
        await impersonate(requestor, headers, cluster="c1", authorize=authorizer)
        return
    with pytest.raises(errors.StatusError) as caught:
        await impersonate(requestor, headers, cluster="c1", authorize=authorizer)
    assert caught.value.code == 403
    assert caught.value.message == "forbidden: impersonation is not allowed for the requestor"
    assert authorizer.asked == []


async def test_masters_impersonation_is_not_scoped() -> None:
    user = await impersonate(ADMIN, _headers(("Impersonate-User", "jane")), cluster="c1", authorize=Authorizer())
    assert SCOPES_EXTRA not in user.extra
    user = await impersonate(BOB, _headers(("Impersonate-User", "jane")), cluster="c1", authorize=Authorizer())
    assert user.extra == {SCOPES_EXTRA: ("cluster:c1",)}


@pytest.mark.parametrize(
    ("username", "split"),
    [
        ("system:serviceaccount:ns:robot", ("ns", "robot")),
        ("system:serviceaccount:ns:robot.v2", ("ns", "robot.v2")),
        ("system:serviceaccount:ns:robot:x", None),
        ("system:serviceaccount:ns", None),
        ("system:serviceaccount:Ns:robot", None),
        ("system:serviceaccount:ns.x:robot", None),  # a namespace is a DNS label
        ("system:serviceaccount::robot", None),
        ("system:serviceaccounts:ns:robot", None),
        ("jane", None),
        ("system:serviceaccount:" + "n" * 64 + ":robot", None),
    ],
)
def test_split_service_account(username: str, split: tuple[str, str] | None) -> None:
    assert split_service_account(username) == split
    if split is None:
        kinds = [r.kind for r in impersonation_requests(_headers(("Impersonate-User", username)))]
        assert kinds == ["User"]
