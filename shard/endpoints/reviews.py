"""The review endpoints: SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview,
SelfSubjectRulesReview (authorization.k8s.io/v1) and SelfSubjectReview (authentication.k8s.io/v1).

Each is create-only and never stored: a POST to the collection is answered (201) with the review and the
status the server computed, from the same authorizer chain that guards every request (for an arbitrary
subject in the request's logical cluster) or from the caller's own identity. A GET, PUT, PATCH or DELETE
of a collection is 405; a path with a name, a subresource, another version or the wrong scope is 404, as
upstream routes only the collection's POST. dryRun is accepted and changes nothing (nothing is stored).
What a review means, apart from HTTP, lives in reviewspecs.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from apimachinery import errors
from apimachinery.apis import authentication_v1, authorization_v1
from apimachinery.apis.types import Object, ResourceDefinition
from shard.auth.authz import Attributes, Decision
from shard.auth.scoping import scoped_user
from shard.endpoints import params, reviewspecs
from shard.endpoints.negotiation import negotiate
from shard.endpoints.requestinfo import ResourcePath
from shard.endpoints.responses import object_response
from shard.endpoints.writes import read_body
from shard.registry.context import UserInfo
from shard.registry.metadata import now_rfc3339
from shard.registry.validation import check_type_meta

Authorize = Callable[[Attributes], Awaitable[Decision]]
RulesFor = Callable[[UserInfo, str, str], list[dict[str, Any]]]

DEFINITIONS: dict[tuple[str, str], ResourceDefinition] = {
    (d.group, d.plural): d for d in (*authorization_v1.RESOURCES, *authentication_v1.RESOURCES)
}
NO_NAMESPACE = "no namespace on request"


@dataclass(frozen=True, kw_only=True)
class Review:
    """One review request, decoded: where it was posted, by whom, and the body with settled metadata."""

    definition: ResourceDefinition
    body: Object
    cluster: str
    user: UserInfo

    @property
    def spec(self) -> Object:
        spec = self.body.get("spec")
        return spec if isinstance(spec, dict) else {}

    def answer(self, status: Object, *, spec: Object | None = None, metadata: Object | None = None) -> Object:
        """The response object: this review's kind, its metadata, the spec and the computed status."""
        meta = {**(metadata if metadata is not None else self.body.get("metadata") or {})}
        meta.setdefault("creationTimestamp", None)  # Go writes the unset timestamp as null
        out: Object = {"kind": self.definition.kind, "apiVersion": self.definition.api_version, "metadata": meta}
        if spec is not None:
            out["spec"] = spec
        return {**out, "status": status}


@dataclass(frozen=True, kw_only=True)
class Reviews:
    """`authorize` is the full authorizer chain for any user in a given cluster; `rules_for(user, cluster,
    namespace)` the PolicyRules that user has there (cluster-wide ones plus the namespace's)."""

    authorize: Authorize
    rules_for: RulesFor
    now: Callable[[], str] = now_rfc3339

    def handles(self, group: str, resource: str) -> bool:
        return (group, resource) in DEFINITIONS

    async def serve(
        self, request: web.Request, *, cluster: str, path: ResourcePath, user: UserInfo
    ) -> web.StreamResponse:
        definition = DEFINITIONS[(path.group, path.resource)]
        _check_route(request.method, definition, path)
        representation = negotiate(request.headers.get("Accept", ""), allow_as=frozenset())
        options = params.write_options(request.query)
        body = await read_body(request, definition, options)
        check_type_meta(definition, body)
        body["metadata"] = reviewspecs.settle_metadata(body, path.namespace)
        review = Review(definition=definition, body=body, cluster=cluster, user=user)
        answered = await self._answer(review)
        return object_response(request, representation, answered, status=201)

    async def _answer(self, review: Review) -> Object:
        kind = review.definition.kind
        if kind == "SelfSubjectReview":
            return review.answer(
                {"userInfo": reviewspecs.user_info(review.user)}, metadata={"creationTimestamp": self.now()}
            )
        if kind == "SelfSubjectRulesReview":
            return self._rules_review(review)
        return await self._access_review(review)

    def _rules_review(self, review: Review) -> Object:
        namespace = str(review.spec.get("namespace") or "")
        if not namespace:
            raise errors.bad_request(NO_NAMESPACE)
        rules = self.rules_for(review.user, review.cluster, namespace)
        # upstream answers with a new object: the spec is not echoed
        return review.answer(reviewspecs.rules_status(rules), spec={}, metadata={})

    async def _access_review(self, review: Review) -> Object:
        kind, spec = review.definition.kind, review.spec
        if kind == "SelfSubjectAccessReview":
            causes, subject = reviewspecs.validate_self_access(review.body), review.user
        elif kind == "SubjectAccessReview":
            causes, subject = reviewspecs.validate_subject_access(review.body), reviewspecs.subject_of(spec)
        else:
            causes, subject = reviewspecs.validate_local_access(review.body), reviewspecs.subject_of(spec)
        # a subject bound to another logical cluster is asked about as it would appear here (the caller of a
        # self review already is: the router scoped it)
        subject = scoped_user(subject, review.cluster)
        if causes:
            raise reviewspecs.invalid(causes)
        decision = await self.authorize(reviewspecs.access_attributes(spec, subject, review.cluster))
        return review.answer(reviewspecs.access_status(decision, spec), spec=reviewspecs.compact_spec(spec))


def _check_route(method: str, definition: ResourceDefinition, path: ResourcePath) -> None:
    """Only the collection exists, in its own scope and version; on it only POST."""
    misplaced = bool(path.namespace) != definition.namespaced
    if path.version != definition.version or path.name or path.subresource or path.legacy_watch or misplaced:
        raise errors.resource_not_found_path()
    if method != "POST":
        raise errors.method_not_allowed()
