"""The string `format`s Kubernetes validates in custom resources, and which formats it keeps at all.

Upstream strips every format it does not know before validating (`StripUnsupportedFormats`), so an
unknown `format: foo` constrains nothing. Names are compared without dashes (`date-time` = `datetime`).
The checkers follow kube-openapi's strfmt registry; `email`, `uri`, `hostname` and `mac` are close
approximations of the Go parsers they stand for.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from datetime import date

from apimachinery.validation.names import DNS1123_LABEL_FMT, DNS1123_SUBDOMAIN_FMT

Checker = Callable[[str], bool]

_UUID = r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?%s[0-9a-f]{3}-?%s[0-9a-f]{3}-?[0-9a-f]{12}$"
_DATE_TIME_TAIL = re.compile(r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$")
_GO_DURATION = re.compile(r"^[-+]?(((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+|0)$")
_LOOSE_DURATION = re.compile(r"(\d+)\s*([A-Za-zµ]+)")
_DURATION_UNITS = (
    ("ns", "nano"),
    ("us", "µs", "micro"),
    ("ms", "milli"),
    ("s", "sec"),
    ("m", "min"),
    ("h", "hr", "hour"),
    ("d", "day"),
    ("w", "wk", "week"),
)
_EMAIL = re.compile(r"^(?:[^<>@\s]*<)?[^<>@\s\"]+@[^<>@\s]+(?:>)?$")
_HOST_LABEL = r"[A-Za-z0-9\u00a0-\U0010ffff]"
_HOSTNAME = re.compile(
    rf"^({_HOST_LABEL}((-?{_HOST_LABEL}{{0,62}})?)|({_HOST_LABEL}(([A-Za-z0-9\u00a0-\U0010ffff-]{{0,61}}{_HOST_LABEL})?)"
    rf"(\.)){{1,}}([A-Za-z\u00a0-\U0010ffff]){{2,63}})$"
)
_MAC = re.compile(
    r"^([0-9A-Fa-f]{2}([:-]))([0-9A-Fa-f]{2}\2){4}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{2}([:-]))([0-9A-Fa-f]{2}\5){6}[0-9A-Fa-f]{2}$"
    r"|^([0-9A-Fa-f]{2}([:-]))([0-9A-Fa-f]{2}\8){18}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4}$"
    r"|^([0-9A-Fa-f]{4}\.){3}[0-9A-Fa-f]{4}$|^([0-9A-Fa-f]{4}\.){9}[0-9A-Fa-f]{4}$"
)
_RGB_PART = r"\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*"
_CREDIT_CARD = re.compile(
    r"^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|(222[1-9]|22[3-9][0-9]|2[3-6][0-9]{2}|27[01][0-9]|2720)[0-9]{12}"
    r"|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}"
    r"|6[27][0-9]{14})$"
)


def _regex(pattern: str) -> Checker:
    compiled = re.compile(pattern)
    return lambda value: compiled.search(value) is not None


def is_date(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def is_date_time(value: str) -> bool:
    """kube-openapi's check: a valid date, `t`, then hh:mm:ss[.frac](z|±hh:mm), case-insensitive."""
    parts = value.lower().split("t")
    if len(value) < 4 or len(parts) < 2 or not is_date(parts[0]):
        return False
    match = _DATE_TIME_TAIL.search(parts[1])
    if match is None:
        return False
    return match.group(1) <= "23" and match.group(2) <= "59" and match.group(3) <= "59"


def is_duration(value: str) -> bool:
    if _GO_DURATION.fullmatch(value):
        return True
    for _, unit in _LOOSE_DURATION.findall(value):
        unit = unit.lower().strip()
        for variants in _DURATION_UNITS:
            if any(unit == v or (i == len(variants) - 1 and unit.startswith(v)) for i, v in enumerate(variants)):
                return True
    return False


