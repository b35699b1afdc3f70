"""ConfigMap and Secret rules: data keys, size limits, immutability, Secret defaults, `stringData`, base64 data.

Follows upstream ValidateConfigMap(Update) and ValidateSecret(Update); what each Secret `type` requires
of its data lives in `shard.registry.secrets`.
"""

from __future__ import annotations

import base64
import binascii
import re

from apimachinery import errors
from apimachinery.apis.types import Object
from apimachinery.errors import Cause
from apimachinery.validation import field
from shard.registry import secrets
from shard.registry.strategy import Strategy

CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")
CONFIG_KEY_MESSAGE = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
    "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
)
MAX_KEY_LENGTH = 253  # DNS1123SubdomainMaxLength
MAX_TOTAL_BYTES = 1024 * 1024  # core.MaxSecretSize, the limit of ConfigMaps too
IMMUTABLE_DETAIL = "field is immutable when `immutable` is set"


def config_key_messages(key: str) -> list[str]:
    """Upstream IsConfigMapKey: length in bytes, the character set, and no `.`/`..` path tricks."""
    messages = []
    if len(key.encode()) > MAX_KEY_LENGTH:
        messages.append(f"must be no more than {MAX_KEY_LENGTH} characters")
    if not CONFIG_KEY.fullmatch(key):
        messages.append(CONFIG_KEY_MESSAGE)
    return messages + _chdir_prefix_messages(key)


def _chdir_prefix_messages(key: str) -> list[str]:
    if key in (".", ".."):
        return [f"must not be '{key}'"]
    return ["must not start with '..'"] if key.startswith("..") else []


def key_causes(key: str, path: str) -> list[Cause]:
    return [field.invalid(f"{path}[{key}]", key, message) for message in config_key_messages(key)]


def decoded_values(values: dict[str, str], path: str) -> dict[str, bytes]:
    """The bytes behind base64 map values; bad base64 fails the request as the body decoder does."""
    decoded = {}
    for key, value in values.items():
        try:
            # Go's StdEncoding skips line breaks inside the text
            decoded[key] = base64.b64decode(str(value).replace("\r", "").replace("\n", ""), validate=True)
        except (binascii.Error, ValueError):
            raise errors.bad_request(f"illegal base64 data in {path}[{key}]") from None
    return decoded


def immutable_causes(new: Object, old: Object, fields: tuple[str, ...]) -> list[Cause]:
    if not old.get("immutable"):
        return []
    causes = [] if new.get("immutable") else [field.forbidden("immutable", IMMUTABLE_DETAIL)]
    for name in fields:
        if (new.get(name) or {}) != (old.get(name) or {}):
            causes.append(field.forbidden(name, IMMUTABLE_DETAIL))
    return causes


class ConfigMapStrategy(Strategy):
    def validate(self, obj: Object) -> list[Cause]:
        data, binary = obj.get("data") or {}, obj.get("binaryData") or {}
        causes = []
        for key in data:
            causes += key_causes(key, "data")
            if key in binary:
                causes.append(field.invalid(f"data[{key}]", key, "duplicate of key present in binaryData"))
        for key in binary:
            causes += key_causes(key, "binaryData")
        size = sum(len(str(value).encode()) for value in data.values())
        size += sum(len(value) for value in decoded_values(binary, "binaryData").values())
        if size > MAX_TOTAL_BYTES:
            causes.append(field.too_long("", MAX_TOTAL_BYTES))  # the whole object
        return causes

    def validate_update(self, new: Object, old: Object) -> list[Cause]:
        return immutable_causes(new, old, ("data", "binaryData")) + self.validate(new)


class SecretStrategy(Strategy):
    def prepare_for_create(self, obj: Object) -> None:
        default_type(obj)
        fold_string_data(obj)

    def prepare_for_update(self, new: Object, old: Object) -> None:
        # the body of an update is defaulted like any decoded Secret: no `type` means Opaque
        default_type(new)
        fold_string_data(new)

    def validate(self, obj: Object) -> list[Cause]:
        data = obj.get("data") or {}
        decoded = decoded_values(data, "data")
        causes = [cause for key in data for cause in key_causes(key, "data")]
        if sum(len(value) for value in decoded.values()) > MAX_TOTAL_BYTES:
            causes.append(field.too_long("data", MAX_TOTAL_BYTES))
        return causes + secrets.type_causes(obj, decoded)

    def validate_update(self, new: Object, old: Object) -> list[Cause]:
        causes = []
        if new.get("type") != old.get("type"):
            causes.append(field.invalid("type", new.get("type"), "field is immutable"))
        return causes + immutable_causes(new, old, ("data",)) + self.validate(new)


def default_type(obj: Object) -> None:
    """Upstream SetDefaults_Secret: an empty or missing `type` is Opaque."""
    if not obj.get("type"):
        obj["type"] = "Opaque"


def fold_string_data(obj: Object) -> None:
    """`stringData` is write-only: merged into `data` (base64) and never stored."""
    string_data = obj.pop("stringData", None) or {}
    if string_data:
        data = dict(obj.get("data") or {})
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()
        obj["data"] = data
