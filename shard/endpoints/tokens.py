"""POST `serviceaccounts/<name>/token`: a TokenRequest answered with a bound service-account token.

Upstream's order: the body's name and namespace must match the URL (422), the ServiceAccount must exist
(404), audiences default to the API audiences, then static validation (422: expirationSeconds at least
600 and at most 2^32, default 3600). Binding to another object (Pod, Secret, Node) is not supported:
kplane serves no Pods or Nodes, and tokens are not tied to Secrets. The reply is the TokenRequest with
`status.token` and `status.expirationTimestamp`, 201 as upstream's create, in JSON or YAML.
"""

from __future__ import annotations

import datetime
from typing import Any

from aiohttp import web

from apimachinery import errors
from apimachinery.apis.types import Object
from apimachinery.validation import field
from shard.auth.serviceaccounts import IssuedToken, TokenIssuer
from shard.endpoints.negotiation import decode_body, negotiate
from shard.endpoints.responses import object_response
from shard.registry.context import RequestContext
from shard.registry.store import Store

GROUP = "authentication.k8s.io"
KIND = "TokenRequest"
DEFAULT_EXPIRATION_SECONDS = 3600
MIN_EXPIRATION_SECONDS = 10 * 60
MAX_EXPIRATION_SECONDS = 1 << 32
EXPIRATION_FIELD = "spec.expirationSeconds"
AUDIENCES_FIELD = "Go struct field TokenRequestSpec.spec.audiences"


async def create_token(
    request: web.Request, store: Store, ctx: RequestContext, name: str, *, issuer: TokenIssuer | None
) -> web.StreamResponse:
    if request.method != "POST":
        raise errors.method_not_allowed()
    if issuer is None:  # no signing key: upstream does not install the subresource then
        raise errors.resource_not_found_path()
    representation = negotiate(request.headers.get("Accept", ""), allow_as=frozenset())
    token_request = _token_request(decode_body(request.headers.get("Content-Type", ""), await request.read()))
    _check_names(token_request, name, ctx.namespace)
    account = await store.get(ctx, name)
    spec = _spec(token_request, issuer)
    issued = issuer.issue(
        cluster=ctx.cluster,
        namespace=ctx.namespace,
        name=name,
        uid=str((account.get("metadata") or {}).get("uid", "")),
        audiences=spec["audiences"],
        expiration_seconds=spec["expirationSeconds"],
    )
    return object_response(request, representation, _reply(name, ctx.namespace, spec, issued), status=201)


def _spec(token_request: Object, issuer: TokenIssuer) -> dict[str, Any]:
    """The spec defaulted (audiences, expiration) and validated, in upstream's order."""
    spec = dict(token_request.get("spec") or {})
    spec["audiences"] = _audiences(spec.get("audiences")) or list(issuer.default_audiences)
    spec["expirationSeconds"] = validate_expiration(spec.get("expirationSeconds"))
    _check_bound_object(spec.get("boundObjectRef"))
    return spec


def _reply(name: str, namespace: str, spec: dict[str, Any], issued: IssuedToken) -> Object:
    return {
        "kind": KIND,
        "apiVersion": f"{GROUP}/v1",
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": _timestamp(issued.issued_at)},
        "spec": spec,
        "status": {"token": issued.token, "expirationTimestamp": _timestamp(issued.expires_at)},
    }


def _token_request(body: Any) -> Object:
    if not isinstance(body, dict):
        raise errors.bad_request("the body of the request must be a JSON object")
    return body


def _check_names(token_request: Object, name: str, namespace: str) -> None:
    """Upstream: a name or namespace in the body must be the ServiceAccount's (422, named after the URL)."""
    meta = token_request.get("metadata") or {}
    if meta.get("name") and meta["name"] != name:
        cause = field.invalid("metadata.name", meta["name"], "must match the service account name if specified")
        raise errors.invalid(KIND, name, [cause], group=GROUP)
    if meta.get("namespace") and meta["namespace"] != namespace:
        detail = "must match the service account namespace if specified"
        raise errors.invalid(KIND, name, [field.invalid("metadata.namespace", meta["namespace"], detail)], group=GROUP)


def _audiences(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise errors.bad_request(f"json: cannot unmarshal {_json_kind(value)} into {AUDIENCES_FIELD} of type []string")
    for item in value:
        if not isinstance(item, str):
            raise errors.bad_request(f"json: cannot unmarshal {_json_kind(item)} into {AUDIENCES_FIELD} of type string")
    return value


def validate_expiration(value: Any) -> int:
    """spec.expirationSeconds, defaulted to an hour; out of range → 422 with upstream's texts (no name)."""
    if value is None:
        return DEFAULT_EXPIRATION_SECONDS
    if isinstance(value, bool) or not isinstance(value, int):
        raise errors.bad_request(
            f"json: cannot unmarshal {_json_kind(value)} into Go struct field TokenRequestSpec.spec.expirationSeconds"
            " of type int64"
        )
    causes = []
    if value < MIN_EXPIRATION_SECONDS:
        causes.append(field.invalid(EXPIRATION_FIELD, value, "may not specify a duration less than 10 minutes"))
    if value > MAX_EXPIRATION_SECONDS:
        causes.append(field.invalid(EXPIRATION_FIELD, value, "may not specify a duration larger than 2^32 seconds"))
    if causes:
        raise errors.invalid(KIND, "", causes, group=GROUP)
    return value


def _json_kind(value: Any) -> str:
    """How Go's JSON decoder names a value of the wrong type (a float's literal is kept: int64 fields)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, float):
        return f"number {field.go_float(value)}"
    if isinstance(value, int):
        return "number"
    kinds: dict[type, str] = {str: "string", list: "array", dict: "object"}
    return kinds.get(type(value), "value")


def _check_bound_object(ref: Any) -> None:
    if not ref:
        return
    api_version, kind = str(ref.get("apiVersion", "")), str(ref.get("kind", ""))
    group, _, version = api_version.rpartition("/")
    raise errors.bad_request(f"cannot bind token to object of type {group}/{version}, Kind={kind}")


def _timestamp(epoch_seconds: int) -> str:
    moment = datetime.datetime.fromtimestamp(epoch_seconds, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
