"""`RootShard` of a shard that does not hold `root`: the root shard over HTTPS (`--root-shard-url`), as
`system:kcp:shard` with the PKI's shard-client certificate and CA.

- `shards()`: a cached list of root's Shard objects, refreshed by polling every `refresh_seconds` (2 s) in
  `run()` (a poll, not a watch: a handful of objects, and a poll needs no resume logic across root
  restarts). The first call before any poll lists synchronously. `run()` also re-registers this shard if
  its Shard disappeared from root (deleted by an admin, root restored from an older backup).
- `workspace_type(path, name)`: only path `root` (GET of the type; found types cached 2 s); other paths
  answer None: types in other workspaces are resolved only on the shard holding that workspace.
- `register_shard`: create, or merge into the existing Shard (spec and label `name`), then default
  `status.capacity.workspaces`; retried (capped backoff) until the root shard answers.
- `allows(attributes)`: a SubjectAccessReview posted to the root shard.
An unreachable root shard is a 503 (`errors.service_unavailable`) to the caller of these methods.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from apimachinery import errors
from shard.auth.authz import Attributes
from shard.registry.context import UserInfo
from shard.registry.shardobjects import ShardRegistration, merged, with_capacity
from shard.topology.https import Response, ShardCallFailed, ShardHttp, ShardUnreachable
from shard.topology.root import ROOT, Object, use_attributes

log = logging.getLogger("kplane.topology.root")
SHARDS_PATH = "/clusters/root/apis/core.kcp.io/v1alpha1/shards"
TYPES_PATH = "/clusters/root/apis/tenancy.kcp.io/v1alpha1/workspacetypes"
ROOT_SHARD_KEY = "root"  # the breaker of calls to the root shard
REGISTER_RETRY_MAX_SECONDS = 5.0


@dataclass
class HttpsRootShard:
    root_url: str
    http: ShardHttp
    refresh_seconds: float = 2.0
    type_ttl_seconds: float = 2.0
    clock: Callable[[], float] = time.monotonic
    registration: ShardRegistration | None = None
    _shards: list[Object] | None = None
    _types: dict[str, tuple[float, Object]] = field(default_factory=dict)

    @property
    def is_local(self) -> bool:
        return False

    async def _call(self, method: str, path: str, body: Object | None = None) -> Response:
        try:
            return await self.http.call(ROOT_SHARD_KEY, method, self.root_url.rstrip("/") + path, body)
        except (ShardUnreachable, ShardCallFailed) as err:
            raise errors.service_unavailable(f"the root shard cannot be reached: {err}") from err

    async def shards(self) -> list[Object]:
        if self._shards is None:
            await self.refresh()
        return list(self._shards or [])

    async def refresh(self) -> None:
        listed = _expect(await self._call("GET", SHARDS_PATH), 200)
        self._shards = list(listed.get("items") or [])

    async def run(self) -> None:
        while True:
            try:
                await self.refresh()
                if self.registration is not None and not self._registered(self.registration.name):
                    await self._register_once(self.registration)
            except errors.StatusError as err:
                log.warning("root shard: %s", err.message)
            await asyncio.sleep(self.refresh_seconds)

    def _registered(self, name: str) -> bool:
        return any((s.get("metadata") or {}).get("name") == name for s in self._shards or [])

    async def workspace_type(self, path: str, name: str) -> Object | None:
        if path != ROOT:
            return None
        cached = self._types.get(name)
        if cached is not None and cached[0] > self.clock():
            return cached[1]
        response = await self._call("GET", f"{TYPES_PATH}/{quote(name, safe='')}")
        if response.status == 404:
            return None
        found = _expect(response, 200)
        self._types[name] = (self.clock() + self.type_ttl_seconds, found)
        return found

    async def allows(self, attributes: Attributes) -> bool:
        review = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SubjectAccessReview",
            "spec": review_spec(attributes),
        }
        path = f"/clusters/{attributes.cluster}/apis/authorization.k8s.io/v1/subjectaccessreviews"
        answered = _expect(await self._call("POST", path, review), 201)
        return bool((answered.get("status") or {}).get("allowed"))

    async def may_use(self, user: UserInfo, type_name: str) -> bool:
        return await self.allows(use_attributes(user, type_name))

    async def register_shard(self, registration: ShardRegistration) -> None:
        """Blocks until the root shard has the Shard; an answer other than success or a conflict raises."""
        self.registration = registration
        delay = self.http.backoff.initial
        while True:
            try:
                await self._register_once(registration)
                return
            except errors.StatusError as err:
                if err.code != 503:
                    raise
                log.warning("registering shard %s: %s; retrying", registration.name, err.message)
            await asyncio.sleep(delay)
            delay = min(delay * 2, REGISTER_RETRY_MAX_SECONDS)

    async def _register_once(self, registration: ShardRegistration) -> None:
        created = await self._call("POST", SHARDS_PATH, registration.shard_object())
        path = f"{SHARDS_PATH}/{quote(registration.name, safe='')}"
        if created.status == 409:
            await self._update(path, lambda current: merged(current, registration))
        else:
            _expect(created, 201)
        await self._update(f"{path}/status", lambda current: with_capacity(current, registration))

    async def _update(self, path: str, change: Callable[[Object], Object | None]) -> None:
        """GET, change, PUT with the resourceVersion read; a conflict starts over. None from `change`: no
        write needed."""
        while True:
            current = _expect(await self._call("GET", path.removesuffix("/status")), 200)
            desired = change(current)
            if desired is None:
                return
            written = await self._call("PUT", path, desired)
            if written.status != 409:
                _expect(written, 200)
                return


def review_spec(attributes: Attributes) -> Object:
    user = attributes.user
    spec: Object = {"user": user.name, "groups": list(user.groups), "uid": user.uid}
    spec["extra"] = {key: list(values) for key, values in user.extra.items()}
    if attributes.is_resource_request:
        resource = {
            "verb": attributes.verb,
            "group": attributes.api_group,
            "resource": attributes.resource,
            "subresource": attributes.subresource,
            "namespace": attributes.namespace,
            "name": attributes.name,
        }
        spec["resourceAttributes"] = {key: value for key, value in resource.items() if value}
    else:
        spec["nonResourceAttributes"] = {"verb": attributes.verb, "path": attributes.path}
    return spec


def _expect(response: Response, status: int) -> Object:
    if response.status != status:
        message = str(response.body.get("message") or f"HTTP {response.status}")
        raise errors.StatusError(response.status, str(response.body.get("reason") or "InternalError"), message)
    return response.body
