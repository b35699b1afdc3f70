"""ConfigMap and Secret rules: data keys, immutability, Secret types, `stringData`, base64 data."""

from __future__ import annotations

import base64
import binascii
import re

from apimachinery import errors
from apimachinery.apis.types import Object
from apimachinery.errors import Cause
from shard.registry.strategy import Strategy

CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
CONFIG_KEY_MESSAGE = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',"
                      "  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
MAX_TOTAL_BYTES = 1024 * 1024


def key_causes(data: dict[str, str], field: str) -> list[Cause]:
    causes = []
    for key in data:
        if not CONFIG_KEY.match(key) or key in (".", ".."):
            causes.append(Cause("FieldValueInvalid", f'Invalid value: "{key}": {CONFIG_KEY_MESSAGE}', f"{field}[{key}]"))
    return causes


def immutable_causes(new: Object, old: Object, fields: tuple[str, ...]) -> list[Cause]:
    if not old.get("immutable"):
        return []
    causes = []
    if not new.get("immutable"):
        causes.append(Cause("FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set", "immutable"))
    for field in fields:
        if (new.get(field) or {}) != (old.get(field) or {}):
            causes.append(Cause("FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set", field))
    return causes


class ConfigMapStrategy(Strategy):
    def validate(self, obj: Object) -> list[Cause]:
        data, binary = obj.get("data") or {}, obj.get("binaryData") or {}
        causes = key_causes(data, "data") + key_causes(binary, "binaryData")
        for key in set(data) & set(binary):
            causes.append(Cause("FieldValueInvalid", f'Invalid value: "{key}": duplicate of key present in data',
                                f"binaryData[{key}]"))
        if sum(len(k) + len(v) for k, v in {**data, **binary}.items()) > MAX_TOTAL_BYTES:
            causes.append(Cause("FieldValueTooLong", f"Too long: must have at most {MAX_TOTAL_BYTES} bytes", ""))
        return causes

    def validate_update(self, new: Object, old: Object) -> list[Cause]:
        return self.validate(new) + immutable_causes(new, old, ("data", "binaryData"))


# Secret type → keys its data must hold.
REQUIRED_KEYS = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
}


class SecretStrategy(Strategy):
    def prepare_for_create(self, obj: Object) -> None:
        obj.setdefault("type", "Opaque")
        fold_string_data(obj)

    def prepare_for_update(self, new: Object, old: Object) -> None:
        if not new.get("type"):
            new["type"] = old.get("type", "Opaque")
        fold_string_data(new)

    def validate(self, obj: Object) -> list[Cause]:
        data = obj.get("data") or {}
        causes = key_causes(data, "data") + _base64_causes(data)
        for key in REQUIRED_KEYS.get(obj.get("type", ""), ()):
            if key not in data:
                causes.append(Cause("FieldValueRequired", "Required value", f"data[{key}]"))
        if obj.get("type") == "kubernetes.io/service-account-token":
            annotations = (obj.get("metadata") or {}).get("annotations") or {}
            if not annotations.get("kubernetes.io/service-account.name"):
                causes.append(Cause("FieldValueRequired", "Required value",
                                    "metadata.annotations[kubernetes.io/service-account.name]"))
        return causes

    def validate_update(self, new: Object, old: Object) -> list[Cause]:
        causes = self.validate(new) + immutable_causes(new, old, ("data",))
        if new.get("type") != old.get("type"):
            causes.append(Cause("FieldValueInvalid", f'Invalid value: "{new.get("type")}": field is immutable', "type"))
        return causes


def fold_string_data(obj: Object) -> None:
    """`stringData` is write-only: merged into `data` (base64) and never stored."""
    string_data = obj.pop("stringData", None) or {}
    if string_data:
        data = dict(obj.get("data") or {})
        for key, value in string_data.items():
            data[key] = base64.b64encode(str(value).encode()).decode()
        obj["data"] = data


def _base64_causes(data: dict[str, str]) -> list[Cause]:
    for key, value in data.items():
        try:
            base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            raise errors.bad_request(f"illegal base64 data in data[{key}]") from None
    return []
