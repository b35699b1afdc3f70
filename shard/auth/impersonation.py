"""Impersonation: `Impersonate-User`, `Impersonate-Group`, `Impersonate-Uid`, `Impersonate-Extra-<key>`.

Upstream's filter, run per request once the logical cluster is known: every requested attribute is one
authorization check of verb `impersonate` (users, groups, uids, serviceaccounts, userextras/<key>), the
first denial answers 403 with upstream's text, groups/uid/extra without a user are a 400. The impersonated
user is in `system:authenticated` (`system:unauthenticated` for `system:anonymous`) unless the groups
already say so; a ServiceAccount without requested groups gets its fixed groups.

kcp's additions: a requestor may not impersonate a group more privileged than its own (`system:masters`
> `system:kcp:admin` > `system:authenticated`), and a user impersonated by anyone but `system:masters`
is scoped to the cluster of the request (extra `authentication.kcp.io/scopes: cluster:<name>`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from multidict import MultiMapping

from apimachinery import errors
from apimachinery.auth.user import ANONYMOUS, AUTHENTICATED, UNAUTHENTICATED
from shard.auth.authz import Attributes, Decision, forbidden
from shard.auth.requestheader import unescape_extra_key
from shard.auth.serviceaccounts import USERNAME_PREFIX, service_account_groups
from shard.registry.context import UserInfo

USER_HEADER = "Impersonate-User"
GROUP_HEADER = "Impersonate-Group"
UID_HEADER = "Impersonate-Uid"
EXTRA_PREFIX = "Impersonate-Extra-"
AUTHENTICATION_GROUP = "authentication.k8s.io"
AUTHENTICATION_VERSION = "authentication.k8s.io/v1"
SCOPES_EXTRA = "authentication.kcp.io/scopes"
GROUP_PRIVILEGE = {"system:masters": 3, "system:kcp:admin": 2, AUTHENTICATED: 1}
NOT_ALLOWED = "forbidden: impersonation is not allowed for the requestor"
_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")

Authorize = Callable[[Attributes], Awaitable[Decision]]


@dataclass(frozen=True)
class Request:
    """One thing to impersonate, as upstream's ObjectReference: what it is, and what authorizes it."""

    kind: str  # ServiceAccount, User, Group, UserExtra, UID
    name: str
    namespace: str = ""
    api_version: str = ""
    field_path: str = ""  # UserExtra: the extra key

    def go_string(self) -> str:
        """`%v` of the ObjectReference, as upstream's 400 text prints it."""
        fields = (self.kind, self.namespace, self.name, "", self.api_version, "", self.field_path)
        return "{" + " ".join(fields) + "}"


async def impersonate(user: UserInfo, headers: MultiMapping[str], *, cluster: str, authorize: Authorize) -> UserInfo:
    """The user this request acts as: `user` itself without impersonation headers, else the impersonated
    user once every requested attribute is authorized in `cluster`. Raises StatusError 400 or 403."""
    requests = impersonation_requests(headers)
    if not requests:
        return user
    _check_privilege(user, headers.getall(GROUP_HEADER, []))
    for request in requests:
        attributes = _attributes(user, request, cluster)
        decision = await authorize(attributes)
        if not decision.allowed:
            raise forbidden(attributes, decision.reason)
    impersonated = _impersonated_user(requests, groups_specified=bool(headers.getall(GROUP_HEADER, [])))
    return impersonated if user.is_master else _scoped(impersonated, cluster)


def impersonation_requests(headers: MultiMapping[str]) -> list[Request]:
    """The requested attributes in upstream's order: user, groups, extras, uid."""
    requests: list[Request] = []
    username = headers.get(USER_HEADER, "")
    if username:
        requests.append(_user_request(username))
    requests += [Request("Group", group) for group in headers.getall(GROUP_HEADER, [])]
    requests += _extra_requests(headers)
    uid = headers.get(UID_HEADER, "")
    if uid:
        requests.append(Request("UID", uid, api_version=AUTHENTICATION_VERSION))
    if requests and not username:
        listed = " ".join(request.go_string() for request in requests)
        raise errors.bad_request(f"requested [{listed}] without impersonating a user")
    return requests


