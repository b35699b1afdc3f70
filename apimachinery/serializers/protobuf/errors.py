"""The errors of the protobuf serializer, and their translation to a Kubernetes `Status`.

Three cases, each a subclass of `ProtobufError`:

* `MalformedProtobufBody`: the body is not a Kubernetes protobuf envelope, or its bytes do not parse as
  the message its type names. The endpoint answers 400 BadRequest.
* `UnsupportedProtobufKind`: a well-formed envelope names a kind we have no message for (custom
  resources, kinds we do not serve). The endpoint answers 415 UnsupportedMediaType, as upstream does for
  kinds that have no protobuf form, so the client knows to send JSON.
* `UnencodableObject`: `encode_object` was given a JSON object that does not fit the message (unknown
  field, value of the wrong type). A programming error on our side; never caused by a client.
"""

from __future__ import annotations

from apimachinery import errors

JSON_MEDIA_TYPES = "application/json, application/yaml"


class ProtobufError(Exception):
    """Base class of every error raised by `apimachinery.serializers.protobuf`."""

    def to_status_error(self) -> errors.StatusError:
        """The `StatusError` an endpoint answers with; subclasses pick the reason and code."""
        return errors.bad_request(str(self))


class MalformedProtobufBody(ProtobufError):
    """The body is not `k8s\\0` + `runtime.Unknown`, or the object's bytes are not valid wire data (400)."""


class UnsupportedProtobufKind(ProtobufError):
    """The envelope names an apiVersion/kind that has no protobuf message here (415)."""

    def __init__(self, api_version: str, kind: str) -> None:
        super().__init__(f"no protobuf form is known for kind {kind!r} in version {api_version!r}")
        self.api_version = api_version
        self.kind = kind

    def to_status_error(self) -> errors.StatusError:
        return errors.unsupported_media_type(JSON_MEDIA_TYPES)


class UnencodableObject(ProtobufError):
    """`encode_object` got a JSON object that does not match the message of its kind."""
