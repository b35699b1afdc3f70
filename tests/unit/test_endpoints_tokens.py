"""TokenRequest: upstream's checks in upstream's order, and a token that authenticates as the account."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from unittest import mock

import jwt
import orjson
import pytest
from aiohttp import web
from aiohttp.streams import StreamReader
from aiohttp.test_utils import make_mocked_request

from apimachinery import certs, errors
from apimachinery.serializers.protobuf import MEDIA_TYPE, encode_object
from shard.auth.authn import Credentials
from shard.auth.serviceaccounts import DEFAULT_ISSUER, ServiceAccountTokens, TokenIssuer
from shard.endpoints.tokens import create_token, validate_expiration
from shard.registry.context import RequestContext, UserInfo

NOW = 1_800_000_000
KEY = certs.generate_key()
ISSUER = TokenIssuer(KEY, clock=lambda: NOW)
CTX = RequestContext("c1", UserInfo("jane"), "default")
PATH = "/api/v1/namespaces/default/serviceaccounts/robot/token"
FIXTURE = Path(__file__).parent / "fixtures" / "protobuf" / "tokenrequest.pb"


class Accounts:
    """The ServiceAccount store: `get` of robot, 404 otherwise."""

    async def get(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        if (ctx.cluster, ctx.namespace, name) != ("c1", "default", "robot"):
            raise errors.not_found("serviceaccounts", name)
        return {"metadata": {"name": name, "namespace": ctx.namespace, "uid": "uid-1"}}


def _request(method: str, body: bytes, content_type: str = "application/json") -> web.Request:
    protocol = mock.Mock(_reading_paused=False)
    payload = StreamReader(protocol, 2**16, loop=asyncio.get_running_loop())
    payload.feed_data(body)
    payload.feed_eof()
    headers = {"Content-Type": content_type, "Accept": f"{MEDIA_TYPE}, application/json"}
    return make_mocked_request(method, PATH, headers=headers, payload=payload)


async def _create(body: Any, name: str = "robot", method: str = "POST", **kwargs: Any) -> tuple[int, dict[str, Any]]:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    request = _request(method, raw, kwargs.pop("content_type", "application/json"))
    try:
        response = await create_token(request, Accounts(), CTX, name, issuer=kwargs.get("issuer", ISSUER))  # type: ignore[arg-type]
    except errors.StatusError as err:
        return err.code, err.to_status()
    assert isinstance(response, web.Response) and response.body is not None
    return response.status, orjson.loads(response.body)  # type: ignore[arg-type]


async def test_token_request_is_answered_with_a_working_token() -> None:
    status, reply = await _create({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}})
    assert status == 201
    token = reply["status"].pop("token")
    assert reply == {
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": "robot", "namespace": "default", "creationTimestamp": "2027-01-15T08:00:00Z"},
        "spec": {"audiences": [DEFAULT_ISSUER], "expirationSeconds": 3600},
        "status": {"expirationTimestamp": "2027-01-15T09:00:00Z"},
    }
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["kubernetes.io"]["clusterName"] == "c1" and claims["exp"] - claims["iat"] == 3600

    async def uid(cluster: str, namespace: str, name: str) -> str | None:
        return "uid-1" if (cluster, namespace, name) == ("c1", "default", "robot") else None

    verifier = ServiceAccountTokens([KEY.public_key()], uid, clock=lambda: NOW)
    user = await verifier.authenticate(Credentials(token))
    assert user is not None and user.name == "system:serviceaccount:default:robot"


async def test_requested_audiences_and_expiration_are_kept() -> None:
    status, reply = await _create({"spec": {"audiences": ["https://a", "https://b"], "expirationSeconds": 600}})
    assert status == 201
    assert reply["spec"] == {"audiences": ["https://a", "https://b"], "expirationSeconds": 600}
    claims = jwt.decode(reply["status"]["token"], options={"verify_signature": False})
    assert claims["aud"] == ["https://a", "https://b"] and claims["exp"] - claims["iat"] == 600


async def test_body_without_spec_gets_the_defaults() -> None:
    status, reply = await _create({"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1"})
    assert (status, reply["spec"]) == (201, {"audiences": [DEFAULT_ISSUER], "expirationSeconds": 3600})


async def test_protobuf_body_as_kubectl_sends_it() -> None:
    body = encode_object(
        {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": 1200}}
    )
    status, reply = await _create(body, content_type=MEDIA_TYPE)
    assert (status, reply["spec"]["expirationSeconds"]) == (201, 1200)


async def test_bound_object_references_are_refused() -> None:
    status, reply = await _create(FIXTURE.read_bytes(), content_type=MEDIA_TYPE)  # kubectl --bound-object-kind Secret
    assert (status, reply["message"]) == (400, "cannot bind token to object of type /v1, Kind=Secret")


@pytest.mark.parametrize(
    ("body", "name", "code", "message"),
    [
        ({}, "ghost", 404, 'serviceaccounts "ghost" not found'),
        ({"spec": {"expirationSeconds": 1}}, "ghost", 404, 'serviceaccounts "ghost" not found'),  # lookup first
        (
            {"metadata": {"name": "other"}},
            "robot",
            422,
            'TokenRequest.authentication.k8s.io "robot" is invalid: metadata.name: Invalid value: "other": must match '
            "the service account name if specified",
        ),
        (
            {"metadata": {"namespace": "kube-system"}},
            "robot",
            422,
            'TokenRequest.authentication.k8s.io "robot" is invalid: metadata.namespace: Invalid value: "kube-system": '
            "must match the service account namespace if specified",
        ),
        (
            {"spec": {"expirationSeconds": 599}},
            "robot",
            422,
            'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 599: may not '
            "specify a duration less than 10 minutes",
        ),
        (
            {"spec": {"expirationSeconds": 2**32 + 1}},
            "robot",
            422,
            'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may '
            "not specify a duration larger than 2^32 seconds",
        ),
        (
            {"spec": {"expirationSeconds": "1h"}},
            "robot",
            400,
            "json: cannot unmarshal string into Go struct field TokenRequestSpec.spec.expirationSeconds of type int64",
        ),
        ([1], "robot", 400, "the body of the request must be a JSON object"),
        (
            {"spec": {"expirationSeconds": 3600.5}},
            "robot",
            400,
            "json: cannot unmarshal number 3600.5 into Go struct field TokenRequestSpec.spec.expirationSeconds of type "
            "int64",
        ),
        (
            {"spec": {"audiences": "https://a"}},
            "robot",
            400,
            "json: cannot unmarshal string into Go struct field TokenRequestSpec.spec.audiences of type []string",
        ),
        (
            {"spec": {"audiences": ["https://a", 7]}},
            "robot",
            400,
            "json: cannot unmarshal number into Go struct field TokenRequestSpec.spec.audiences of type string",
        ),
    ],
)
async def test_refusals(body: Any, name: str, code: int, message: str) -> None:
    status, reply = await _create(body, name=name)
    assert (status, reply["message"]) == (code, message)


async def test_invalid_expiration_details_are_upstreams() -> None:
    _, reply = await _create({"spec": {"expirationSeconds": 0}})
    assert reply["details"] == {
        "group": "authentication.k8s.io",
        "kind": "TokenRequest",
        "causes": [
            {
                "reason": "FieldValueInvalid",
                "field": "spec.expirationSeconds",
                "message": "Invalid value: 0: may not specify a duration less than 10 minutes",
            }
        ],
    }


@pytest.mark.parametrize(("value", "expected"), [(None, 3600), (600, 600), (2**32, 2**32)])
def test_expiration_bounds_are_inclusive(value: int | None, expected: int) -> None:
    assert validate_expiration(value) == expected


async def test_only_post_and_only_with_an_issuer() -> None:
    assert (await _create({}, method="GET"))[0] == 405
    status, reply = await _create({}, issuer=None)
    assert (status, reply["reason"]) == (404, "NotFound")
