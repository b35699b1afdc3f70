"""Content negotiation: Accept → representation (406 if none), Content-Type → decoded body (400/415)."""

from __future__ import annotations

import pytest

from apimachinery.errors import StatusError
from shard.endpoints.negotiation import Representation, decode_body, encode, negotiate

KUBECTL_TABLE = (
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
)
PROTOBUF = "application/vnd.kubernetes.protobuf"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (KUBECTL_TABLE, Representation("json", "Table", "v1")),
        (
            "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
            Representation("json", "Table", "v1beta1"),
        ),
        (
            "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json",
            Representation("json", "PartialObjectMetadataList", "v1"),
        ),
        (
            "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io,application/json",
            Representation("json", "PartialObjectMetadata", "v1"),
        ),
        ("application/json", Representation("json")),
        ("application/json;charset=utf-8", Representation("json")),
        ("application/yaml", Representation("yaml")),
        ("*/*", Representation("json")),
        ("application/*", Representation("json")),
        ("", Representation("json")),
        (f"{PROTOBUF},application/json", Representation("json")),
        (f"{PROTOBUF}, */*", Representation("json")),
        # conversions that are not ours fall through to the next clause
        ("application/json;as=Table;v=v1;g=example.com,application/json", Representation("json")),
        ("application/json;as=Table;v=v2;g=meta.k8s.io,application/json", Representation("json")),
        ("application/json;as=Table;v=v1,application/json", Representation("json")),
        ("application/json;as=Unknown;v=v1;g=meta.k8s.io,application/yaml", Representation("yaml")),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", Representation("json")),
    ],
)
def test_negotiate(accept: str, expected: Representation) -> None:
    assert negotiate(accept) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        # upstream sorts Accept clauses (goautoneg.ParseAccept): higher q first, then concrete types
        # before wildcards
        ("application/yaml;q=0.5,application/json", Representation("json")),
        ("*/*,application/yaml", Representation("yaml")),
    ],
)
def test_negotiate_orders_clauses_like_upstream(accept: str, expected: Representation) -> None:
    assert negotiate(accept) == expected


@pytest.mark.parametrize("as_kind", ["Table", "PartialObjectMetadataList"])
def test_conversions_may_be_served_as_yaml(as_kind: str) -> None:
    # upstream RequestScope.AllowsMediaTypeTransform: Table for application/json and application/yaml,
    # PartialObjectMetadata(List) for any serializer
    chosen = negotiate(f"application/yaml;as={as_kind};v=v1;g=meta.k8s.io,application/json")
    assert (chosen.format, chosen.as_kind, chosen.version) == ("yaml", as_kind, "v1")


def test_conversion_not_allowed_by_the_endpoint_falls_back() -> None:
    assert negotiate(KUBECTL_TABLE, allow_as=frozenset()) == Representation("json")
    assert negotiate(KUBECTL_TABLE, allow_as=frozenset({"PartialObjectMetadataList"})) == Representation("json")


def _assert_not_acceptable(info: pytest.ExceptionInfo[StatusError]) -> None:
    status = info.value.to_status()
    assert (status["code"], status["reason"], status["status"]) == (406, "NotAcceptable", "Failure")
    assert status["message"].startswith(
        "only the following media types are accepted: application/json, application/yaml"
    )


@pytest.mark.parametrize("accept", [PROTOBUF, "text/html", "application/xml", "text/plain;q=0.9"])
def test_not_acceptable(accept: str) -> None:
    with pytest.raises(StatusError) as info:
        negotiate(accept)
    _assert_not_acceptable(info)


def test_only_a_conversion_the_endpoint_cannot_make_is_not_acceptable() -> None:
    only_table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io"
    with pytest.raises(StatusError) as info:
        negotiate(only_table, allow_as=frozenset())
    _assert_not_acceptable(info)


@pytest.mark.parametrize(
    ("representation", "content_type"),
    [
        (Representation("json"), "application/json"),
        (Representation("yaml"), "application/yaml"),
        (Representation("json", "Table", "v1"), "application/json;as=Table;v=v1;g=meta.k8s.io"),
        (Representation("json", "Table", "v1beta1"), "application/json;as=Table;v=v1beta1;g=meta.k8s.io"),
        (
            Representation("json", "PartialObjectMetadataList", "v1"),
            "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
        ),
    ],
)
def test_content_type(representation: Representation, content_type: str) -> None:
    assert representation.content_type == content_type


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        (
            "application/json",
            b'{"kind":"ConfigMap","data":{"a":"1"}}',
            {"kind": "ConfigMap", "data": {"a": "1"}},
        ),
        ("application/json; charset=utf-8", b'{"a":1}', {"a": 1}),
        ("Application/JSON", b'{"a":1}', {"a": 1}),
        ("", b'{"a":1}', {"a": 1}),
        (
            "application/yaml",
            b"kind: ConfigMap\ndata:\n  a: '1'\n",
            {"kind": "ConfigMap", "data": {"a": "1"}},
        ),
        ("application/yaml", b'{"a": 1}', {"a": 1}),
    ],
)
def test_decode_body(content_type: str, body: bytes, expected: object) -> None:
    assert decode_body(content_type, body) == expected


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b"{bad"),
        ("application/json", b""),
        ("application/json", b'{"a":1'),
        ("application/yaml", b"a: ["),
        ("application/yaml", b"a: b: c"),
    ],
)
def test_undecodable_body_is_bad_request(content_type: str, body: bytes) -> None:
    with pytest.raises(StatusError) as info:
        decode_body(content_type, body)
    status = info.value.to_status()
    assert (status["code"], status["reason"]) == (400, "BadRequest")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/xml", "application/json-patch+json", "application/x-www-form-urlencoded"],
)
def test_unknown_content_type_is_unsupported_media_type(content_type: str) -> None:
    with pytest.raises(StatusError) as info:
        decode_body(content_type, b"{}")
    status = info.value.to_status()
    assert (status["code"], status["reason"]) == (415, "UnsupportedMediaType")
    assert status["message"] == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml, application/vnd.kubernetes.protobuf"
    )


@pytest.mark.parametrize("representation", [Representation("json"), Representation("yaml")])
def test_encode_round_trips(representation: Representation) -> None:
    data = {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "a"}, "data": {"b": "c"}}
    assert decode_body(representation.content_type, encode(representation, data)) == data
