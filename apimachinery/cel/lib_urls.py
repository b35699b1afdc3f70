"""The Kubernetes URL library: `url`, `isURL` and the URL getters, parsing as Go's `net/url` does.

`url()` and `isURL()` accept what `url.ParseRequestURI` accepts: an absolute URI or an absolute path.
The getters follow `net/url`: the host keeps its port and IPv6 brackets, `getHostname` drops both,
`getEscapedPath` re-escapes the path only when its raw form is not a valid encoding, and `getQuery`
splits on `&`, unescapes `+` and `%XX`, and skips pairs that fail to unescape or contain `;`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from celpy import celtypes

from apimachinery.cel.lib_core import cel_function, library_error
from apimachinery.cel.meter import charge, size_units
from apimachinery.validation.field import go_quote

_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_UNRESERVED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~")
_PATH_SAFE = _UNRESERVED | frozenset("$&+,/:;=@")
_SUB_DELIMS = frozenset("!$&'()*+,;=:@[]%")


class URLError(ValueError):
    """`net/url` refused the text; the message is Go's."""


@dataclass(frozen=True)
class URL:
    """A parsed URL: the parts the CEL getters return."""

    scheme: str
    host: str
    path: str
    raw_path: str
    raw_query: str

    def hostname(self) -> str:
        return _split_host_port(self.host)[0]

    def port(self) -> str:
        return _split_host_port(self.host)[1]

    def escaped_path(self) -> str:
        if self.raw_path and _valid_encoded(self.raw_path) and _try_unescape(self.raw_path) == self.path:
            return self.raw_path
        return "*" if self.path == "*" else _escape_path(self.path)


def parse_request_uri(text: str) -> URL:
    """Go's `url.ParseRequestURI` (which decides validity), then the parts `url.Parse` gives (no fragment)."""
    try:
        _parse(text)
        return _parse(text.partition("#")[0])
    except URLError as error:
        raise URLError(f"parse {go_quote(text)}: {error}") from None


def _parse(text: str) -> URL:
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        raise URLError("net/url: invalid control character in URL")
    if text == "":
        raise URLError("empty url")
    if text == "*":
        return URL("", "", "*", "", "")
    scheme, rest = _scheme(text)
    rest, _, query = rest.partition("?")
    if not rest.startswith("/"):
        if scheme:
            return URL(scheme.lower(), "", "", "", query)
        raise URLError("invalid URI for request")
    host = ""
    if scheme and rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        host, rest = _parse_host(authority.rpartition("@")[2]), slash + path
    path = _unescape(rest, plus_is_space=False)
    return URL(scheme.lower(), host, path, "" if _escape_path(path) == rest else rest, query)


def _scheme(text: str) -> tuple[str, str]:
    if text.startswith(":"):
        raise URLError("missing protocol scheme")
    match = _SCHEME.match(text)
    return (match.group(1), text[match.end() :]) if match else ("", text)


def _parse_host(host: str) -> str:
    if host.startswith("["):
        close = host.rfind("]")
        if close < 0:
            raise URLError("missing ']' in host")
        port = host[close + 1 :]
    else:
        colon = host.rfind(":")
        port = host[colon:] if colon >= 0 else ""
    if not _valid_optional_port(port):
        raise URLError(f"invalid port {go_quote(port)} after host")
    return _unescape(host, plus_is_space=False)


def _valid_optional_port(port: str) -> bool:
    return port == "" or (port[0] == ":" and all("0" <= char <= "9" for char in port[1:]))


def _split_host_port(host: str) -> tuple[str, str]:
    name, port = host, ""
    colon = host.rfind(":")
    if colon >= 0 and _valid_optional_port(host[colon:]):
        name, port = host[:colon], host[colon + 1 :]
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    return name, port


def _unescape(text: str, *, plus_is_space: bool) -> str:
    out = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char == "%":
            pair = text[i + 1 : i + 3]
            if len(pair) < 2 or not all(c in "0123456789abcdefABCDEF" for c in pair):
                raise URLError(f"invalid URL escape {go_quote(text[i : i + 3])}")
            out.append(int(pair, 16))
            i += 3
            continue
        out.extend(b" " if char == "+" and plus_is_space else char.encode())
        i += 1
    return out.decode(errors="replace")


def _try_unescape(text: str) -> str | None:
    try:
        return _unescape(text, plus_is_space=False)
    except URLError:
        return None


def _escape_path(path: str) -> str:
    return "".join(char if char in _PATH_SAFE else _percent(char) for char in path)


def _percent(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode())


def _valid_encoded(raw: str) -> bool:
    return all(char in _SUB_DELIMS or char in _PATH_SAFE for char in raw)


def parse_query(raw_query: str) -> dict[str, list[str]]:
    """Go's `url.ParseQuery`, keeping the pairs it could decode."""
    values: dict[str, list[str]] = {}
    for pair in raw_query.split("&"):
        if not pair or ";" in pair:
            continue
        key, _, value = pair.partition("=")
        try:
            values.setdefault(_unescape(key, plus_is_space=True), []).append(_unescape(value, plus_is_space=True))
        except URLError:
            continue
    return values


def _url(value: Any) -> URL:
    if not isinstance(value, URL):
        raise TypeError("no such overload")
    return value


@cel_function
def url(text: Any) -> Any:
    if not isinstance(text, str):
        raise TypeError("no such overload")
    charge(size_units(len(text)))
    try:
        return parse_request_uri(text)
    except URLError as error:
        raise library_error(f"URL parse error during conversion from string: {error}") from None


@cel_function
def is_url(text: Any) -> Any:
    if not isinstance(text, str):
        raise TypeError("no such overload")
    charge(size_units(len(text)))
    try:
        parse_request_uri(text)
    except URLError:
        return celtypes.BoolType(False)
    return celtypes.BoolType(True)


@cel_function
def get_scheme(value: Any) -> Any:
    return celtypes.StringType(_url(value).scheme)


@cel_function
def get_host(value: Any) -> Any:
    return celtypes.StringType(_url(value).host)


@cel_function
def get_hostname(value: Any) -> Any:
    return celtypes.StringType(_url(value).hostname())


@cel_function
def get_port(value: Any) -> Any:
    return celtypes.StringType(_url(value).port())


@cel_function
def get_escaped_path(value: Any) -> Any:
    return celtypes.StringType(_url(value).escaped_path())


@cel_function
def get_query(value: Any) -> Any:
    query = parse_query(_url(value).raw_query)
    charge(size_units(len(_url(value).raw_query)))
    return celtypes.MapType(
        {
            celtypes.StringType(key): celtypes.ListType([celtypes.StringType(v) for v in vals])
            for key, vals in query.items()
        }
    )
