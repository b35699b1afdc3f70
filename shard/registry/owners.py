"""Who owns a workspace: kcp's `experimental.tenancy.kcp.io/owner` annotation (the creator's UserInfo as
JSON), recorded on the Workspace at creation and carried to its LogicalCluster, and the
`workspace-admin` ClusterRoleBinding that makes the owner `cluster-admin` of the new logical cluster.
"""

from __future__ import annotations

from typing import Any

import orjson

from apimachinery.apis.types import Object
from shard.registry.context import UserInfo

OWNER_ANNOTATION = "experimental.tenancy.kcp.io/owner"
WORKSPACE_ADMIN_BINDING = "workspace-admin"


def user_info_json(user: UserInfo) -> dict[str, Any]:
    """authentication/v1 UserInfo as kcp records it (empty fields left out)."""
    info: dict[str, Any] = {"username": user.name}
    if user.uid:
        info["uid"] = user.uid
    if user.groups:
        info["groups"] = list(user.groups)
    if user.extra:
        info["extra"] = {key: list(values) for key, values in user.extra.items()}
    return info


def owner_name(obj: Object) -> str:
    """The owner's user name from the annotation; empty if absent or unreadable."""
    owner = owner_of(obj)
    return owner.name if owner is not None else ""


def owner_of(obj: Object) -> UserInfo | None:
    """The owner recorded in the annotation as a UserInfo; None if absent or unreadable."""
    raw = ((obj.get("metadata") or {}).get("annotations") or {}).get(OWNER_ANNOTATION, "")
    try:
        owner = orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        return None
    if not isinstance(owner, dict) or not isinstance(owner.get("username"), str) or not owner["username"]:
        return None
    extra: dict[str, Any] = owner["extra"] if isinstance(owner.get("extra"), dict) else {}
    return UserInfo(
        owner["username"],
        tuple(str(group) for group in owner.get("groups") or ()),
        str(owner.get("uid") or ""),
        {str(key): tuple(str(value) for value in values or ()) for key, values in extra.items()},
    )


def workspace_admin_binding(user_name: str) -> Object:
    return {
        "metadata": {"name": WORKSPACE_ADMIN_BINDING},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user_name}],
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
    }