def _user_request(username: str) -> Request:
    account = split_service_account(username)
    if account is not None:
        return Request("ServiceAccount", account[1], namespace=account[0])
    return Request("User", username)


def _extra_requests(headers: MultiMapping[str]) -> list[Request]:
    prefix = EXTRA_PREFIX.lower()
    return [
        Request("UserExtra", value, api_version=AUTHENTICATION_VERSION, field_path=_extra_key(header))
        for header, value in headers.items()
        if header.lower().startswith(prefix)
    ]


def _extra_key(header: str) -> str:
    return unescape_extra_key(header[len(EXTRA_PREFIX) :].lower())


def split_service_account(username: str) -> tuple[str, str] | None:
    """(namespace, name) of `system:serviceaccount:<ns>:<name>` with a valid namespace and name, else None."""
    if not username.startswith(USERNAME_PREFIX):
        return None
    parts = username[len(USERNAME_PREFIX) :].split(":")
    if len(parts) != 2:
        return None
    namespace, name = parts
    valid_namespace = len(namespace) <= 63 and _DNS1123_LABEL.fullmatch(namespace)
    valid_name = len(name) <= 253 and _DNS1123_SUBDOMAIN.fullmatch(name)
    return (namespace, name) if valid_namespace and valid_name else None


def _attributes(user: UserInfo, request: Request, cluster: str) -> Attributes:
    resource, group, subresource = {
        "ServiceAccount": ("serviceaccounts", "", ""),
        "User": ("users", "", ""),
        "Group": ("groups", "", ""),
        "UserExtra": ("userextras", AUTHENTICATION_GROUP, request.field_path),
        "UID": ("uids", AUTHENTICATION_GROUP, ""),
    }[request.kind]
    return Attributes(user, "impersonate", cluster, group, resource, subresource, request.namespace, request.name)


def _check_privilege(user: UserInfo, requested_groups: list[str]) -> None:
    """kcp's gatekeeper: nobody impersonates a group more privileged than its own groups make it."""
    own = max((GROUP_PRIVILEGE.get(group, 0) for group in user.groups), default=0)
    if any(GROUP_PRIVILEGE.get(group, 0) > own for group in requested_groups):
        raise errors.StatusError(403, "Forbidden", NOT_ALLOWED)


def _impersonated_user(requests: list[Request], *, groups_specified: bool) -> UserInfo:
    name, uid = "", ""
    groups: list[str] = []
    extra: dict[str, list[str]] = {}
    for request in requests:
        if request.kind == "ServiceAccount":
            name = USERNAME_PREFIX + f"{request.namespace}:{request.name}"
            if not groups_specified:
                groups = list(service_account_groups(request.namespace))
        elif request.kind == "User":
            name = request.name
        elif request.kind == "Group":
            groups.append(request.name)
        elif request.kind == "UserExtra":
            extra.setdefault(request.field_path, []).append(request.name)
        else:
            uid = request.name
    groups += _implied_groups(name, groups)
    return UserInfo(name, tuple(groups), uid, {key: tuple(values) for key, values in extra.items()})


def _implied_groups(name: str, groups: list[str]) -> list[str]:
    if name == ANONYMOUS:
        return [] if UNAUTHENTICATED in groups else [UNAUTHENTICATED]
    return [] if AUTHENTICATED in groups or UNAUTHENTICATED in groups else [AUTHENTICATED]


def _scoped(user: UserInfo, cluster: str) -> UserInfo:
    scopes = (*user.extra.get(SCOPES_EXTRA, ()), f"cluster:{cluster}")
    return UserInfo(user.name, user.groups, user.uid, {**user.extra, SCOPES_EXTRA: scopes})
