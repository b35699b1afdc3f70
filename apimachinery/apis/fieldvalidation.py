"""fieldValidation of write requests: decode a body or a patch as upstream does, collecting the strict errors.

Create and update bodies (JSON or YAML) are decoded into the resource's type: the errors are go-yaml's
duplicate keys (YAML only), then what the JSON decoder finds, for built-in kinds in document order
(`unknown_fields`), for custom resources the repeated keys and then the fields their schema prunes
(`prune_custom`, the CRD's own pruning). Patches: the errors of the patch body (repeated keys; for a JSON
patch the operations' own unknown and repeated fields, `json patch unknown field "[0].foo"`), then the
unknown fields of the patched object. Under Strict a body's errors are a 400 `... cannot be handled as a
<Kind>: strict decoding error: ...`, a patch's a 422 on the field `patch`; under Warn they are warnings;
under Ignore they are dropped. Whatever the directive, a built-in kind keeps no unknown field.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import orjson
import yaml

from apimachinery import errors
from apimachinery.apis.types import Object, ResourceDefinition, Schema
from apimachinery.apis.unknown_fields import TypedDecoder
from apimachinery.serializers import strict, yamlstrict
from apimachinery.serializers.duplicates import duplicate_paths, loads_tracking, plain
from apimachinery.validation import field

# a custom resource's decoding step: prunes (and defaults) the object in place, returns the pruned paths
Pruner = Callable[[Object], list[str]]

_OPERATION: Schema = {
    "type": "object",
    "properties": {
        "op": {"type": "string"},
        "path": {"type": "string"},
        "from": {"type": "string"},
        "value": {"x-kubernetes-preserve-unknown-fields": True},
    },
}
_OPERATIONS: Schema = {"type": "array", "items": _OPERATION}
UNLIMITED = 2**31  # converting a strategic-merge-patched map reports every unknown field


@dataclass
class Decoded:
    obj: Object
    errors: list[str]


def decode_object(
    resource: ResourceDefinition, body: bytes, *, from_yaml: bool, prune_custom: Pruner | None
) -> Decoded:
    """A create or update body as the resource's type keeps it, with the strict errors in upstream's order."""
    found: list[str] = []
    if from_yaml:
        try:
            data, lines = yamlstrict.load_tracking(body)
        except yaml.YAMLError as err:
            raise errors.bad_request(f"error decoding YAML body: {err}") from None
        found, repeated = strict.yaml_errors(lines), False
    else:
        try:
            data, repeated = loads_tracking(body)
        except orjson.JSONDecodeError as err:
            raise errors.bad_request(f"error decoding request body: {err}") from None
    if not isinstance(data, dict):
        raise errors.bad_request("the body of the request must be a JSON object")
    if prune_custom is not None:
        duplicates = _duplicates(data) if repeated else []
        obj = plain(data) if repeated else data
        return Decoded(obj, found + duplicates + [strict.unknown_field(path) for path in prune_custom(obj)])
    decoder = TypedDecoder(resource.schemas, repeated=repeated, sort_all=from_yaml)
    obj = decoder.decode(data, resource.schemas[resource.schema_name])
    decoder.prune()
    return Decoded(obj, found + decoder.errors)


def decode_error(resource: ResourceDefinition, obj: Object, found: list[str]) -> errors.StatusError:
    """Strict: 400 `ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: ...`."""
    kind = obj.get("kind") if isinstance(obj.get("kind"), str) and obj.get("kind") else resource.kind
    api_version = obj.get("apiVersion")
    version = api_version.rsplit("/", 1)[-1] if isinstance(api_version, str) and api_version else resource.version
    return errors.bad_request(
        f"{kind} in version {field.go_quote(version)} cannot be handled as a {resource.kind}: "
        + strict.strict_decoding_error(found)
    )


def decode_patch(body: bytes, *, json_patch: bool, validate: bool) -> tuple[Any, list[str]]:
    """A patch body (JSON), and when `validate` its strict errors: repeated keys, for a JSON patch also
    the unknown and repeated fields of its operations."""
    try:
        patch, repeated = loads_tracking(body)
    except orjson.JSONDecodeError as err:
        raise errors.bad_request(f"error decoding patch: {err}") from None
    found: list[str] = []
    if validate and json_patch and isinstance(patch, list):
        decoder = TypedDecoder({}, repeated=repeated)
        decoder.decode(list(patch), _OPERATIONS)  # checks only: the operations are applied as sent
        found = [f"json patch {error}" for error in decoder.errors]
    elif validate and repeated:
        found = _duplicates(patch)
    return (plain(patch) if repeated else patch), found


def decode_patched(
    resource: ResourceDefinition,
    patched: Object,
    *,
    patch: Any,
    body_errors: list[str],
    strict_mode: bool,
    sorted_ids: Collection[int] | None,
    strategic: bool,
    prune_custom: Pruner | None,
) -> list[str]:
    """Drop the unknown fields of a patched object (in place); return the patch's strict errors, the
    patch body's first, or under Strict raise them.

    Upstream decodes JSON it marshalled from maps: keys sorted everywhere (`sorted_ids` None), or for a
    JSON patch only in the objects its operations went through (`json_patch_sorted_ids`). A strategic
    merge patch is converted from the map instead, its unknown fields sorted by error text.
    """
    shown = ""
    if prune_custom is not None:
        if strict_mode:
            shown = shown_patch(patched, patch, strategic=strategic)
        found = body_errors + [strict.unknown_field(path) for path in prune_custom(patched)]
    else:
        decoder = TypedDecoder(
            resource.schemas,
            sort_all=sorted_ids is None,
            sorted_ids=sorted_ids or (),
            limit=UNLIMITED if strategic else strict.MAX_DECODER_ERRORS,
        )
        decoder.decode(patched, resource.schemas[resource.schema_name])
        found = body_errors + (sorted(decoder.errors) if strategic else decoder.errors)
        if strict_mode and found:
            shown = shown_patch(patched, patch, strategic=strategic)  # before the unknown fields go
        decoder.prune()
    if strict_mode and found:
        raise patch_error(shown, found)
    return found


def json_patch_sorted_ids(patched: Any, operations: list[Any]) -> set[int]:
    """The objects of a JSON-patched document that upstream re-marshals with sorted keys: the root and
    every object on the way to an operation's `path` or `from` (values added keep their own order)."""
    ids = {id(patched)}
    for operation in operations:
        if not isinstance(operation, dict):
            continue
        for pointer in (operation.get("from"), operation.get("path")):
            if isinstance(pointer, str):
                _mark_parents(patched, pointer, ids)
    return ids


def _mark_parents(document: Any, pointer: str, ids: set[int]) -> None:
    node = document
    for token in pointer.split("/")[1:-1]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return
        if isinstance(node, dict):
            ids.add(id(node))


def patch_error(shown: str, found: list[str]) -> errors.StatusError:
    """Strict, for a patch: 422 ` "" is invalid: patch: Invalid value: "<patched>": strict decoding error: ...`."""
    cause = field.invalid("patch", shown, strict.strict_decoding_error(found))
    return errors.invalid("", "", [cause])


def shown_patch(patched: Any, patch: Any, *, strategic: bool) -> str:
    """How upstream shows a failed patch in that error: the patched object's JSON, or for a strategic
    merge patch the patch map printed with `%+v`."""
    if strategic:
        return field.go_sprint(patch)
    text = orjson.dumps(patched, option=orjson.OPT_SORT_KEYS).decode()
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text


def _duplicates(data: Any) -> list[str]:
    return [strict.duplicate_field(path) for path in duplicate_paths(data)][: strict.MAX_DECODER_ERRORS]