def _is_ipv4(value: str) -> bool:
    parts = value.split(".")
    return len(parts) == 4 and all(p.isdigit() and p.isascii() and int(p) <= 255 for p in parts)


def _is_ipv6(value: str) -> bool:
    try:
        ipaddress.IPv6Address(value.split("%")[0])
    except ValueError:
        return False
    return ":" in value


def _is_cidr(value: str) -> bool:
    address, slash, bits = value.partition("/")
    if not slash or not bits.isdigit():
        return False
    if _is_ipv4(address):
        return int(bits) <= 32
    return _is_ipv6(address) and int(bits) <= 128


def _luhn(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        number = int(char) * (2 if i % 2 else 1)
        total += number - 9 if number > 9 else number
    return total % 10 == 0


def _is_credit_card(value: str) -> bool:
    digits = re.sub(r"[^0-9]", "", value)
    return bool(_CREDIT_CARD.match(digits)) and _luhn(digits)


def _isbn10(value: str) -> bool:
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"\d{9}[\dX]", digits):
        return False
    total = sum((i + 1) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
    return total % 11 == 0


def _isbn13(value: str) -> bool:
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"\d{13}", digits):
        return False
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def _is_uri(value: str) -> bool:
    return value.startswith("/") or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) is not None


def _hostname(value: str) -> bool:
    return bool(_HOSTNAME.match(value)) and len(value) <= 255 and all(len(p) <= 63 for p in value.split("."))


CHECKERS: dict[str, Checker] = {
    "bsonobjectid": _regex(r"^[0-9a-fA-F]{24}$"),
    "uri": _is_uri,
    "email": lambda v: bool(_EMAIL.match(v)),
    "hostname": _hostname,
    "ipv4": _is_ipv4,
    "ipv6": _is_ipv6,
    "cidr": _is_cidr,
    "mac": lambda v: bool(_MAC.match(v)),
    "uuid": _regex(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$"),
    "uuid3": _regex(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$"),
    "uuid4": _regex(_UUID % ("4", "[89ab]")),
    "uuid5": _regex(_UUID % ("5", "[89ab]")),
    "isbn": lambda v: _isbn10(v) or _isbn13(v),
    "isbn10": _isbn10,
    "isbn13": _isbn13,
    "creditcard": _is_credit_card,
    "ssn": lambda v: len(v) == 11 and re.fullmatch(r"\d{3}[- ]?\d{2}[- ]?\d{4}", v) is not None,
    "hexcolor": _regex(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"),
    "rgbcolor": _regex(rf"^rgb\({_RGB_PART},{_RGB_PART},{_RGB_PART}\)$"),
    "byte": _regex(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$"),
    "password": lambda v: True,
    "date": is_date,
    "duration": is_duration,
    "datetime": is_date_time,
    "k8sshortname": lambda v: len(v) <= 63 and re.fullmatch(DNS1123_LABEL_FMT, v) is not None,
    "k8slongname": lambda v: len(v) <= 253 and re.fullmatch(DNS1123_SUBDOMAIN_FMT, v) is not None,
}


def normalize(name: str) -> str:
    return name.replace("-", "")


def kept_format(type_: str, fmt: str) -> str:
    """The format upstream keeps for a schema of `type_` ("" when it strips it)."""
    if not fmt:
        return ""
    if type_ in ("", "string"):
        return fmt if normalize(fmt) in CHECKERS else ""
    if type_ == "integer":
        return fmt if fmt in ("int32", "int64") else ""
    if type_ == "number":
        return fmt if fmt in ("float", "double") else ""
    return ""


def checker(fmt: str) -> Checker | None:
    """The string checker of a kept format, or None for numeric formats."""
    return CHECKERS.get(normalize(fmt))


def unrecognized(type_: str, fmt: str) -> bool:
    """Whether upstream warns `unrecognized format "<fmt>"` for this schema on CRD writes."""
    return bool(fmt) and not kept_format(type_, fmt)
