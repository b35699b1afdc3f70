"""Name, label and annotation formats with the API server's exact messages, and `generateName`.

Owns the string checks (`is_dns1123_subdomain`, `is_dns1123_label`, `is_label_key`, `is_label_value`,
...), which return the list of problems as upstream words them; the per-kind name validators
(`name_is_dns_subdomain`, `name_is_dns_label`, `name_is_path_segment`) that take the `prefix` flag
used for `generateName`; the field validators for labels and annotations that return `Cause`s; and
`generate_name`. Lengths are counted in UTF-8 bytes, as Go's `len` does.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping

from apimachinery.errors import Cause
from apimachinery.validation import field

NameValidator = Callable[[str, bool], list[str]]

DNS1123_LABEL_MAX_LENGTH = 63
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
DNS1035_LABEL_MAX_LENGTH = 63
LABEL_VALUE_MAX_LENGTH = 63
LABEL_KEY_NAME_MAX_LENGTH = 63
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024
GENERATED_NAME_MAX_LENGTH = 63
GENERATED_SUFFIX_LENGTH = 5
GENERATED_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"

DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*"
DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
LABEL_VALUE_FMT = "(" + LABEL_KEY_FMT + ")?"

_DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character"
)
_DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)
_DNS1035_LABEL_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
    "start with an alphabetic character, and end with an alphanumeric character"
)
_LABEL_KEY_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)

_DNS1123_LABEL_RE = re.compile(DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN_RE = re.compile(DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL_RE = re.compile(DNS1035_LABEL_FMT)
_LABEL_KEY_RE = re.compile(LABEL_KEY_FMT)
_LABEL_VALUE_RE = re.compile(LABEL_VALUE_FMT)


def byte_length(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def max_len_error(length: int) -> str:
    return f"must be no more than {length} bytes"


def regex_error(message: str, regex: str, *examples: str) -> str:
    """`<message> (e.g. 'a',  or 'b', regex used for validation is '<regex>')`, spacing as upstream."""
    if not examples:
        return f"{message} (regex used for validation is '{regex}')"
    shown = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{regex}')"


def is_dns1123_label(value: str) -> list[str]:
    errors = []
    if byte_length(value) > DNS1123_LABEL_MAX_LENGTH:
        errors.append(max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):
            errors.append("must not contain dots")
        else:
            errors.append(regex_error(_DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errors


def is_dns1123_subdomain(value: str) -> list[str]:
    errors = []
    if byte_length(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errors.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errors.append(regex_error(_DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errors


def is_dns1035_label(value: str) -> list[str]:
    errors = []
    if byte_length(value) > DNS1035_LABEL_MAX_LENGTH:
        errors.append(max_len_error(DNS1035_LABEL_MAX_LENGTH))
    if not _DNS1035_LABEL_RE.fullmatch(value):
        errors.append(regex_error(_DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errors


def _label_key_name_errors(name: str) -> list[str]:
    errors = []
    if not name:
        errors.append("name part must be non-empty")
    elif byte_length(name) > LABEL_KEY_NAME_MAX_LENGTH:
        errors.append("name part " + max_len_error(LABEL_KEY_NAME_MAX_LENGTH))
    if not _LABEL_KEY_RE.fullmatch(name):
        errors.append(
            "name part " + regex_error(_LABEL_KEY_MSG, LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
        )
    return errors


def is_label_key(value: str) -> list[str]:
    """A qualified name: `[prefix/]name`, the prefix a DNS subdomain (label keys, finalizers...)."""
    parts = value.split("/")
    if len(parts) > 2:
        example = regex_error(_LABEL_KEY_MSG, LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
        return [
            f"a valid label key {example} with an optional DNS subdomain prefix and '/' "
            "(e.g. 'example.com/MyName')"
        ]
    errors = []
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors.extend("prefix part " + msg for msg in is_dns1123_subdomain(prefix))
    return errors + _label_key_name_errors(parts[-1])


is_qualified_name = is_label_key


def is_label_value(value: str) -> list[str]:
    errors = []
    if byte_length(value) > LABEL_VALUE_MAX_LENGTH:
        errors.append(max_len_error(LABEL_VALUE_MAX_LENGTH))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errors.append(regex_error(_LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errors


def is_path_segment_name(name: str) -> list[str]:
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return is_path_segment_prefix(name)


def is_path_segment_prefix(name: str) -> list[str]:
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in name]


def _mask_trailing_dash(name: str) -> str:
    """A generateName prefix may end in '-': check it as if a character followed."""
    if len(name) > 1 and name.endswith("-"):
        return name[:-2] + "a"
    return name


def name_is_dns_subdomain(name: str, prefix: bool) -> list[str]:
    return is_dns1123_subdomain(_mask_trailing_dash(name) if prefix else name)


def name_is_dns_label(name: str, prefix: bool) -> list[str]:
    return is_dns1123_label(_mask_trailing_dash(name) if prefix else name)


def name_is_dns1035_label(name: str, prefix: bool) -> list[str]:
    return is_dns1035_label(_mask_trailing_dash(name) if prefix else name)


def name_is_path_segment(name: str, prefix: bool) -> list[str]:
    """RBAC names: any path segment; upstream ignores `prefix` here."""
    return is_path_segment_name(name)


def validate_labels(labels: Mapping[str, str], path: str = "metadata.labels") -> list[Cause]:
    causes: list[Cause] = []
    for key in sorted(labels):
        causes.extend(field.invalid(path, key, msg) for msg in is_label_key(key))
        value = labels[key]
        causes.extend(field.invalid(path, value, msg) for msg in is_label_value(value))
    return causes


def validate_annotations(annotations: Mapping[str, str], path: str = "metadata.annotations") -> list[Cause]:
    """Keys are qualified names in any case; keys plus values may total at most 256 KiB."""
    causes: list[Cause] = []
    for key in sorted(annotations):
        causes.extend(field.invalid(path, key, msg) for msg in is_label_key(key.lower()))
    total = sum(byte_length(k) + byte_length(v) for k, v in annotations.items())
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        causes.append(field.too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT))
    return causes


def generate_name(prefix: str, *, choice: Callable[[str], str] = secrets.choice) -> str:
    """`prefix` (cut to leave room) followed by 5 characters from upstream's unambiguous alphabet."""
    room = GENERATED_NAME_MAX_LENGTH - GENERATED_SUFFIX_LENGTH
    base = prefix[:room]
    return base + "".join(choice(GENERATED_SUFFIX_ALPHABET) for _ in range(GENERATED_SUFFIX_LENGTH))
