"""Content negotiation: which representation the client accepts, and how to decode a request body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
import yaml

from apimachinery import errors
from apimachinery.serializers import protobuf

JSON = "application/json"
YAML = "application/yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"


@dataclass(frozen=True)
class MediaType:
    type: str
    params: dict[str, str]

    @property
    def as_kind(self) -> str:
        return self.params.get("as", "")


@dataclass(frozen=True)
class Representation:
    """What to answer: `format` is json or yaml; `as_kind` is "", Table, PartialObjectMetadata(List)."""

    format: str
    as_kind: str = ""
    version: str = "v1"

    @property
    def content_type(self) -> str:
        media = YAML if self.format == "yaml" else JSON
        if self.as_kind:
            return f"{media};as={self.as_kind};v={self.version};g=meta.k8s.io"
        return media


def parse_accept(header: str) -> list[MediaType]:
    """Accept clauses in preference order, as upstream sorts them: higher q first, then concrete types
    before wildcards, then the client's order."""
    out = []
    for item in (header or "*/*").split(","):
        pieces = [p.strip() for p in item.split(";") if p.strip()]
        if not pieces:
            continue
        params = dict(p.split("=", 1) for p in pieces[1:] if "=" in p)
        out.append(MediaType(pieces[0].lower(), {k.strip(): v.strip() for k, v in params.items()}))
    return sorted(out, key=_preference)


def _preference(media: MediaType) -> tuple[float, int]:
    try:
        quality = float(media.params.get("q", "1"))
    except ValueError:
        quality = 0.0
    return -quality, media.type.count("*")


AS_KINDS = {"Table", "PartialObjectMetadata", "PartialObjectMetadataList"}


def negotiate(header: str, *, allow_as: frozenset[str] = frozenset(AS_KINDS)) -> Representation:
    """The first acceptable representation in the client's order; 406 if there is none."""
    for media in parse_accept(header):
        chosen = _representation(media, allow_as)
        if chosen is not None:
            return chosen
    raise errors.not_acceptable(f"only the following media types are accepted: {JSON}, {YAML}")


def _representation(media: MediaType, allow_as: frozenset[str]) -> Representation | None:
    if media.params.get("q") in ("0", "0.0"):
        return None
    if media.as_kind:
        if media.type not in (JSON, YAML) or media.as_kind not in allow_as or media.params.get("g") != "meta.k8s.io":
            return None
        if media.params.get("v") not in ("v1", "v1beta1"):
            return None
        return Representation("yaml" if media.type == YAML else "json", media.as_kind, media.params["v"])
    if media.type in (JSON, "application/*", "*/*"):
        return Representation("json")
    if media.type == YAML:
        return Representation("yaml")
    return None


def decode_body(content_type: str, body: bytes) -> Any:
    """A request body as JSON data: from JSON, YAML or Kubernetes protobuf (415 otherwise)."""
    media = (content_type or JSON).split(";")[0].strip().lower()
    if media in (JSON, "", "*/*"):
        return _json(body)
    if media == YAML:
        return _yaml(body)
    if media == PROTOBUF:
        return _protobuf(body)
    raise errors.unsupported_media_type(f"{JSON}, {YAML}, {PROTOBUF}")


def _json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as err:
        raise errors.bad_request(f"error decoding request body: {err}") from None


def _yaml(body: bytes) -> Any:
    try:
        return yaml.safe_load(body)
    except yaml.YAMLError as err:
        raise errors.bad_request(f"error decoding YAML body: {err}") from None


def _protobuf(body: bytes) -> Any:
    try:
        return protobuf.decode_object(body)
    except protobuf.ProtobufError as err:
        raise err.to_status_error() from None


def encode(representation: Representation, data: Any) -> bytes:
    if representation.format == "yaml":
        return yaml.safe_dump(data, sort_keys=False).encode()
    return orjson.dumps(data)
